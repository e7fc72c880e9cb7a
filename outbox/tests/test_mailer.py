"""The outbox is the default mailer: a message sent is a row of the transaction that sends it."""

import logging

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, mail_admins, send_mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from outbox.models import OutboxMessage
from outbox.services import send_templated_email


def message(to="someone@example.fr"):
    return EmailMessage("Objet", "Texte", "tmspros@example.fr", [to])


@pytest.mark.django_db(transaction=True)
def test_sending_outside_a_transaction_is_refused_with_the_reason():
    with pytest.raises(transaction.TransactionManagementError) as refused:
        message().send()
    assert "in the transaction that causes them" in str(refused.value)
    assert "transaction.atomic()" in str(refused.value)
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        message().send()
        raise RuntimeError("the request failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_message_is_a_row_of_its_transaction_delivered_after_the_commit():
    with transaction.atomic():
        message().send()
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
        assert mail.outbox == [], "nothing leaves before the commit"
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert [m.sent_using for m in mail.outbox] == ["delivery"]


def test_send_mail_and_mail_admins_go_through_the_outbox(
    db, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = ["equipe@tmspros.example.fr"]
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Bonjour", "Texte", None, ["a@example.fr"])
        mail_admins("Alerte", "Quelque chose ne va pas")
        assert OutboxMessage.objects.count() == 2
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["a@example.fr"], ["equipe@tmspros.example.fr"]]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_error_reports_go_straight_to_the_delivery_mailer(settings):
    # The failed request's transaction is rolled back: there is none to write a row in.
    settings.ADMINS = ["equipe@tmspros.example.fr"]
    logging.getLogger("django.request").error("Internal Server Error: /boom")
    assert not OutboxMessage.objects.exists()
    assert [(m.to, m.sent_using) for m in mail.outbox] == [
        (["equipe@tmspros.example.fr"], "delivery")
    ]


def test_the_delivered_message_keeps_its_html_copies_and_headers(
    db, django_capture_on_commit_callbacks
):
    original = EmailMultiAlternatives(
        "Objet",
        "Texte",
        "tmspros@example.fr",
        ["a@example.fr"],
        cc=["b@example.fr"],
        bcc=["c@example.fr"],
        reply_to=["d@example.fr"],
        headers={"X-TmsPros": "étape 1"},
    )
    original.attach_alternative("<p>Texte</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        original.send()
    [delivered] = mail.outbox
    assert (delivered.subject, delivered.body, delivered.from_email) == (
        "Objet",
        "Texte",
        "tmspros@example.fr",
    )
    assert (delivered.to, delivered.cc, delivered.bcc, delivered.reply_to) == (
        ["a@example.fr"],
        ["b@example.fr"],
        ["c@example.fr"],
        ["d@example.fr"],
    )
    assert list(delivered.alternatives[0]) == ["<p>Texte</p>", "text/html"]
    assert delivered.extra_headers["X-TmsPros"] == "étape 1"


def test_a_message_with_an_attachment_is_refused_rather_than_sent_without_it(db):
    with_attachment = message()
    with_attachment.attach("note.txt", "contenu", "text/plain")
    with pytest.raises(ValueError, match="attachments"):
        with_attachment.send()
    assert not OutboxMessage.objects.exists()


def test_plain_text_emails_are_not_html_escaped(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            template="activation",
            to=["a@example.fr"],
            context={
                "identifier": "L'Atelier & Fils",
                "activation_url": "http://x/?a=1&b=2",
                "validity_days": 14,
            },
        )
    message = mail.outbox[0]
    assert "L'Atelier & Fils" in message.subject
    assert "http://x/?a=1&b=2" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def test_a_password_reset_request_writes_its_email_in_the_request(
    client, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        response = client.post(reverse("account_reset_password"), {"email": establishment_a.siret})
    assert response.status_code == 302
    row = OutboxMessage.objects.get()
    assert row.to == [establishment_a.account.email]
    assert "/compte/password/reset/key/" in row.body
    assert mail.outbox == [], "delivered after the commit only"
    for callback in on_commit:
        callback()
    assert [m.to for m in mail.outbox] == [[establishment_a.account.email]]


def test_allauths_own_emails_go_through_the_outbox(
    establishment_a, django_capture_on_commit_callbacks
):
    browser = Client()
    browser.post(reverse("account_login"), {"login": establishment_a.siret, "password": PASSWORD})
    new_password = "Nouveau-Passe-2026!"
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
        )
    assert response.status_code == 302
    row = OutboxMessage.objects.get()
    assert row.subject == "Votre mot de passe TMS Pros a été modifié"
    assert row.status == OutboxMessage.Status.SENT
    assert [m.subject for m in mail.outbox] == [row.subject]
