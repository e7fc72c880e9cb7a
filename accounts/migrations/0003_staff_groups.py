"""The staff groups ("Préventeurs", "Équipe nationale") and their permissions.

The permissions come from accounts.groups.sync_staff_groups, which creates
the permission rows it needs itself (Django only creates them at
post_migrate, after every migration). Existing staff accounts join their
group once, here; afterwards create_preventeur and the admin put them in.
"""

from django.db import migrations

from accounts.groups import sync_staff_groups
from accounts.models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    sync_staff_groups(apps=apps, using=using)
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    for kind, name in (("preventeur", PREVENTEURS_GROUP), ("national", NATIONAL_TEAM_GROUP)):
        group = Group.objects.using(using).get(name=name)
        group.user_set.add(*User.objects.using(using).filter(kind=kind))


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=[PREVENTEURS_GROUP, NATIONAL_TEAM_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("profiles", "0006_backoffice_permissions"),
        ("parcours", "0006_backoffice_permissions"),
        ("attachments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
