"""The cast of the tests: two establishments of two caisses, their préventeurs."""

import contextlib

import pytest
from django.apps import apps as django_apps
from django.db import connections

from accounts.models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP, User
from profiles.models import Caisse, Establishment, Membership

PASSWORD = "Tms-Pros-2026!"


CAISSE_DEFAULTS = {
    "CRAMIF": {
        "name": "Cramif",
        "region": "Île-de-France",
        "email": "infos.tmspros.cramif@assurance-maladie.fr",
    },
    "CARSAT_HDF": {
        "name": "Carsat Hauts-de-France",
        "region": "Hauts-de-France",
        "email": "tmspros@carsat-nordpicardie.fr",
    },
}


def get_caisse(code):
    """The caisse of the data migration (re-created after a transactional test's flush)."""
    return Caisse.objects.get_or_create(
        code=code, defaults=CAISSE_DEFAULTS.get(code, {"name": code})
    )[0]


def make_establishment(*, siret, name, caisse_code, complete_profile=True, **extra):
    caisse = get_caisse(caisse_code)
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
    establishment = Establishment.objects.create(
        siret=siret,
        name=name,
        caisse=caisse,
        address="1 rue de la Paix",
        postcode="75002",
        town="Paris",
        **{**profile, **extra},
    )
    Membership.objects.create(
        establishment=establishment, user=user, role=Membership.Role.ESTABLISHMENT
    )
    return establishment


def make_representative(establishment, *, email, first_name="Rémi", last_name="Moreau"):
    """A staff representative (CSE/CHSCT/DP) of `establishment`, with their own login."""
    user = User.objects.create_user(
        username=email,
        email=email,
        password=PASSWORD,
        kind=User.Kind.REPRESENTATIVE,
        first_name=first_name,
        last_name=last_name,
    )
    Membership.objects.create(
        establishment=establishment, user=user, role=Membership.Role.REPRESENTATIVE
    )
    return user


@pytest.fixture(autouse=True)
def _caisses_of_the_data_migration(request, django_db_blocker):
    """The 21 caisses are loaded by a data migration; a transactional (live
    server) test flushes them: put them back, committed, before each test
    that uses the database."""
    from importlib import import_module

    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_database:
        yield
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if Caisse.objects.count() < 21:
            migration = import_module("profiles.migrations.0002_load_caisses")
            migration.load(django_apps, None)
    yield


DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "page"})


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate limits live in the (database) cache: each test that has a database
    starts with none. (A test without one has no test database to clear.)"""
    if not (
        request.node.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(request.fixturenames)
    ):
        yield
        return
    from django.core.cache import cache

    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        cache.clear()
    yield


@pytest.fixture(autouse=True, scope="session")
def _outbox_is_the_default_mailer(django_test_environment):
    """Django's test set-up turns every mailer into locmem: put the outbox back.

    As in production, sending writes an outbox row; the "delivery" mailer
    stays locmem, so a delivered message lands in mailoutbox.
    """
    from importlib import import_module

    from django.conf import settings

    settings.MAILERS = import_module(settings.SETTINGS_MODULE).MAILERS


@contextlib.contextmanager
def unreachable_broker():
    """Celery publishes for real, to a broker nobody listens to (a Redis outage)."""
    from tmspros.celery import app

    saved = {
        name: app.conf[name]
        for name in ("broker_url", "broker_transport_options", "task_always_eager")
    }

    def forget_connections():
        # The pools keep the connection to the broker of the first publish.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(
        broker_url="redis://127.0.0.1:1/0",
        broker_transport_options={"max_retries": 0},
        task_always_eager=False,
    )
    forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_connections()


def give_second_factor(user, secret=None):
    """A staff account that has set up its TOTP, as every staff account must
    before reaching the admin (accounts.middleware). Returns the secret (also
    `user.totp_secret`): `pyotp.TOTP(secret).now()` is the current code."""
    import base64
    import os

    from accounts.services import set_totp_secret

    secret = secret or base64.b32encode(os.urandom(20)).decode()
    set_totp_secret(user, secret)
    user.totp_secret = secret
    return secret


def staff_member(user, group_name):
    """A staff account as operations make it: in its group, its second factor set up."""
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    give_second_factor(user)
    return user


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser (admin_client), with its second factor."""
    give_second_factor(admin_user)
    return admin_user


@pytest.fixture
def caisse_a(db):
    return get_caisse("CRAMIF")


@pytest.fixture
def caisse_b(db):
    return get_caisse("CARSAT_HDF")


@pytest.fixture
def preventeur_a(db, caisse_a):
    user = User.objects.create_user(
        username="prev.a@cramif.example.fr",
        email="prev.a@cramif.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_a,
        is_staff=True,
        first_name="Paul",
        last_name="Durand",
    )
    return staff_member(user, PREVENTEURS_GROUP)


@pytest.fixture
def preventeur_b(db, caisse_b):
    user = User.objects.create_user(
        username="prev.b@carsat.example.fr",
        email="prev.b@carsat.example.fr",
        password=PASSWORD,
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_b,
        is_staff=True,
        first_name="Léa",
        last_name="Petit",
    )
    return staff_member(user, PREVENTEURS_GROUP)


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
def representative_a(establishment_a):
    return make_representative(establishment_a, email="cse.alpha@example.fr")


@pytest.fixture
def national_team(db):
    user = User.objects.create_user(
        username="equipe@tmspros.example.fr",
        email="equipe@tmspros.example.fr",
        password=PASSWORD,
        kind=User.Kind.NATIONAL,
        is_staff=True,
        first_name="Équipe",
        last_name="nationale",
    )
    return staff_member(user, NATIONAL_TEAM_GROUP)


@pytest.fixture
def client_a(client, establishment_a):
    client.force_login(establishment_a.account)
    return client


@pytest.fixture
def client_b(establishment_b):
    from django.test import Client

    other = Client()
    other.force_login(establishment_b.account)
    return other


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(live_server, settings, tmp_path):
    """A Chromium page (Playwright) on the live server; screenshots go to test-artifacts/."""
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of
    # the test itself are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SITE_URL = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", accept_downloads=True
        )
        context.set_default_timeout(15000)
        browser_page = context.new_page()
        try:
            yield browser_page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright ran opened connections in its
            # context: close them here, or PostgreSQL cannot drop the test database.
            connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def screenshot(page, name):
    """Keep a picture of the page for a human to look at (test-artifacts/NAME.png)."""
    from pathlib import Path

    folder = Path(__file__).parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def log_in(page, live_server, user):
    """Open a session for `user` in the Chromium page (the login form has its own journey)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
