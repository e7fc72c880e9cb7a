from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Courriels sortants"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check of the delivery mailer
