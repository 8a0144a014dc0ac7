"""Storefront URLs: account pages and the guest order lookup."""

from django.urls import URLPattern, path

from mercato.storefront.views import account, returns

urlpatterns: list[URLPattern] = [
    path("account/", account.account_home, name="account"),
    path("account/register/", account.register, name="register"),
    path("account/login/", account.log_in, name="login"),
    path("account/logout/", account.log_out, name="logout"),
    path("account/password-reset/", account.password_reset, name="password_reset"),
    path("account/password-reset/sent/", account.password_reset_done,
         name="password_reset_done"),
    path("account/password-reset/<uidb64>/<token>/", account.password_reset_confirm,
         name="password_reset_confirm"),
    path("account/password-reset/complete/", account.password_reset_complete,
         name="password_reset_complete"),
    path("account/addresses/", account.address_list, name="addresses"),
    path("account/addresses/add/", account.address_add, name="address_add"),
    path("account/addresses/<str:public_id>/", account.address_edit, name="address_edit"),
    path("account/addresses/<str:public_id>/delete/", account.address_delete,
         name="address_delete"),
    path("account/addresses/<str:public_id>/default/<str:kind>/", account.address_make_default,
         name="address_make_default"),
    path("account/orders/", account.order_list, name="orders"),
    path("account/orders/<str:number>/", account.order_detail, name="order_detail"),
    path("orders/lookup/", account.order_lookup, name="order_lookup"),
    # returns: a customer's from the order page, a guest's after the lookup
    path("account/orders/<str:number>/return/", returns.start_return, name="return_start"),
    path("account/returns/", returns.return_list, name="returns"),
    path("account/returns/<str:rma>/", returns.return_detail, name="return_detail"),
    path("account/returns/<str:rma>/instructions/", returns.return_instructions,
         name="return_instructions"),
    path("account/returns/<str:rma>/pay/", returns.pay_return, name="return_pay"),
    path("orders/lookup/return/", returns.guest_start, name="guest_return_start"),
    path("orders/returns/<str:rma>/", returns.guest_return_detail, name="guest_return_detail"),
    path("orders/returns/<str:rma>/instructions/", returns.guest_return_instructions,
         name="guest_return_instructions"),
    path("orders/returns/<str:rma>/pay/", returns.guest_pay_return, name="guest_return_pay"),
    path("orders/<str:number>/return/", returns.guest_return, name="guest_return"),
]
