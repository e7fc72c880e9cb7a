"""The workflows of "Mon parcours": saving a step, its state, its documents.

Reading a step is parcours.steps (it never writes). Every write to an
establishment's step goes through these functions, always scoped to one
establishment: a step is addressed by its number, a document by an id that
must be one of the establishment's, never someone else's row.
"""

import logging

from django.db import transaction
from django.utils import timezone

from attachments.models import Attachment
from attachments.services import QuotaExceeded, store_documents

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
    """Save a whole step: answers, the establishment's comments, documents, state.

    `form` is a valid parcours.forms.StepForm built on the page's StepData. The
    progress row is locked; if its version is not the one the page was built
    on, nothing is written and StepConflict is raised. Beyond the
    establishment's space, the form's files are refused (ValidationError keyed
    by their field) and nothing is written.
    """
    step = form.step_data.step
    progress = locked_progress(establishment, step)
    if progress.version != form.cleaned_data["version"]:
        raise StepConflict(progress)
    data = load_step(establishment, step, progress=progress)

    changed = False
    for row in data.rows.values():
        name = form.question_field_name(row.question)
        if name not in form.fields:
            continue
        value = form.cleaned_data.get(name)
        if row.answer is None:
            if value in (None, "", []):
                continue
            Answer.objects.create(
                establishment=establishment, question=row.question, value=value, updated_by=by
            )
            changed = True
        elif row.answer.value != value:
            row.answer.value, row.answer.updated_by = value, by
            row.answer.save(update_fields=["value", "updated_by", "updated_at"])
            changed = True

    for block in data.blocks:
        text = form.cleaned_data.get(form.comment_field_name(block.block), "")
        current = block.current(Comment.Voice.ESTABLISHMENT)
        if text != (current.text if current else ""):
            # A new version each time: earlier ones are kept.
            Comment.objects.create(
                establishment=establishment,
                block=block.block,
                voice=Comment.Voice.ESTABLISHMENT,
                text=text,
                author=by,
            )
            changed = True

    uploads = form.uploads()
    if uploads:
        try:
            store_documents(establishment=establishment, uploads=uploads, by=by)
        except QuotaExceeded as error:
            names = {form.files_field_name(upload.question) for upload in uploads}
            raise QuotaExceeded({name: error.messages for name in names}) from None
        changed = True

    if changed:
        _mark_changed(progress, by=by)
    _apply_state(progress, load_step(establishment, step, progress=progress))
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


def steps_with_states(establishment) -> list:
    """The four steps, each with `.progress_status` (two queries)."""
    steps = list(Step.objects.order_by("number"))
    statuses = dict(
        StepProgress.objects.filter(establishment=establishment).values_list("step_id", "status")
    )
    for step in steps:
        step.progress_status = statuses.get(step.pk, StepProgress.Status.TO_COMPLETE)
        step.progress_label = StepProgress.Status(step.progress_status).label
    return steps
