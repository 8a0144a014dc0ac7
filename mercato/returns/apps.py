from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "mercato.returns"
    label = "returns"
    verbose_name = "Returns"
