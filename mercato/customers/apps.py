from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "mercato.customers"
    label = "customers"
    verbose_name = "Customers"
