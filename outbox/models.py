from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.utils.html import strip_tags


def addresses(values) -> list[str]:
    """Addresses as JSON can hold them (settings.ADMINS may hold lazy strings)."""
    return [str(value) for value in values]


class OutboxMessage(models.Model):
    """An e-mail waiting to be delivered, saved in the transaction that caused it.

    Written by the default mailer (outbox.backends.OutboxBackend) with the data
    that justifies it; its delivery is enqueued on commit. A rolled-back
    transaction leaves no row and sends nothing; a broker outage leaves a
    pending row that `requeue_outbox` enqueues again; the task claims the row
    (pending → sending) before sending, so a message is never sent twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "En échec"

    subject = models.CharField("objet", max_length=998)
    body = models.TextField("texte")
    html_body = models.TextField("HTML", blank=True)
    from_email = models.CharField("expéditeur", max_length=254)
    to = models.JSONField("destinataires")
    cc = models.JSONField("copie", default=list, blank=True)
    bcc = models.JSONField("copie cachée", default=list, blank=True)
    reply_to = models.JSONField("répondre à", default=list, blank=True)
    headers = models.JSONField("en-têtes", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    last_attempt_at = models.DateTimeField("dernière tentative", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @classmethod
    def from_email_message(cls, message) -> "OutboxMessage":
        """An unsaved row holding `message` (an EmailMessage or EmailMultiAlternatives).

        The outbox carries text, an HTML part and headers; a message with
        attachments is refused rather than delivered without them.
        """
        if message.attachments:
            raise ValueError("The outbox does not carry attachments.")
        body, html_body = str(message.body), ""
        for content, mimetype in getattr(message, "alternatives", None) or []:
            if mimetype != "text/html":
                raise ValueError(f"The outbox carries no {mimetype} alternative.")
            html_body = str(content)
        if message.content_subtype == "html":  # an HTML body: its text is the plain part
            body, html_body = strip_tags(body), html_body or body
        return cls(
            subject=str(message.subject),
            body=body,
            html_body=html_body,
            from_email=str(message.from_email),
            to=addresses(message.to),
            cc=addresses(message.cc),
            bcc=addresses(message.bcc),
            reply_to=addresses(message.reply_to),
            headers={str(name): str(value) for name, value in message.extra_headers.items()},
        )

    def to_email_message(self) -> EmailMultiAlternatives:
        """The message as it was sent to the outbox, for the delivery mailer."""
        message = EmailMultiAlternatives(
            self.subject,
            self.body,
            self.from_email,
            self.to,
            cc=self.cc,
            bcc=self.bcc,
            reply_to=self.reply_to,
            headers=self.headers,
        )
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        return message
