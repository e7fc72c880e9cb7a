import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent, User
from accounts.services import send_activation_email
from profiles.models import Caisse, Establishment, Membership

NEW_PASSWORD = "Premier-Passe-2026!"


def new_account(db_siret="73282932000074"):
    user = User.objects.create_user(username=db_siret, email="direction@alpha.example.fr")
    establishment = Establishment.objects.create(
        siret=db_siret,
        name="Ateliers Alpha",
        caisse=Caisse.objects.get_or_create(code="CRAMIF")[0],
    )
    Membership.objects.create(
        establishment=establishment, user=user, role=Membership.Role.ESTABLISHMENT
    )
    return user


def activation_path(message):
    url = re.search(r"(http://localhost:8000/compte/activer/\S+)", message.body).group(1)
    return url.replace("http://localhost:8000", "")


def choose_password(client, path, password=NEW_PASSWORD, confirm=None):
    response = client.get(path)
    assert response.status_code == 302
    return client.post(
        response["Location"], {"password1": password, "password2": confirm or password}
    )


def test_activation_email_gives_the_identifier_and_a_link_never_a_password(
    db, django_capture_on_commit_callbacks
):
    user = new_account()
    assert not user.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    message = mail.outbox[0]
    assert message.to == ["direction@alpha.example.fr"]
    assert "73282932000074" in message.body
    assert "/compte/activer/" in message.body
    assert "mot de passe :" not in message.body.lower()
    user.refresh_from_db()
    assert user.activation_sent_at is not None


def test_activation_link_sets_the_password_and_logs_in(db, django_capture_on_commit_callbacks):
    user = new_account()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    client = Client()
    response = choose_password(client, activation_path(mail.outbox[0]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.activated_at is not None
    assert user.events.filter(kind=AccountEvent.Kind.ACTIVATED).exists()
    assert client.get(reverse("account")).status_code == 200


def test_activation_link_works_once(db, django_capture_on_commit_callbacks):
    user = new_account()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    path = activation_path(mail.outbox[0])
    choose_password(Client(), path)
    second = Client()
    response = second.get(second.get(path)["Location"])
    assert response.status_code == 400
    assert (
        "Lien d&#x27;activation non valable" in response.content.decode()
        or "non valable" in response.content.decode()
    )


def test_activation_link_expires_after_14_days(db, django_capture_on_commit_callbacks):
    user = new_account()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    path = activation_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=14, hours=2)):
        client = Client()
        assert client.get(client.get(path)["Location"]).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        client = Client()
        assert client.get(client.get(path)["Location"]).status_code == 200


def test_activation_password_follows_the_rules(db, django_capture_on_commit_callbacks):
    user = new_account()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    response = choose_password(Client(), activation_path(mail.outbox[0]), password="ateliersalpha")
    page = response.content.decode()
    assert "au moins une majuscule" in page
    assert "ni votre identifiant (SIRET) ni le nom de votre établissement" in page
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_activation_passwords_must_match(db, django_capture_on_commit_callbacks):
    user = new_account()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation_email(user)
    response = choose_password(
        Client(), activation_path(mail.outbox[0]), confirm="Autre-Passe-2026!"
    )
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()


def test_tampered_activation_link_is_refused(db):
    user = new_account()
    client = Client()
    response = client.get(client.get(f"/compte/activer/{user.pk:x}/abc-123/")["Location"])
    assert response.status_code == 400
