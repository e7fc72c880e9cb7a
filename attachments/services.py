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
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from profiles.models import visibility

from . import clamav
from .models import Attachment, QuestionTemplate
from .validators import clean_filename, detect_kind, refuse

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


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


def files_by_question(establishment, questions) -> dict[int, list[Attachment]]:
    """The establishment's documents on `questions`, newest first, in one query."""
    grouped = defaultdict(list)
    if establishment is None:
        return grouped
    ids = [question.pk for question in questions]
    for attachment in Attachment.objects.filter(
        establishment=establishment, question_id__in=ids
    ).select_related("uploaded_by"):
        grouped[attachment.question_id].append(attachment)
    return grouped


def templates_by_question(questions) -> dict[int, list[QuestionTemplate]]:
    """The templates offered on `questions`, in their order, in one query."""
    grouped = defaultdict(list)
    for template in QuestionTemplate.objects.filter(question__in=[q.pk for q in questions]):
        grouped[template.question_id].append(template)
    return grouped


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


def document_questions(step):
    from parcours.models import Question

    return [
        question
        for question in Question.objects.active().filter(block__step=step).order_by("pk")
        if question.accepts_files or question.kind == Question.Kind.DOCUMENTS
    ]


def attach_step_files(*, progress, files, data, by) -> list[Attachment]:
    """Store the files sent with a step, question by question.

    Called by parcours.services.save_step inside its transaction. Every file of
    every question is checked first; any refusal raises
    ValidationError({"files-<code>": [...]}) and nothing is stored.
    """
    if not files:
        return []
    establishment = progress.establishment
    accepted, errors = [], {}
    for question in document_questions(progress.step):
        key = f"files-{question.code}"
        description = (data.get(f"description-{question.code}") or "").strip()[:255]
        for uploaded_file in files.getlist(key):
            try:
                name, content_type = inspect_upload(uploaded_file)
            except ValidationError as error:
                errors.setdefault(key, []).extend(error.messages)
                continue
            accepted.append((question, key, uploaded_file, name, content_type, description))

    if not accepted:
        if errors:
            raise ValidationError(errors)
        return []

    stored, created = [], []
    try:
        with transaction.atomic():
            # Two saves at once would each see the space before the other's
            # files: the establishment's row, locked until the caller's
            # transaction ends, makes them sum the used bytes one after the
            # other. Taken after the (slow) checks above, not before.
            lock_establishment(establishment)
            for key, messages in quota_errors(establishment, accepted).items():
                errors.setdefault(key, []).extend(messages)
            if errors:
                raise ValidationError(errors)
            for question, _key, uploaded_file, name, content_type, description in accepted:
                attachment = Attachment(
                    establishment=establishment,
                    question=question,
                    original_name=name,
                    description=description,
                    size=uploaded_file.size,
                    content_type=content_type,
                    uploaded_by=by,
                )
                uploaded_file.seek(0)
                attachment.file.save(name, uploaded_file, save=False)
                stored.append(attachment.file.name)
                attachment.save()
                created.append(attachment)
    except Exception:
        discard_stored_files(stored)
        raise
    return created


def lock_establishment(establishment) -> None:
    """Hold the establishment's row until the current transaction ends."""
    from profiles.models import Establishment

    Establishment.objects.select_for_update().only("pk").get(pk=establishment.pk)


def quota_errors(establishment, accepted) -> dict[str, list[str]]:
    """Every accepted file refused when together they would exceed the establishment's space."""
    incoming = sum(item[2].size for item in accepted)
    quota = settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE
    errors = {}
    if used_bytes(establishment) + incoming > quota:
        for _question, key, _file, name, _type, _description in accepted:
            errors.setdefault(key, []).append(
                f"« {name} » : l'espace de {settings.ATTACHMENT_MAX_TOTAL_MB} Mo réservé aux "
                "documents de l'établissement serait dépassé ; supprimez d'anciens documents."
            )
    return errors


def discard_stored_files(names) -> None:
    """Remove files written for rows that will never exist."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - the sweep will find it
            logger.exception("Could not remove the orphan file %s", name)


@transaction.atomic
def delete_attachments(*, establishment, ids, by=None) -> list[str]:
    """Delete the establishment's documents `ids`; their files go on commit.

    Returns the names deleted. An id that is not one of the establishment's
    documents raises Attachment.DoesNotExist and deletes nothing.

    Each step that held one of them is changed: its state is computed again
    (a documents-only question may no longer be answered, so the step is no
    longer complete, and completing it again notifies again), its version is
    bumped and, when validated, it is flagged "modifiée depuis la validation".
    """
    from parcours.services import refresh_step_state

    wanted = {int(pk) for pk in ids}
    attachments = list(
        # Only the documents' rows: the joined step is everyone's.
        Attachment.objects.select_for_update(of=("self",))
        .filter(establishment=establishment, pk__in=wanted)
        .select_related("question__block__step")
    )
    if len(attachments) != len(wanted):
        raise Attachment.DoesNotExist
    names = [attachment.original_name for attachment in attachments]
    steps = {
        attachment.question.block.step_id: attachment.question.block.step
        for attachment in attachments
    }
    for attachment in attachments:
        attachment.delete()  # post_delete removes the file on commit
    for _pk, step in sorted(steps.items()):
        refresh_step_state(establishment=establishment, step=step, changed=True, by=by)
    return names


def purge_orphan_files(*, older_than=timedelta(hours=1), dry_run: bool = False) -> list[str]:
    """Remove stored files under attachments/ and templates/ that no row refers to.

    Only files older than `older_than`, so that an upload whose transaction is
    still running is left alone.
    """
    storage = Attachment._meta.get_field("file").storage
    known = set(Attachment.objects.values_list("file", flat=True)) | set(
        QuestionTemplate.objects.values_list("file", flat=True)
    )
    limit = timezone.now() - older_than
    orphans = [
        name
        for folder in ("attachments", "templates")
        for name in walk(storage, folder)
        if name not in known and storage.get_modified_time(name) <= limit
    ]
    if not dry_run:
        discard_stored_files(orphans)
    return orphans


def walk(storage, folder: str):
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from walk(storage, f"{folder}/{directory}")
