from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mercato.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mercato.core.login_limits import forget_failures_of_account

        user_logged_in.connect(forget_failures_of_account, dispatch_uid="mercato-login-limits")
