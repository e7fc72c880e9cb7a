from celery import shared_task
from django.db.models import F

from outbox.tasks import backoff

from . import emails
from .models import StepProgress


@shared_task(bind=True, max_retries=5)
def send_step_completed(self, progress_id: int, passage: int) -> None:
    """Safe to run twice: the passage is notified once (see emails)."""
    try:
        emails.notify_step_completed(progress_id=progress_id, passage=passage)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task
def notify_pending_completions() -> int:
    """Send the notifications whose task never reached the broker.

    Meant for Celery beat (every few minutes), next to outbox.tasks.requeue_pending.
    """
    pending = StepProgress.objects.filter(notified_count__lt=F("completion_count")).values_list(
        "pk", "completion_count"
    )[:1000]
    sent = 0
    for progress_id, passage in pending:
        sent += emails.notify_step_completed(progress_id=progress_id, passage=passage)
    return sent
