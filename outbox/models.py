from django.db import models


class OutboxMessage(models.Model):
    """An e-mail waiting to be delivered, saved in the transaction that caused it.

    The row is written with the data that justifies it; its delivery is
    enqueued on commit. A rolled-back transaction leaves no row and sends
    nothing; a broker outage leaves a pending row that `requeue_outbox`
    enqueues again; the task locks the row, so a message is never sent twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "En échec"

    subject = models.CharField("objet", max_length=998)
    body = models.TextField("texte")
    html_body = models.TextField("HTML", blank=True)
    from_email = models.CharField("expéditeur", max_length=254)
    to = models.JSONField("destinataires")
    reply_to = models.JSONField("répondre à", default=list, blank=True)
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
