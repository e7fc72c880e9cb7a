from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = "Pièces jointes"

    def ready(self):
        from . import signals  # noqa: F401
