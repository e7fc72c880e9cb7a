from functools import partial

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.db import transaction

from . import services
from .models import OutboxMessage

OUTSIDE_TRANSACTION = (
    "E-mails are written to the outbox in the transaction that causes them: "
    "wrap this call in transaction.atomic() (requests already run in one, "
    "management commands and Celery tasks must open it)."
)


class OutboxBackend(BaseEmailBackend):
    """The project's default mailer: a message sent is an outbox row, delivered after commit.

    `send_messages` writes one OutboxMessage per message inside the current
    transaction and enqueues its delivery on commit (outbox.services.deliver,
    through the "delivery" mailer, the real one). A rolled-back transaction
    leaves no row and sends nothing. Outside a transaction there is no commit
    to wait for: sending is refused rather than sent before the data that
    justifies it is saved.
    """

    def send_messages(self, email_messages):
        if not transaction.get_connection().in_atomic_block:
            raise transaction.TransactionManagementError(OUTSIDE_TRANSACTION)
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            message.message()  # a bad header fails here, in the request, not at delivery
            row = OutboxMessage.from_email_message(message)
            row.save()
            transaction.on_commit(partial(services.enqueue_delivery, row.pk))
            count += 1
        return count


class ReadableConsoleBackend(DjangoConsoleBackend):
    """Development mail: printed as people read it, links whole.

    Django's console backend prints the MIME source, where long lines (the
    activation and reset links) are cut by quoted-printable encoding.
    """

    def write_message(self, message):
        divider = "-" * 79
        self.stream.write(
            f"{divider}\nDe : {message.from_email}\nÀ : {', '.join(message.to)}\n"
            f"Objet : {message.subject}\n\n{message.body}\n{divider}\n"
        )
