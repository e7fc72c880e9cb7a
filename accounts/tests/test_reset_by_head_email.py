"""'Mot de passe oublié ?' with the head of establishment's "Courriel" of "Mon profil".

The seed's FAQ: the head "sera alors destinataire des messages permettant de
modifier le mot de passe". Same answer as any other request, same rate limits.
"""

import re
from html import unescape

from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import make_establishment

RESET_URL = reverse("account_reset_password")
NEW_PASSWORD = "Nouveau-Passe-2026!"


def ask_reset(value, ip="10.0.0.1"):
    return Client().post(RESET_URL, {"email": value}, REMOTE_ADDR=ip)


def test_head_email_receives_the_link_of_its_establishment(
    establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_reset("Direction-73282932000074@Example.fr ")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [establishment_a.head_email]
    assert establishment_a.siret in message.body
    link = re.search(r"http://localhost:8000(/compte/password/reset/key/\S+)", message.body)
    browser = Client()
    form_url = browser.get(link.group(1))["Location"]
    browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    establishment_a.account.refresh_from_db()
    assert establishment_a.account.check_password(NEW_PASSWORD)


def test_head_email_answer_is_the_same_as_for_an_unknown_address(
    establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        head = ask_reset(establishment_a.head_email)
        unknown = ask_reset("personne@example.fr")
    assert head.status_code == unknown.status_code == 302
    assert head["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_one_head_of_several_establishments_gets_one_message_with_every_identifier(
    db, django_capture_on_commit_callbacks
):
    sirets = ["73282932000074", "55210055400013"]
    for index, siret in enumerate(sirets):
        make_establishment(
            siret=siret,
            name=f"Site {index}",
            caisse_code="CRAMIF",
            head_email="dg@groupe.example.fr",
        )
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset("dg@groupe.example.fr")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dg@groupe.example.fr"]
    assert all(siret in mail.outbox[0].body for siret in sirets)


def test_an_address_both_of_an_account_and_a_head_lists_each_identifier_once(
    db, django_capture_on_commit_callbacks
):
    own = make_establishment(siret="73282932000074", name="Alpha", caisse_code="CRAMIF")
    own.account.email = "dg@groupe.example.fr"
    own.account.save()
    make_establishment(
        siret="55210055400013",
        name="Bêta",
        caisse_code="CRAMIF",
        head_email="dg@groupe.example.fr",
    )
    own.head_email = "dg@groupe.example.fr"
    own.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset("dg@groupe.example.fr")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert len(re.findall(r"/compte/password/reset/key/", body)) == 2


def test_head_email_requests_are_rate_limited_per_address(
    establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(5):
            ask_reset(establishment_a.head_email, ip=f"10.0.2.{attempt}")
    assert len(mail.outbox) == 3


def test_head_email_never_reaches_a_representatives_account(
    establishment_a, representative_a, django_capture_on_commit_callbacks
):
    """The head's address reaches the establishment's own account only."""
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(establishment_a.head_email)
    body = mail.outbox[0].body
    assert representative_a.username not in body
    assert len(re.findall(r"/compte/password/reset/key/", body)) == 1


def test_inactive_account_is_not_reached_through_its_head(
    establishment_a, django_capture_on_commit_callbacks
):
    account = establishment_a.account
    account.is_active = False
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(establishment_a.head_email)
    assert mail.outbox == []


def test_each_page_says_what_each_address_is_for(client, establishment_a):
    client.force_login(establishment_a.account)
    account_page = unescape(client.get(reverse("account")).content.decode())
    assert "Elle reçoit les messages du compte (activation, mot de passe oublié" in account_page
    assert "le courriel du chef d'établissement de « Mon profil »" in account_page
    profile_page = unescape(client.get(reverse("profiles:profile")).content.decode())
    assert "Elle peut aussi recevoir les liens de « Mot de passe oublié ? »" in profile_page
    reset_page = unescape(Client().get(RESET_URL).content.decode())
    assert "le courriel du chef d'établissement indiqué dans « Mon profil »" in reset_page
