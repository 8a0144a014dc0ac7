from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "mercato.fulfilment"
    label = "fulfilment"
    verbose_name = "Shipping/Receiving"
