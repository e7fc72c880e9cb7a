from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Personnel"  # the admin lists staff accounts only (accounts.admin)

    def ready(self):
        from . import checks, signals  # noqa: F401 - the deploy check, the signal handlers

        post_migrate.connect(sync_groups_after_migrate, dispatch_uid="accounts.sync_staff_groups")


def sync_groups_after_migrate(sender, using, apps=None, **kwargs):
    """Once per migrate (at the last app, when every permission exists): new
    models' permissions join the staff groups."""
    from django.apps import apps as global_apps

    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if with_models and sender is with_models[-1]:
        from .groups import sync_staff_groups

        sync_staff_groups(using=using)
