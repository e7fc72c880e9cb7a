"""The outbox's work: templated e-mails, delivery, retention.

Sending is Django's: the default mailer is outbox.backends.OutboxBackend,
which writes the row in the current transaction and enqueues `deliver` on
commit. `deliver` sends through the "delivery" mailer, built from EMAIL_URL.
"""

import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError
from django.db.models import F, QuerySet
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# The MAILERS entry that really sends (SMTP, console or file, from EMAIL_URL).
DELIVERY_MAILER = "delivery"

# About a day of SMTP outage: the task retries with back-off for two hours,
# then requeue_outbox takes the message again every hour.
MAX_ATTEMPTS = 30

# A claim (status "sending") older than this is a worker that died while
# sending: requeue_outbox gives the message back. The SMTP mailer's timeout is
# 30 s per exchange and a delivery has about six of them: a live worker never
# holds a claim that long.
CLAIM_TIMEOUT = timedelta(minutes=15)


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template, not HTML-escaped ("L'Atelier & Fils", not "L&#x27;Atelier &amp; Fils")."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_templated_email(*, template: str, to: list[str], context: dict, reply_to=None) -> None:
    """Render templates/emails/<template>_{subject.txt,body.txt,body.html} and send it.

    It goes through the default mailer, the outbox: call it inside the
    transaction that causes the e-mail.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_text(f"emails/{template}_subject.txt", context).split())
    body = render_text(f"emails/{template}_body.txt", context)
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, reply_to=reply_to
    )
    try:
        html = render_to_string(f"emails/{template}_body.html", context)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = None
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def enqueue_delivery(message_id: int) -> None:
    """Hand the message to Celery; a broker outage only delays it (requeue_outbox)."""
    from .tasks import deliver_message

    try:
        deliver_message.apply_async((message_id,), retry=False)
    except Exception:  # noqa: BLE001 - broker down: the row stays pending
        logger.warning(
            "Outbox: broker unavailable, message %s stays pending", message_id, exc_info=True
        )


def deliver(message_id: int) -> bool:
    """Send one pending message once. Returns True when it was sent now.

    The row is claimed by a conditional UPDATE (pending → sending), the same
    on SQLite and PostgreSQL: of two runs for one message, one claims it and
    the other finds nothing to do. Each statement commits on its own, so the
    SMTP conversation holds no lock and nothing rolls back after sending. A
    failure puts the row back to pending (failed after MAX_ATTEMPTS), with the
    error, and is raised for the retry. The one duplicate left: a worker that
    dies after the SMTP server accepted the message and before "sent" is
    recorded; its claim is given back after CLAIM_TIMEOUT (README, E-mails).
    """
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING
    ).update(
        status=OutboxMessage.Status.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=timezone.now(),
    )
    if not claimed:
        return False
    row = OutboxMessage.objects.get(pk=message_id)
    try:
        row.to_email_message().send(using=DELIVERY_MAILER)
    except Exception as exc:
        given_up = row.attempts >= MAX_ATTEMPTS
        _record(
            message_id,
            status=OutboxMessage.Status.FAILED if given_up else OutboxMessage.Status.PENDING,
            last_error=describe(exc),
        )
        if given_up:
            logger.error(
                "Outbox: message %s failed after %s attempts: %r", message_id, row.attempts, exc
            )
        raise
    _record(message_id, status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def describe(exc: Exception) -> str:
    """The error as the national team reads it in the outbox admin ("550 5.7.1 …")."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"[:2000]
    return repr(exc)[:2000]


def _record(message_id: int, **values) -> None:
    """Write the outcome of a delivery, retried when the database is busy.

    The message has left (or failed to) already: losing this write would
    leave it "sending" until its claim times out, and then send it again.
    """
    for attempt in range(5):
        try:
            OutboxMessage.objects.filter(pk=message_id).update(**values)
            return
        except OperationalError:
            if attempt == 4:
                logger.exception("Outbox: outcome of message %s not recorded", message_id)
                raise
            time.sleep(0.2 * 2**attempt)


def sent_past_retention() -> QuerySet[OutboxMessage]:
    """Sent messages older than OUTBOX_RETENTION_DAYS (their links expired long ago).

    Pending, sending and failed messages are never purged: they are still owed.
    """
    limit = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT, sent_at__lt=limit)


def purge_sent() -> int:
    """Delete the sent messages past retention; returns how many."""
    count, _ = sent_past_retention().delete()
    return count
