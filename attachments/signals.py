"""A deleted document takes its stored file with it, once the deletion is committed.

post_delete also fires for the rows removed by a cascade, so deleting an
establishment removes its files too. Deleting on commit means a rolled-back
deletion keeps its file.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Attachment, PendingUpload, QuestionTemplate
from .services import discard_stored_files


@receiver(post_delete, sender=Attachment, dispatch_uid="attachments_delete_file")
@receiver(post_delete, sender=QuestionTemplate, dispatch_uid="templates_delete_file")
@receiver(post_delete, sender=PendingUpload, dispatch_uid="pending_uploads_delete_file")
def delete_stored_file(sender, instance, using, **kwargs):
    if instance.file.name:
        transaction.on_commit(partial(discard_stored_files, [instance.file.name]), using=using)
