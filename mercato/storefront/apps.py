from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "mercato.storefront"
    label = "storefront"
    verbose_name = "Storefront"
