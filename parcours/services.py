"""The workflows of "Mon parcours": saving a step, its state, its documents.

Reading a step is parcours.steps (it never writes). Every write to an
establishment's step goes through these functions, always scoped to one
establishment: a step is addressed by its number, a document by an id that
must be one of the establishment's, never someone else's row.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attachments.models import Attachment
from attachments.services import (
    STORAGE_UNAVAILABLE_MESSAGE,
    QuotaExceeded,
    storage_errors,
    store_documents,
)
from tmspros.text import FreeTextField, same_text

from . import emails
from .models import Answer, Comment, Step, StepProgress
from .steps import load_step

logger = logging.getLogger(__name__)


class StepConflict(Exception):
    """The step was saved by someone else since the page was displayed."""

    def __init__(self, progress):
        super().__init__("stale step version")
        self.progress = progress


def compute_status(data, validated: bool) -> str:
    """The state of a step from what it holds (a parcours.steps.StepData)."""
    if validated:
        return StepProgress.Status.VALIDATED
    if not any(row.answered for row in data.rows.values()):
        return StepProgress.Status.TO_COMPLETE
    if is_complete(data):
        return StepProgress.Status.COMPLETE
    return StepProgress.Status.IN_PROGRESS


def is_complete(data) -> bool:
    """Every required question is answered (and there is something to answer)."""
    rows = list(data.rows.values())
    if not rows:
        return False
    required = [row for row in rows if row.question.required] or rows
    return all(row.answered for row in required)


def locked_progress(establishment, step) -> StepProgress:
    """The establishment's progress row on `step`, created if needed and locked
    until the transaction ends (only that row: the joined step is everyone's)."""
    StepProgress.objects.get_or_create(establishment=establishment, step=step)
    progress = StepProgress.objects.select_for_update(of=("self",)).get(
        establishment=establishment, step=step
    )
    progress.establishment, progress.step = establishment, step
    return progress


@transaction.atomic
def save_step(*, establishment, form, by) -> StepProgress:
    """Save what `form` lets its author write: answers, comments of their voice,
    documents, the "vue" mark; then the step's state.

    `form` is a valid parcours.forms.StepForm built on the page's StepData with
    the author's permissions (profiles.permissions): a field it does not hold,
    or holds disabled, is never written. The progress row is locked; for those
    who answer, if its version is not the one the page was built on, nothing is
    written and StepConflict is raised. Beyond the establishment's space, the
    form's files are refused (ValidationError keyed by their field) and nothing
    is written.

    The step is read once, by the page (the form's StepData): every change of
    what the state is computed from (answers, documents, the establishment's
    comments) bumps the version, so the same version under the lock means the
    same content; a different one (a voice that does not conflict saved
    meanwhile) reads it again. What is written is applied to it in memory.
    """
    step = form.step_data.step
    progress = locked_progress(establishment, step)
    if form.writes_answers and progress.version != form.cleaned_data["version"]:
        raise StepConflict(progress)
    data = form.step_data
    if data.progress.version != progress.version:
        data = load_step(establishment, step, progress=progress)
    data.progress = progress

    changed = False
    for row in data.rows.values():
        name = form.question_field_name(row.question)
        if name not in form.fields or form.fields[name].disabled:
            continue
        value = form.cleaned_data.get(name)
        if row.answer is None:
            if value in (None, "", []):
                continue
            row.answer = Answer.objects.create(
                establishment=establishment, question=row.question, value=value, updated_by=by
            )
            changed = True
        elif not _same_answer(form.fields[name], row.answer.value, value):
            row.answer.value, row.answer.updated_by = value, by
            row.answer.save(update_fields=["value", "updated_by", "updated_at"])
            changed = True

    representatives_comments = []
    for block in data.blocks:
        for voice in (Comment.Voice.ESTABLISHMENT, Comment.Voice.REPRESENTATIVES):
            name = form.comment_field_name(block.block, voice)
            if name not in form.fields:
                continue
            text = form.cleaned_data.get(name, "")
            current = block.current(voice)
            if same_text(current.text if current else "", text, multiline=True):
                continue
            # A new version each time: earlier ones are kept.
            Comment.objects.create(
                establishment=establishment, block=block.block, voice=voice, text=text, author=by
            )
            if voice == Comment.Voice.ESTABLISHMENT:
                changed = True
            elif text:
                representatives_comments.append({"block_title": block.block.title, "text": text})

    newly_seen = False
    if "seen" in form.fields:
        seen = bool(form.cleaned_data.get("seen"))
        if seen and progress.seen_by_representatives_at is None:
            progress.seen_by_representatives_at, progress.seen_by_representatives = (
                timezone.now(),
                by,
            )
            newly_seen = True
        elif not seen and progress.seen_by_representatives_at is not None:
            progress.seen_by_representatives_at = progress.seen_by_representatives = None

    uploads = form.uploads()
    if uploads:
        try:
            stored = store_documents(establishment=establishment, uploads=uploads, by=by)
        except QuotaExceeded as error:
            names = {form.files_field_name(upload.question) for upload in uploads}
            raise QuotaExceeded({name: error.messages for name in names}) from None
        except storage_errors() as error:  # nothing is written (this is one transaction)
            logger.exception("Storage unavailable while saving a step")
            raise ValidationError(STORAGE_UNAVAILABLE_MESSAGE, code="storage") from error
        for attachment in stored:
            data.rows[attachment.question_id].documents.insert(0, attachment)
        changed = True

    if changed:
        _mark_changed(progress, by=by)
    if form.writes_answers and progress.sent_back_at is not None:
        # Saved again by the establishment: a step sent back is no longer "À corriger";
        # complete again, it is a new passage (the préventeur is told, it waits from now).
        progress.sent_back_at = progress.sent_back_by = None
        progress.sent_back_message = ""
        progress.completed_at = None
    _apply_state(progress, data)
    if representatives_comments or newly_seen:
        emails.representatives_wrote(
            progress, comments=representatives_comments, seen=newly_seen, by=by
        )
    return progress


@transaction.atomic
def delete_documents(*, establishment, ids, by) -> list[str]:
    """Delete the establishment's documents `ids`; their files go on commit.

    The one way to delete documents, from a step page or "Mes pièces jointes".
    Returns the names deleted. An id that is not one of the establishment's
    documents raises Attachment.DoesNotExist and deletes nothing. Each step
    that held one of them is changed: its state is computed again (a
    documents-only question may no longer be answered), its version is bumped
    and, when validated, it is flagged "modifiée depuis la validation".
    """
    wanted = {int(pk) for pk in ids}
    attachments = list(
        Attachment.objects.select_for_update(of=("self",))
        .filter(establishment=establishment, pk__in=wanted)
        .select_related("question__block__step")
    )
    if len(attachments) != len(wanted):
        raise Attachment.DoesNotExist
    names = [attachment.original_name for attachment in attachments]
    steps = {a.question.block.step_id: a.question.block.step for a in attachments}
    for attachment in attachments:
        attachment.delete()  # post_delete removes the file on commit
    for _pk, step in sorted(steps.items()):
        refresh_step_state(establishment=establishment, step=step, changed=True, by=by)
    return names


def _mark_changed(progress: StepProgress, *, by, now=None) -> None:
    """A change of the step's content: pages built on the old version now conflict,
    and a validated step keeps its validation but is flagged for the préventeur."""
    progress.version += 1
    progress.updated_at, progress.updated_by = now or timezone.now(), by
    if progress.validated_at is not None:
        progress.modified_since_validation = True


def _apply_state(progress: StepProgress, data) -> None:
    """Store the state computed from `data`; a passage to complete tells the préventeur.

    completed_at is set while the step is complete, so a passage is the move
    from "completed_at empty" to "every required question answered", however
    the missing answer arrived (a save, a document deposited elsewhere). The
    e-mail is written in this transaction (the outbox), sent after commit.
    """
    complete = is_complete(data)
    progress.status = compute_status(data, validated=progress.validated_at is not None)
    if progress.sent_back_at is not None and progress.status != StepProgress.Status.VALIDATED:
        progress.status = StepProgress.Status.TO_CORRECT  # until the establishment saves again
    if complete and progress.completed_at is None:
        progress.completion_count += 1
        progress.completed_at = timezone.now()
        emails.step_completed(progress)
    elif not complete:
        progress.completed_at = None
    progress.save()


@transaction.atomic
def refresh_step_state(*, establishment, step, changed=False, by=None) -> StepProgress:
    """Recompute a step's state after a change made outside save_step.

    With `changed`, the step's content did change (by `by`): its version is
    bumped, so that a page displayed before conflicts, and a validated step is
    flagged "modifiée depuis la validation", as in save_step.
    """
    progress = locked_progress(establishment, step)
    if changed:
        _mark_changed(progress, by=by)
    _apply_state(progress, load_step(establishment, step, progress=progress))
    return progress


def steps_with_states(establishment, steps=None) -> list:
    """The four steps (or `steps`), each with `.progress_status` and `.progress_label`
    ("Validée — modifiée depuis" when it applies), in one query (two without `steps`)."""
    steps = list(Step.objects.order_by("number")) if steps is None else list(steps)
    progresses = {
        p.step_id: p
        for p in StepProgress.objects.filter(establishment=establishment).only(
            "step_id", "status", "validated_at", "modified_since_validation"
        )
    }
    for step in steps:
        progress = progresses.get(step.pk)
        step.progress_status = progress.status if progress else StepProgress.Status.TO_COMPLETE
        step.progress_label = (
            progress.state_label if progress else StepProgress.Status.TO_COMPLETE.label
        )
    return steps


def _same_answer(field, stored, value) -> bool:
    """An answer re-posted untouched is unchanged, even if stored before its text
    was normalised (tmspros.text.same_text)."""
    if isinstance(field, FreeTextField) and isinstance(value, str):
        return same_text(stored, value, multiline=field.multiline)
    return stored == value
