from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mercato.demo"
    label = "demo"
    verbose_name = "Demo data"
