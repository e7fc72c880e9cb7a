"""The workflows of documents: who may read one, checking and storing uploads, deleting.

Uploads are checked whole before anything is stored (content, size, quota,
antivirus), so that a refused file stores nothing; a failure while storing
removes what was already stored; deletions of stored files happen on commit
(see signals.py). `purge_orphan_files` (a command of the same name, and the
Celery task attachments.tasks.purge_orphan_files for beat) is the backstop
for the one case no hook can see: a transaction rolled back after the files
were written.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from profiles.models import visibility

from . import clamav
from .models import Attachment, PendingUpload, QuestionTemplate
from .validators import clean_filename, detect_kind, refuse

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
# A file kept from a step form refused for another reason waits this long to
# be saved with the form; then purge_orphan_files discards it.
PENDING_UPLOAD_LIFETIME = timedelta(hours=24)


# --- Reading -----------------------------------------------------------------


def attachment_for_user(user, pk) -> Attachment | None:
    """The one access path to a document: None when it is missing or not readable."""
    allowed = visibility(user, prefix="establishment__")
    if allowed is None:
        return None
    return (
        Attachment.objects.filter(allowed, pk=pk)
        .select_related("establishment", "question")
        .first()
    )


def used_bytes(establishment) -> int:
    return (
        Attachment.objects.filter(establishment=establishment).aggregate(total=Sum("size"))["total"]
        or 0
    )


def limits_text() -> str:
    return (
        f"Formats acceptés : PDF, Word, Excel, PowerPoint, OpenDocument, CSV, TXT, JPEG, PNG. "
        f"{settings.ATTACHMENT_MAX_FILE_MB} Mo maximum par fichier, "
        f"{settings.ATTACHMENT_MAX_TOTAL_MB} Mo au total pour l'établissement."
    )


# --- Checking ----------------------------------------------------------------


def inspect_upload(uploaded_file) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload.

    Otherwise a French ValidationError naming the file and the reason.
    """
    name = clean_filename(uploaded_file.name)
    max_bytes = settings.ATTACHMENT_MAX_FILE_MB * MEGABYTE
    if uploaded_file.size > max_bytes:
        raise refuse(
            name, f"le fichier dépasse la taille maximale de {settings.ATTACHMENT_MAX_FILE_MB} Mo."
        )
    _kind, content_type = detect_kind(uploaded_file, name)
    scan_for_viruses(uploaded_file, name)
    return name, content_type


def scan_for_viruses(uploaded_file, name: str) -> None:
    """With CLAMAV_URL set, clamd must say the file is clean; unreachable means refused."""
    url = settings.CLAMAV_URL
    if not url:
        return
    try:
        result = clamav.scan(url, uploaded_file)
    except clamav.ScannerUnavailable:
        logger.exception("Antivirus unreachable at %s: upload refused", url)
        raise refuse(
            name,
            "l'analyse antivirus est momentanément indisponible, le fichier n'a pas été "
            "accepté. Réessayez plus tard.",
        ) from None
    if not result.clean:
        logger.warning("Antivirus found %s in an upload", result.signature)
        raise refuse(name, f"l'antivirus a détecté un contenu malveillant ({result.signature}).")


# --- Writing -----------------------------------------------------------------


@dataclass
class Upload:
    """A file that passed the checks, ready to be stored for `question`."""

    question: object
    file: object
    name: str
    content_type: str
    description: str = ""
    pending: PendingUpload | None = None  # a kept file: stored, it is no longer pending


def store_documents(*, establishment, uploads: list[Upload], by) -> list[Attachment]:
    """Store checked uploads as the establishment's documents, inside the caller's transaction.

    The establishment's row is locked first, so that two saves at once sum the
    used space one after the other; beyond the quota, QuotaExceeded is raised
    and nothing is stored. A failure while storing removes what was stored.
    """
    if not uploads:
        return []
    stored, created = [], []
    try:
        with transaction.atomic():
            lock_establishment(establishment)
            message = quota_message(establishment, sum(upload.file.size for upload in uploads))
            if message:
                raise QuotaExceeded(message)
            for upload in uploads:
                attachment = Attachment(
                    establishment=establishment,
                    question=upload.question,
                    original_name=upload.name,
                    description=upload.description[:255],
                    size=upload.file.size,
                    content_type=upload.content_type,
                    uploaded_by=by,
                )
                upload.file.seek(0)
                attachment.file.save(upload.name, upload.file, save=False)
                stored.append(attachment.file.name)
                attachment.save()
                created.append(attachment)
                if upload.pending is not None:
                    upload.file.close()
                    upload.pending.delete()  # its own file goes on commit (signals)
    except Exception:
        discard_stored_files(stored)
        raise
    return created


def pending_uploads(establishment, ids) -> dict[int, list[PendingUpload]]:
    """{question id: the establishment's pending files among `ids`} (posted ids: others ignored)."""
    wanted = set()
    for value in ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < pk < 2**63:
            wanted.add(pk)
    found: dict[int, list[PendingUpload]] = {}
    if wanted:
        for pending in PendingUpload.objects.filter(establishment=establishment, pk__in=wanted):
            found.setdefault(pending.question_id, []).append(pending)
    return found


def storage_errors() -> tuple[type[Exception], ...]:
    """What a storage that does not answer raises: the disk's, or S3's (botocore)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # the object storage's libraries are optional
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


STORAGE_UNAVAILABLE_MESSAGE = (
    "Le stockage des documents ne répond pas pour le moment : rien n'a été enregistré. "
    "Réessayez dans quelques minutes."
)


def keep_pending(*, establishment, question, checked_files, kept_bytes: int = 0):
    """Keep checked files of a refused form for `question`: (kept, not kept).

    They wait at most PENDING_UPLOAD_LIFETIME; together with the documents and
    the other waiting files they stay within the establishment's space (so a
    form refused again and again cannot fill the storage): a file beyond it
    is not kept. `kept_bytes`: files kept by the same form already.
    """
    quota = settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE
    waiting = PendingUpload.objects.filter(establishment=establishment)
    waiting_bytes = waiting.aggregate(total=Sum("size"))["total"] or 0
    room = quota - used_bytes(establishment) - kept_bytes - waiting_bytes
    kept, refused = [], []
    for checked in checked_files:
        size = checked.file.size
        if size > room:
            refused.append(checked)
            continue
        pending = PendingUpload(
            establishment=establishment,
            question=question,
            original_name=checked.name,
            size=size,
            content_type=checked.content_type,
        )
        checked.file.seek(0)
        try:
            pending.file.save(checked.name, checked.file, save=False)
        except storage_errors():  # the storage is down: not kept (the banner names it)
            logger.exception("Storage unavailable: %s not kept", checked.name)
            refused.append(checked)
            continue
        try:
            pending.save()
        except Exception:
            discard_stored_files([pending.file.name])
            raise
        room -= size
        kept.append(pending)
    return kept, refused


class QuotaExceeded(ValidationError):
    """The establishment's documents would take more than its space."""


def lock_establishment(establishment) -> None:
    """Hold the establishment's row until the current transaction ends."""
    from profiles.models import Establishment

    Establishment.objects.select_for_update().only("pk").get(pk=establishment.pk)


def quota_message(establishment, incoming: int) -> str:
    """Why `incoming` more bytes do not fit in the establishment's space ("" when they do)."""
    quota = settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE
    if used_bytes(establishment) + incoming <= quota:
        return ""
    return (
        f"L'espace de {settings.ATTACHMENT_MAX_TOTAL_MB} Mo réservé aux documents de "
        "l'établissement serait dépassé ; supprimez d'anciens documents."
    )


def discard_stored_files(names) -> None:
    """Remove files written for rows that will never exist."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - the sweep will find it
            logger.exception("Could not remove the orphan file %s", name)


def purge_orphan_files(*, older_than=timedelta(hours=1), dry_run: bool = False) -> list[str]:
    """Remove stored files under attachments/ and templates/ that no row refers to.

    Only files older than `older_than`, so that an upload whose transaction is
    still running is left alone. Files kept from a refused step form
    (PendingUpload) are discarded, rows and files, once PENDING_UPLOAD_LIFETIME
    has passed.
    """
    storage = Attachment._meta.get_field("file").storage
    expired = PendingUpload.objects.filter(created_at__lte=timezone.now() - PENDING_UPLOAD_LIFETIME)
    expired_names = list(expired.values_list("file", flat=True))
    if not dry_run:
        with transaction.atomic():
            expired.delete()  # their files go on commit (signals)
    known = (
        set(Attachment.objects.values_list("file", flat=True))
        | set(QuestionTemplate.objects.values_list("file", flat=True))
        | set(PendingUpload.objects.values_list("file", flat=True))
    )
    limit = timezone.now() - older_than
    orphans = [
        name
        for folder in ("attachments", "templates")
        for name, modified in stored_files(storage, folder)
        if name not in known and modified <= limit
    ]
    if not dry_run:
        discard_stored_files(orphans)
    return expired_names + [name for name in orphans if name not in expired_names]


def stored_files(storage, folder: str):
    """(name, last modified) of every file stored under `folder`, at any depth.

    On an object storage, one paginated listing of the prefix gives both (no
    request per folder, none per file); elsewhere, the Storage API's listdir
    and get_modified_time.
    """
    if getattr(storage, "bucket", None) is None:  # not django-storages' S3Storage
        for name in walk(storage, folder):
            yield name, storage.get_modified_time(name)
        return
    prefix = storage.location.strip("/")  # the storage's own folder in the bucket
    root = f"{prefix}/" if prefix else ""
    for summary in storage.bucket.objects.filter(Prefix=f"{root}{folder}/"):
        if not summary.key.endswith("/"):  # a console's "folder" marker is no file
            yield summary.key[len(root) :], summary.last_modified


def walk(storage, folder: str):
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}")
