"""Sent messages are purged after OUTBOX_RETENTION_DAYS; those still owed never are."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.tasks import purge_sent


def row(subject, status, days_ago):
    message = OutboxMessage.objects.create(
        subject=subject,
        body="Texte",
        from_email="tmspros@example.fr",
        to=["a@example.fr"],
        status=status,
        sent_at=(
            timezone.now() - timedelta(days=days_ago)
            if status == OutboxMessage.Status.SENT
            else None
        ),
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return message


def messages_of_all_ages():
    row("sent long ago", OutboxMessage.Status.SENT, 91)
    row("sent recently", OutboxMessage.Status.SENT, 89)
    row("pending long ago", OutboxMessage.Status.PENDING, 200)
    row("failed long ago", OutboxMessage.Status.FAILED, 200)


def subjects():
    return set(OutboxMessage.objects.values_list("subject", flat=True))


def test_purge_outbox_deletes_sent_messages_past_retention_only(db, settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    messages_of_all_ages()
    out = io.StringIO()
    call_command("purge_outbox", stdout=out)
    assert "1 courriels envoyés depuis plus de 90 jours supprimés." in out.getvalue()
    assert subjects() == {"sent recently", "pending long ago", "failed long ago"}


def test_purge_outbox_dry_run_counts_and_deletes_nothing(db, settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    messages_of_all_ages()
    out = io.StringIO()
    call_command("purge_outbox", "--dry-run", stdout=out)
    assert "2 courriels envoyés depuis plus de 30 jours à supprimer." in out.getvalue()
    assert len(subjects()) == 4


def test_beat_purges_the_outbox_daily(db, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-outbox"]
    assert entry == {"task": "outbox.tasks.purge_sent", "schedule": 24 * 3600.0}
    messages_of_all_ages()
    assert purge_sent.delay().get() == 1
    assert "sent long ago" not in subjects()
