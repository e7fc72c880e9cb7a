""" "Identifiant" takes a SIRET or an e-mail address: representatives (and staff) log in
with their address, under the same lockout and reset rules as a SIRET."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import LoginLock
from accounts.services import lock_identifier
from conftest import PASSWORD

LOGIN_URL = reverse("account_login")
NEW_PASSWORD = "Nouveau-Passe-2026!"


def login(client, identifier, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"login": identifier, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("  CSE.Alpha@Example.FR ", "cse.alpha@example.fr"),
        ("732 829 320 00074", "73282932000074"),
        ("732.829.320.00074", "73282932000074"),
    ],
)
def test_the_identifier_is_normalised_the_same_way_everywhere(typed, key):
    assert lock_identifier(typed) == key


def test_a_representative_logs_in_with_their_address_typed_any_case(
    client, establishment_a, representative_a
):
    response = login(client, "  CSE.Alpha@Example.fr ", PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.wsgi_request.user == representative_a
    assert home.wsgi_request.establishment == establishment_a


def test_the_login_page_keeps_its_labels_and_says_the_field_takes_an_address(db):
    html = unescape(Client().get(LOGIN_URL).content.decode())
    assert re.search(r"<label[^>]*>\s*Identifiant\s*</label>", html)
    assert re.search(r"<label[^>]*>\s*Mot de passe\s*</label>", html)
    assert "ou votre adresse e-mail pour les représentants du personnel" in html


def test_a_siret_still_logs_in(client, establishment_a, representative_a):
    assert login(client, establishment_a.siret, PASSWORD).status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == establishment_a.account


def test_three_wrong_passwords_lock_an_email_identifier_however_it_is_typed(
    representative_a,
):
    login(Client(), "cse.alpha@example.fr", "Faux-1!aaaa", ip="10.0.0.1")
    login(Client(), "CSE.ALPHA@example.fr", "Faux-2!aaaa", ip="10.0.0.2")
    third = login(Client(), " Cse.Alpha@Example.Fr", "Faux-3!aaaa", ip="10.0.0.3")
    assert "Votre compte est bloqué. Veuillez réessayer dans 15 min." in unescape(
        third.content.decode()
    )
    assert LoginLock.objects.get(identifier="cse.alpha@example.fr").is_locked()
    # Locked: the right password does not get in either, in any case.
    client = Client()
    response = login(client, "cse.alpha@example.fr", PASSWORD, ip="10.0.0.4")
    assert "Votre compte est bloqué" in unescape(response.content.decode())
    assert not client.get(reverse("account")).wsgi_request.user.is_authenticated


def test_a_representative_resets_their_password_by_their_address(
    client, representative_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "CSE.Alpha@example.fr"})
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["cse.alpha@example.fr"]
    link = re.search(r"https?://\S+/compte/password/reset/key/\S+", message.body).group(0)
    form = client.get(link.replace("http://localhost:8000", ""))
    assert form.status_code == 302
    done = client.post(form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    representative_a.refresh_from_db()
    assert representative_a.check_password(NEW_PASSWORD)
    assert login(Client(), "cse.alpha@example.fr", NEW_PASSWORD).status_code == 302


def test_a_reset_lifts_the_lock_of_an_email_identifier(
    representative_a, django_capture_on_commit_callbacks, mailoutbox
):
    for attempt in range(3):
        login(Client(), "cse.alpha@example.fr", f"Faux-{attempt}!aaaa")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "cse.alpha@example.fr"})
    link = re.search(r"https?://\S+/compte/password/reset/key/\S+", mailoutbox[-1].body).group(0)
    form = client.get(link.replace("http://localhost:8000", ""))
    client.post(form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not LoginLock.objects.filter(identifier="cse.alpha@example.fr").exists()
    assert login(Client(), "cse.alpha@example.fr", NEW_PASSWORD).status_code == 302
