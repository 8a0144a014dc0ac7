"""The storefront's pages, by part: catalog, shop (cart, checkout, payment), account."""

from mercato.storefront import urls_account, urls_catalog, urls_shop

app_name = "storefront"
urlpatterns = [*urls_catalog.urlpatterns, *urls_shop.urlpatterns, *urls_account.urlpatterns]
