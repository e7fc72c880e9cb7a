"""Delivery: claimed once, sent once, retried when SMTP fails, requeued when the broker is down."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conftest import unreachable_broker
from outbox.models import OutboxMessage
from outbox.services import deliver
from outbox.tasks import requeue_pending

LOCMEM = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
# Nothing listens on port 1: the connection is refused at once.
SMTP_DOWN = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
}


def send_without_delivery():
    """A message whose delivery the broker never got (on-commit callbacks do not run)."""
    with transaction.atomic():
        EmailMessage("Objet", "Texte", "tmspros@example.fr", ["a@example.fr"]).send()
    return OutboxMessage.objects.get()


def test_a_message_is_delivered_once_even_when_deliver_runs_twice(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        EmailMessage("Objet", "Texte", "tmspros@example.fr", ["a@example.fr"]).send()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.SENT
    assert deliver(row.pk) is False
    assert len(mail.outbox) == 1


class SecondWorkerMeanwhile(LocmemBackend):
    """While the first worker talks to the SMTP server, a second one runs the same task."""

    second_worker_sent = None

    def send_messages(self, messages):
        type(self).second_worker_sent = deliver(OutboxMessage.objects.get().pk)
        return super().send_messages(messages)


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(db, settings):
    row = send_without_delivery()
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {"BACKEND": f"{__name__}.SecondWorkerMeanwhile"},
    }
    assert deliver(row.pk) is True
    assert SecondWorkerMeanwhile.second_worker_sent is False
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_smtp_down_keeps_the_message_pending_with_the_error_and_the_page_answers(
    client, establishment_a, settings
):
    settings.MAILERS = {**settings.MAILERS, "delivery": SMTP_DOWN}
    response = client.post(reverse("account_reset_password"), {"email": establishment_a.siret})
    assert response.status_code == 302
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING
    # Eager Celery (tests, development) runs the retries at once; a worker spaces them.
    assert row.attempts >= 1 and row.last_attempt_at is not None
    assert "Connection refused" in row.last_error
    assert mail.outbox == []

    settings.MAILERS = {**settings.MAILERS, "delivery": LOCMEM}
    assert deliver(row.pk) is True
    row.refresh_from_db()
    assert (row.status, row.last_error) == (OutboxMessage.Status.SENT, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_unreachable_the_page_answers_and_requeue_sends_later(
    client, establishment_a
):
    with unreachable_broker():
        response = client.post(reverse("account_reset_password"), {"email": establishment_a.siret})
        assert response.status_code == 302
        row = OutboxMessage.objects.get()
        assert (row.status, row.attempts) == (OutboxMessage.Status.PENDING, 0)
        assert requeue_pending(older_than_seconds=0) == 1, "still down: tried, kept"
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.PENDING
    assert mail.outbox == []

    assert requeue_pending(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    assert [m.to for m in mail.outbox] == [[establishment_a.account.email]]


def test_requeue_command_counts(db):
    send_without_delivery()
    out = io.StringIO()
    call_command("requeue_outbox", "--older-than", "0", stdout=out)
    assert "1 courriel(s) remis en file." in out.getvalue()
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_requeue_waits_for_the_broker_to_have_had_its_chance(db):
    send_without_delivery()
    assert requeue_pending() == 0, "a message of the last two minutes is still on its way"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert requeue_pending() == 1


def test_requeue_leaves_recent_failures_to_their_own_retry(db):
    row = send_without_delivery()
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=1, last_attempt_at=timezone.now())
    assert requeue_pending(older_than_seconds=0) == 0
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert requeue_pending(older_than_seconds=0) == 1
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_an_hour(db):
    row = send_without_delivery()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxMessage.Status.SENDING, attempts=1, last_attempt_at=timezone.now()
    )
    assert requeue_pending(older_than_seconds=0) == 0, "maybe still sending"
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert requeue_pending(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_is_failed_and_left_alone(db, settings):
    from outbox.services import MAX_ATTEMPTS

    row = send_without_delivery()
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)
    settings.MAILERS = {**settings.MAILERS, "delivery": SMTP_DOWN}
    with pytest.raises(ConnectionRefusedError):
        deliver(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.FAILED, MAX_ATTEMPTS)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert requeue_pending(older_than_seconds=0) == 0
