"""The staff groups, as data: what a préventeur may do; the national team, everything.

`sync_staff_groups()` creates both groups and sets their permissions exactly
(extra permissions are removed): it is idempotent. It runs in migration
accounts 0003 (with the historical models), after every `migrate` (the
post_migrate receiver of accounts.apps, so that the permissions of models
added later, such as the news app's, join without a new migration), and as
`manage.py sync_staff_groups` for operations.

It creates the permission rows it needs itself: in a migration, Django's own
permissions only appear at post_migrate, after every migration has run.
"""

from django.apps import apps as global_apps
from django.contrib.auth import get_permission_codename

from .models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP

# "app_label.model": actions ("view", "add", "change", "delete") or custom
# codenames declared in the model's Meta.permissions.
PREVENTEURS_PERMISSIONS = {
    # Follow the caisse's establishments, assign them, act on their accounts, export.
    "profiles.establishment": [
        "view",
        "change",
        "assign_preventeur",
        "unlock_account",
        "send_activation",
        "export_establishments",
    ],
    "profiles.membership": ["view", "add", "change"],  # grant a group's account access
    "profiles.caisse": ["view"],  # their own caisse's contacts (profiles.admin.CaisseAdmin)
    # Read the answers and documents, write the caisse's comments, validate, send back.
    "parcours.stepprogress": ["view", "validate_step", "send_back_step"],
    "parcours.stepvalidation": ["view"],
    "parcours.answer": ["view"],
    "parcours.comment": ["view", "add"],
    "attachments.attachment": ["view"],
    # Read the programme (never edit it).
    "parcours.step": ["view"],
    "parcours.block": ["view"],
    "parcours.question": ["view"],
    # The préventeurs of their caisse, to assign establishments (view only).
    "accounts.user": ["view"],
}
# The models of these apps that belong to a caisse (a `caisse` field), once
# they exist: the caisse's news and documentation (not the national help pages).
PREVENTEURS_APP_PERMISSIONS = {"news": ["view", "add", "change"]}

DEFAULT_ACTIONS = ("add", "change", "delete", "view")


def sync_staff_groups(*, apps=global_apps, using: str = "default") -> dict[str, int]:
    """Create "Préventeurs" and "Équipe nationale" and set their permissions exactly.

    Returns the number of permissions of each group. Models that are not
    installed (yet) are skipped: a later run includes them.
    """
    Group = apps.get_model("auth", "Group")
    by_key = _ensure_permissions(apps, using)
    preventeurs = sorted(by_key[key] for key in _preventeur_permission_keys(apps) if key in by_key)
    everything = sorted(by_key.values())
    counts = {}
    for name, permission_ids in (
        (PREVENTEURS_GROUP, preventeurs),
        (NATIONAL_TEAM_GROUP, everything),
    ):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permission_ids)
        counts[name] = len(permission_ids)
    return counts


def _preventeur_permission_keys(apps):
    """(app_label, model_name, codename) of every permission of the préventeurs."""
    for label, actions in PREVENTEURS_PERMISSIONS.items():
        app_label, model_name = label.split(".")
        model = _model_or_none(apps, app_label, model_name)
        if model is not None:
            yield from _keys(model, actions)
    for app_label, actions in PREVENTEURS_APP_PERMISSIONS.items():
        try:
            app_config = apps.get_app_config(app_label)
        except LookupError:  # not installed (yet)
            continue
        for model in app_config.get_models():
            if _belongs_to_a_caisse(model):
                yield from _keys(model, actions)


def _belongs_to_a_caisse(model) -> bool:
    return any(field.name == "caisse" for field in model._meta.get_fields())


def _keys(model, actions):
    opts = model._meta
    for action in actions:
        codename = get_permission_codename(action, opts) if action in DEFAULT_ACTIONS else action
        yield (opts.app_label, opts.model_name, codename)


def _model_or_none(apps, app_label, model_name):
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _model_permissions(model):
    """What Django's create_permissions would create for this model: {codename: name}."""
    opts = model._meta
    permissions = {
        get_permission_codename(action, opts): f"Can {action} {opts.verbose_name_raw}"
        for action in opts.default_permissions
    }
    permissions.update(dict(opts.permissions))
    return permissions


def _ensure_permissions(apps, using) -> dict[tuple[str, str, str], int]:
    """Every installed model's content type and permissions, created when missing.

    Returns {(app_label, model_name, codename): permission id} for every
    permission in the database.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_types = {(ct.app_label, ct.model): ct for ct in ContentType.objects.using(using).all()}
    existing = set(Permission.objects.using(using).values_list("content_type_id", "codename"))
    missing = []
    for model in apps.get_models():
        opts = model._meta
        content_type = content_types.get((opts.app_label, opts.model_name))
        if content_type is None:
            content_type = ContentType.objects.using(using).create(
                app_label=opts.app_label, model=opts.model_name
            )
            content_types[(opts.app_label, opts.model_name)] = content_type
        for codename, name in _model_permissions(model).items():
            if (content_type.pk, codename) not in existing:
                missing.append(Permission(content_type=content_type, codename=codename, name=name))
                existing.add((content_type.pk, codename))
    Permission.objects.using(using).bulk_create(missing)
    return {
        (app_label, model_name, codename): pk
        for pk, app_label, model_name, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    }
