import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# About a day of SMTP outage: the task retries with back-off for two hours,
# then requeue_outbox takes the message again every hour.
MAX_ATTEMPTS = 30


def queue_email(message: EmailMessage) -> OutboxMessage:
    """Save `message` in the outbox and enqueue its delivery after commit."""
    html_body = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html_body = content
    if getattr(message, "content_subtype", "plain") == "html" and not html_body:
        html_body = message.body
    row = OutboxMessage.objects.create(
        subject=message.subject,
        body=message.body,
        html_body=html_body,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        reply_to=list(message.reply_to or []),
    )
    transaction.on_commit(lambda: enqueue_delivery(row.pk))
    return row


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template, not HTML-escaped ("L'Atelier & Fils", not "L&#x27;Atelier &amp; Fils")."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_templated_email(
    *, template: str, to: list[str], context: dict, reply_to=None
) -> OutboxMessage:
    """Render templates/emails/<template>_{subject.txt,body.txt,body.html} and queue it."""
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
    return queue_email(message)


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
    """Send one pending message exactly once. Returns True when it was sent now."""
    from django.utils import timezone

    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if row is None or row.status != OutboxMessage.Status.PENDING:
            return False
        message = EmailMultiAlternatives(
            row.subject,
            row.body,
            row.from_email,
            row.to,
            reply_to=row.reply_to or None,
        )
        if row.html_body:
            message.attach_alternative(row.html_body, "text/html")
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        error = None
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - recorded, then re-raised for the retry
            error = exc
            row.last_error = repr(exc)
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxMessage.Status.FAILED
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
        else:
            row.status = OutboxMessage.Status.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(
                update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"]
            )
    if error is not None:
        raise error
    return True
