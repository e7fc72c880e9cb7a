from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import OutboxMessage


def backoff(retries: int) -> int:
    """1, 2, 4 … minutes, at most an hour (retry_backoff only applies to autoretry_for)."""
    return min(3600, 60 * 2**retries)


@shared_task(bind=True, max_retries=7)
def deliver_message(self, message_id: int) -> None:
    try:
        services.deliver(message_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task
def requeue_pending(older_than_seconds: int = 120, stale_after_seconds: int | None = None) -> int:
    """Enqueue again the messages the broker never got, or whose retries ran out.

    A message attempted recently waits for its own task's retry (back-off):
    it is only taken again an hour after its last attempt. A claim older
    than `stale_after_seconds` (services.CLAIM_TIMEOUT by default; SMTP gives
    up after 30 s) is a worker that died while sending: that message is
    pending again, the one case where it may be sent twice rather than lost.
    """
    now = timezone.now()
    an_hour_ago = now - timedelta(hours=1)
    stale = (
        services.CLAIM_TIMEOUT
        if stale_after_seconds is None
        else timedelta(seconds=stale_after_seconds)
    )
    stale_claims = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.SENDING, last_attempt_at__lte=now - stale
        ).values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=stale_claims, status=OutboxMessage.Status.SENDING).update(
        status=OutboxMessage.Status.PENDING
    )
    never_enqueued = Q(attempts=0, created_at__lte=now - timedelta(seconds=older_than_seconds))
    retries_ran_out = Q(attempts__gt=0, last_attempt_at__lte=an_hour_ago)
    ids = list(
        OutboxMessage.objects.filter(
            never_enqueued | retries_ran_out | Q(pk__in=stale_claims),
            status=OutboxMessage.Status.PENDING,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        services.enqueue_delivery(message_id)
    return len(ids)


@shared_task
def purge_sent() -> int:
    """Delete sent messages past OUTBOX_RETENTION_DAYS (beat: daily)."""
    return services.purge_sent()
