"""Periodic work of the attachments app (scheduled in tmspros.settings' beat)."""

from celery import shared_task

from . import services


@shared_task(name="attachments.tasks.purge_orphan_files")
def purge_orphan_files() -> int:
    """Remove stored files that no row refers to (see services.purge_orphan_files).

    The files of an upload whose transaction was rolled back after they were
    written: no hook sees them, this sweep does. Returns how many were removed.
    """
    return len(services.purge_orphan_files())
