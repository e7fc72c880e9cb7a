"""A deleted news item or document takes its stored files with it, once the deletion is committed."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from attachments.services import discard_stored_files

from .models import Document, NewsItem


@receiver(post_delete, sender=NewsItem, dispatch_uid="news_delete_files")
@receiver(post_delete, sender=Document, dispatch_uid="documentation_delete_file")
def delete_stored_files(sender, instance, using, **kwargs):
    names = [
        field_file.name
        for field_file in (
            (instance.image, instance.document) if sender is NewsItem else (instance.file,)
        )
        if field_file.name
    ]
    if names:
        transaction.on_commit(partial(discard_stored_files, names), using=using)
