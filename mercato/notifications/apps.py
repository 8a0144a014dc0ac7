from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mercato.notifications"
    label = "notifications"
    verbose_name = "Notifications"
