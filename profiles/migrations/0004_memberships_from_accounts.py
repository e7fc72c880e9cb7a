"""Every establishment's one-to-one account becomes its membership (role: the
establishment's own account). Accounts, passwords and sessions are untouched."""

from django.db import migrations


def accounts_to_memberships(apps, schema_editor):
    Establishment = apps.get_model("profiles", "Establishment")
    Membership = apps.get_model("profiles", "Membership")
    Membership.objects.bulk_create(
        [
            Membership(establishment_id=pk, user_id=user_id, role="establishment", is_active=True)
            for pk, user_id in Establishment.objects.values_list("pk", "user_id").iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def memberships_to_accounts(apps, schema_editor):
    Establishment = apps.get_model("profiles", "Establishment")
    Membership = apps.get_model("profiles", "Membership")
    for establishment in Establishment.objects.all():
        membership = (
            Membership.objects.filter(establishment=establishment, role="establishment")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            establishment.user_id = membership.user_id
            establishment.save(update_fields=["user"])


class Migration(migrations.Migration):
    dependencies = [("profiles", "0003_memberships")]

    operations = [migrations.RunPython(accounts_to_memberships, memberships_to_accounts)]
