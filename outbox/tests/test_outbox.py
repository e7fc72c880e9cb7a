from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from outbox.models import OutboxMessage
from outbox.services import deliver, queue_email
from outbox.tasks import requeue_pending


def message(to="someone@example.fr"):
    return EmailMessage("Objet", "Texte", "tmspros@example.fr", [to])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(message())
        raise RuntimeError("the request failed")
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_after_commit_only():
    with transaction.atomic():
        queue_email(message())
        assert mail.outbox == [], "nothing leaves before the commit"
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_broker_outage_keeps_the_message_for_later():
    with (
        mock.patch(
            "outbox.tasks.deliver_message.apply_async", side_effect=ConnectionError("redis down")
        ),
        transaction.atomic(),
    ):
        queue_email(message())
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING
    assert mail.outbox == []
    requeue_pending(older_than_seconds=0)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_a_message_is_delivered_once_even_if_the_task_runs_twice(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_email(message())
    assert deliver(row.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_delivery_is_recorded_and_retried(db, django_capture_on_commit_callbacks):
    row = queue_email(message())
    smtp_down = mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down"))
    with smtp_down, pytest.raises(OSError):
        deliver(row.pk)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.PENDING
    assert row.attempts == 1
    assert "smtp down" in row.last_error
    assert deliver(row.pk) is True
    assert len(mail.outbox) == 1


def test_requeue_command_counts(db, capsys):
    from django.core.management import call_command

    queue_email(message())
    call_command("requeue_outbox", "--older-than", "0")
    assert "1 courriel(s) remis en file." in capsys.readouterr().out


def test_plain_text_emails_are_not_html_escaped(db, django_capture_on_commit_callbacks):
    from outbox.services import send_templated_email

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


@pytest.mark.django_db(transaction=True)
def test_requeue_leaves_recent_failures_to_their_own_retry():
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with mock.patch(
        "outbox.tasks.deliver_message.apply_async", side_effect=ConnectionError("down")
    ):
        with transaction.atomic():
            row = queue_email(message())
        OutboxMessage.objects.filter(pk=row.pk).update(attempts=1, last_attempt_at=timezone.now())
        assert requeue_pending(older_than_seconds=0) == 0
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert requeue_pending(older_than_seconds=0) == 1
