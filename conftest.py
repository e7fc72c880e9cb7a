"""The cast of the tests: two establishments of two caisses, their préventeurs."""

import pytest

from accounts.models import User
from profiles.models import Caisse, Establishment

PASSWORD = "Tms-Pros-2026!"


def make_establishment(*, siret, name, caisse_code, complete_profile=True, **extra):
    caisse = Caisse.objects.get(code=caisse_code)
    user = User.objects.create_user(
        username=siret, email=f"contact-{siret}@example.fr", password=PASSWORD
    )
    profile = {}
    if complete_profile:
        profile = {
            "head_last_name": "Martin",
            "head_first_name": "Claire",
            "head_function": "Directrice",
            "head_email": f"direction-{siret}@example.fr",
            "head_phone": "0102030405",
            "head_address": "1 rue de la Paix, 75002 Paris",
            "is_space_manager": True,
            "belongs_to_group": False,
            "has_staff_representative": True,
        }
    return Establishment.objects.create(
        user=user,
        siret=siret,
        name=name,
        caisse=caisse,
        address="1 rue de la Paix",
        postcode="75002",
        town="Paris",
        **{**profile, **extra},
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def caisse_a(db):
    return Caisse.objects.get(code="CRAMIF")


@pytest.fixture
def caisse_b(db):
    return Caisse.objects.get(code="CARSAT_HDF")


@pytest.fixture
def preventeur_a(db, caisse_a):
    return User.objects.create_user(
        username="prev.a@cramif.example.fr",
        email="prev.a@cramif.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_a,
        is_staff=True,
        first_name="Paul",
        last_name="Durand",
    )


@pytest.fixture
def preventeur_b(db, caisse_b):
    return User.objects.create_user(
        username="prev.b@carsat.example.fr",
        email="prev.b@carsat.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_b,
        is_staff=True,
        first_name="Léa",
        last_name="Petit",
    )


@pytest.fixture
def establishment_a(db, caisse_a, preventeur_a):
    return make_establishment(
        siret="73282932000074",
        name="Ateliers Alpha",
        caisse_code="CRAMIF",
        preventeur=preventeur_a,
        days_lost_tms=169,
        days_lost_lumbago=473,
        figures_year=2025,
    )


@pytest.fixture
def establishment_b(db, caisse_b):
    return make_establishment(
        siret="55210055400013", name="Boulangerie Bêta", caisse_code="CARSAT_HDF"
    )


@pytest.fixture
def client_a(client, establishment_a):
    client.force_login(establishment_a.user)
    return client


@pytest.fixture
def client_b(establishment_b):
    from django.test import Client

    other = Client()
    other.force_login(establishment_b.user)
    return other
