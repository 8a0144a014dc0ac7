from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "mercato.integrations"
    label = "integrations"
    verbose_name = "Integrations"
