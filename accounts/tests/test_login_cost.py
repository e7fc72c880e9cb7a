"""A login costs one password hash whatever happens: right or wrong password,
unknown identifier, locked identifier (the time of an answer tells nothing)."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

from accounts.models import LoginLock
from conftest import PASSWORD

LOGIN_URL = reverse("account_login")


@pytest.fixture
def hash_checks():
    """Every password hash computed: a check (verify) or a hash made (encode; the
    test hasher's verify encodes, and that is one computation, not two)."""
    hasher = type(get_hasher())
    calls, depth = [], []

    def counting(name):
        original = getattr(hasher, name)

        def wrapper(self, *args, **kwargs):
            if not depth:
                calls.append(name)
            depth.append(name)
            try:
                return original(self, *args, **kwargs)
            finally:
                depth.pop()

        return wrapper

    with (
        mock.patch.object(hasher, "verify", counting("verify")),
        mock.patch.object(hasher, "encode", counting("encode")),
    ):
        yield calls


def login(identifier, password):
    return Client().post(LOGIN_URL, {"login": identifier, "password": password})


def test_the_right_password_costs_one_hash(establishment_a, hash_checks):
    assert login(establishment_a.siret, PASSWORD).status_code == 302
    assert len(hash_checks) == 1


def test_a_wrong_password_costs_one_hash(establishment_a, hash_checks):
    response = login(establishment_a.siret, "Faux-mot2passe!")
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    assert len(hash_checks) == 1


def test_an_unknown_identifier_costs_one_hash(db, hash_checks):
    response = login("55210055400013", "Faux-mot2passe!")
    assert response.status_code == 200
    assert len(hash_checks) == 1


def test_a_locked_identifier_costs_one_hash(establishment_a):
    for attempt in range(3):
        login(establishment_a.siret, f"Faux-{attempt}!aaaa")
    assert LoginLock.objects.get(identifier=establishment_a.siret).is_locked()
    with hash_checks_of() as calls:
        response = login(establishment_a.siret, PASSWORD)
    assert LOCKED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert calls == ["encode"]
