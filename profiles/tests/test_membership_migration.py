"""The one-to-one account of each establishment became its membership, account untouched."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("profiles", "0002_load_caisses")]
AFTER = [("profiles", "0005_remove_establishment_user")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_establishment_account_becomes_its_membership():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Caisse = old.get_model("profiles", "Caisse")
    Establishment = old.get_model("profiles", "Establishment")
    caisse = Caisse.objects.get(code="CRAMIF")
    user = User.objects.create(username="73282932000074", password="argon2$kept", kind="establishment")
    establishment = Establishment.objects.create(
        user=user, siret="73282932000074", name="Ateliers Alpha", caisse=caisse
    )
    try:
        new = migrate(AFTER)
        Membership = new.get_model("profiles", "Membership")
        membership = Membership.objects.get(establishment_id=establishment.pk)
        assert membership.user_id == user.pk
        assert membership.role == "establishment" and membership.is_active
        assert new.get_model("accounts", "User").objects.get(pk=user.pk).password == (
            "argon2$kept"
        )

        back = migrate(BEFORE)  # reversible: the account goes back on the establishment
        restored = back.get_model("profiles", "Establishment").objects.get(pk=establishment.pk)
        assert restored.user_id == user.pk
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
