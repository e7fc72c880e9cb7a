from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import OutboxMessage


@shared_task(bind=True, max_retries=7, retry_backoff=True, retry_backoff_max=3600)
def deliver_message(self, message_id: int) -> None:
    try:
        services.deliver(message_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def requeue_pending(older_than_seconds: int = 120) -> int:
    """Enqueue again the messages the broker never got (or whose task died)."""
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, created_at__lte=limit
        ).values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        services.enqueue_delivery(message_id)
    return len(ids)
