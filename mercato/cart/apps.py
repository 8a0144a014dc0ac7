from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "mercato.cart"
    label = "cart"
    verbose_name = "Carts"
