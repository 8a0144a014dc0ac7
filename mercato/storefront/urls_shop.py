"""Storefront URLs: cart, checkout steps, and the simulated payment provider's pages."""

from django.urls import URLPattern, path

from mercato.storefront.views import cart, checkout, checkout_payment, provider

urlpatterns: list[URLPattern] = [
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.add_to_cart, name="cart-add"),
    path("cart/lines/<str:sku>/", cart.change_line, name="cart-line"),
    path("cart/coupon/", cart.coupon, name="cart-coupon"),
    path("checkout/", checkout.start, name="checkout"),
    path("checkout/address/", checkout.address, name="checkout-address"),
    path("checkout/delivery-options/", checkout.delivery_options,
         name="checkout-delivery-options"),
    path("checkout/delivery/", checkout.delivery, name="checkout-delivery"),
    path("checkout/payment/", checkout_payment.payment, name="checkout-payment"),
    path("checkout/review/", checkout_payment.review, name="checkout-review"),
    path("checkout/place/", checkout_payment.place, name="checkout-place"),
    path("checkout/done/<str:number>/", checkout_payment.done, name="checkout-done"),
    path("test-gateway/approve/<str:token>/", provider.approve, name="provider-approve"),
    path("test-gateway/3ds/<str:reference>/", provider.three_d_secure, name="provider-3ds"),
]
