"""A login costs one password hash whatever happens: right or wrong password,
unknown identifier, locked identifier (the time of an answer tells nothing)."""

import contextlib
from unittest import mock

from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

from accounts.models import LoginLock
from conftest import PASSWORD

LOGIN_URL = reverse("account_login")
LOCKED = "Votre compte est bloqué."


@contextlib.contextmanager
def counted_hashes():
    """The password hashes computed meanwhile: "verify" (a check) or "encode" (a
    hash made); the test hasher's verify encodes, which is one computation."""
    hasher = type(get_hasher())
    calls, running = [], []

    def counting(name):
        original = getattr(hasher, name)

        def wrapper(self, *args, **kwargs):
            if not running:
                calls.append(name)
            running.append(name)
            try:
                return original(self, *args, **kwargs)
            finally:
                running.pop()

        return wrapper

    with (
        mock.patch.object(hasher, "verify", counting("verify")),
        mock.patch.object(hasher, "encode", counting("encode")),
    ):
        yield calls


def login(identifier, password):
    return Client().post(LOGIN_URL, {"login": identifier, "password": password})


def test_the_right_password_costs_one_hash(establishment_a):
    with counted_hashes() as hashes:
        response = login(establishment_a.siret, PASSWORD)
    assert response.status_code == 302
    assert hashes == ["verify"]


def test_a_wrong_password_costs_one_hash(establishment_a):
    with counted_hashes() as hashes:
        response = login(establishment_a.siret, "Faux-mot2passe!")
    assert not response.wsgi_request.user.is_authenticated
    assert hashes == ["verify"]


def test_an_unknown_identifier_costs_one_hash(db):
    with counted_hashes() as hashes:
        response = login("55210055400013", "Faux-mot2passe!")
    assert not response.wsgi_request.user.is_authenticated
    assert hashes == ["encode"]


def test_a_locked_identifier_costs_one_hash(establishment_a):
    for attempt in range(3):
        login(establishment_a.siret, f"Faux-{attempt}!aaaa")
    assert LoginLock.objects.get(identifier=establishment_a.siret).is_locked()
    with counted_hashes() as hashes:
        response = login(establishment_a.siret, PASSWORD)
    assert LOCKED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert hashes == ["encode"]
