from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "Actualités, documentation et aide"

    def ready(self):
        from . import signals  # noqa: F401
