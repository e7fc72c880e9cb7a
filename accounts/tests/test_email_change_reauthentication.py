"""Adding a new address on "Mon compte" asks for the current password first;
the change then goes on as before and the old address is told."""

import re

from allauth.account.models import EmailAddress
from django.urls import reverse

from conftest import PASSWORD


def test_adding_an_address_asks_for_the_password_and_adds_nothing_before(client_a, establishment_a):
    response = client_a.post(
        reverse("account_email"), {"action_add": "", "email": "pirate@example.fr"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="pirate@example.fr").exists()
    page = client_a.get(response["Location"]).content.decode()
    assert "saisissez à nouveau votre mot de passe" in page


def test_a_wrong_password_changes_nothing(client_a, establishment_a):
    client_a.post(reverse("account_email"), {"action_add": "", "email": "pirate@example.fr"})
    client_a.post(reverse("account_reauthenticate"), {"password": "pas le bon"})
    client_a.post(reverse("account_email"), {"action_add": "", "email": "pirate@example.fr"})
    assert not EmailAddress.objects.filter(email="pirate@example.fr").exists()


def test_after_the_password_the_change_is_confirmed_and_the_old_address_told(
    client_a, establishment_a, mailoutbox, django_capture_on_commit_callbacks
):
    old = establishment_a.account.email
    client_a.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("account_email"), {"action_add": "", "email": "nouvelle@alpha.example.fr"}
        )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(email="nouvelle@alpha.example.fr").exists()
    link = re.search(r"https?://[^/\s]+(/compte/confirm-email/\S+)", mailoutbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(link)
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.email == "nouvelle@alpha.example.fr"
    assert any(old in message.to for message in mailoutbox)
