"""The caisse's review of an establishment's step: its comments, validation, send back.

Each workflow locks the step's progress row, writes, and tells the
establishment through the outbox in the same transaction. Who may call them
is checked by the caller (the back office's views, with the "Préventeurs"
group's permissions and the one visibility rule).
"""

from django.db import transaction
from django.utils import timezone

from tmspros.text import clean_text, same_text

from . import emails, versions
from .models import Comment, StepProgress, StepValidation
from .services import compute_status, locked_progress
from .steps import load_step

MAX_LENGTH = 5000  # as the comments of the step page (parcours.forms.COMMENT_MAX_LENGTH)


class ReviewError(Exception):
    """The action does not apply to the step in its current state (a French message)."""


def _checked_text(text: str, what: str) -> str:
    text = clean_text(text, multiline=True)
    if len(text) > MAX_LENGTH:
        raise ReviewError(f"{what} est trop long ({MAX_LENGTH} caractères au plus).")
    return text


@transaction.atomic
def save_caisse_comments(*, establishment, step, texts: dict, by) -> list:
    """Store the caisse's comments of a step: {block id: text}, one new version per change.

    Blocks of other steps are ignored. The establishment receives one e-mail
    naming the blocks commented and quoting them. Returns the new Comments.
    """
    texts = {pk: _checked_text(text, "Ce commentaire") for pk, text in texts.items()}
    progress = locked_progress(establishment, step)
    data = load_step(establishment, step, progress=progress)
    created = []
    for block in data.blocks:
        if block.block.pk not in texts:
            continue
        text = (texts[block.block.pk] or "").strip()
        current = block.current(Comment.Voice.CAISSE)
        if same_text(current.text if current else "", text, multiline=True):
            continue
        created.append(
            Comment.objects.create(
                establishment=establishment,
                block=block.block,
                voice=Comment.Voice.CAISSE,
                text=text,
                author=by,
            )
        )
    written = [c for c in created if c.text]
    if written:
        emails.caisse_commented(
            progress,
            comments=[{"block_title": c.block.title, "text": c.text} for c in written],
        )
    return created


@transaction.atomic
def validate_step(*, progress: StepProgress, by) -> StepValidation:
    """Validate the step as it is now: its state is stored (the snapshot)."""
    progress = locked_progress(progress.establishment, progress.step)
    if progress.is_validated and not progress.modified_since_validation:
        raise ReviewError("Cette étape est déjà validée.")
    if not progress.may_be_validated:
        raise ReviewError("Seule une étape complète peut être validée.")
    data = load_step(progress.establishment, progress.step, progress=progress)
    validation = StepValidation.objects.create(
        progress=progress, validated_by=by, state=versions.state_of(data)
    )
    progress.validation = validation
    progress.validated_at, progress.validated_by = validation.validated_at, by
    progress.modified_since_validation = False
    _clear_sent_back(progress)
    progress.status = StepProgress.Status.VALIDATED
    progress.save()
    emails.step_validated(progress)
    return validation


@transaction.atomic
def withdraw_validation(*, progress: StepProgress, by, reason: str) -> StepValidation:
    """Withdraw the step's validation, for a reason the establishment is told."""
    reason = _checked_text(reason, "Le motif")
    if not reason:
        raise ReviewError("Indiquez le motif du retrait de la validation.")
    progress = locked_progress(progress.establishment, progress.step)
    if not progress.is_validated:
        raise ReviewError("Cette étape n'est pas validée.")
    validation = progress.validation
    if validation is not None:
        validation.withdrawn_at, validation.withdrawn_by = timezone.now(), by
        validation.withdrawal_reason = reason
        validation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    progress.validation = None
    progress.validated_at = progress.validated_by = None
    progress.modified_since_validation = False
    data = load_step(progress.establishment, progress.step, progress=progress)
    progress.status = compute_status(data, validated=False)
    progress.save()
    emails.step_validation_withdrawn(progress, reason=reason)
    return validation


@transaction.atomic
def send_back(*, progress: StepProgress, by, message: str) -> StepProgress:
    """Send the step back for correction: "À corriger" with the message, until the
    establishment saves the step again."""
    message = _checked_text(message, "Le message")
    if not message:
        raise ReviewError("Écrivez à l'établissement ce qu'il doit corriger.")
    progress = locked_progress(progress.establishment, progress.step)
    if progress.is_validated:
        raise ReviewError("Retirez d'abord la validation de cette étape.")
    if not progress.may_be_sent_back:
        raise ReviewError("Cette étape n'a pas encore été commencée.")
    progress.sent_back_at, progress.sent_back_by = timezone.now(), by
    progress.sent_back_message = message
    progress.status = StepProgress.Status.TO_CORRECT
    progress.save()
    emails.step_sent_back(progress)
    return progress


def _clear_sent_back(progress: StepProgress) -> None:
    progress.sent_back_at = progress.sent_back_by = None
    progress.sent_back_message = ""


def changes_since_validation(progress: StepProgress, data) -> list:
    """What changed between the validated state and `data` (the step now)."""
    if progress.validation is None:
        return []
    return versions.diff(
        progress.validation.state,
        versions.state_of(data),
        voices=(Comment.Voice.ESTABLISHMENT, Comment.Voice.REPRESENTATIVES),
    )
