"""The workflows of "Mon parcours": reading a step, saving it, its state.

Every read and write of an establishment's step goes through `progress_for`,
which is always scoped to one establishment: a step is addressed by its
number, never by the id of someone else's row.
"""

import importlib
import importlib.util
import logging
from dataclasses import dataclass, field
from functools import cache

from django.db import transaction
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import Answer, Block, Comment, Question, Step, StepProgress

logger = logging.getLogger(__name__)


class StepConflict(Exception):
    """The step was saved by someone else since the page was displayed."""

    def __init__(self, progress):
        super().__init__("stale step version")
        self.progress = progress


def progress_for(establishment, step) -> StepProgress:
    """The establishment's progress on `step` (created on first visit)."""
    progress, _ = StepProgress.objects.get_or_create(establishment=establishment, step=step)
    progress.establishment, progress.step = establishment, step  # already loaded
    return progress


def is_answered(question: Question, value, attachment_question_ids) -> bool:
    if question.kind == Question.Kind.DOCUMENTS:
        return question.pk in attachment_question_ids
    return value not in (None, "", [])


def compute_status(questions, values: dict, attachment_question_ids, validated: bool) -> str:
    """The state of a step from its answers: values maps question id to value."""
    if validated:
        return StepProgress.Status.VALIDATED
    answered = [q for q in questions if is_answered(q, values.get(q.pk), attachment_question_ids)]
    if not answered:
        return StepProgress.Status.TO_COMPLETE
    if is_complete(questions, values, attachment_question_ids):
        return StepProgress.Status.COMPLETE
    return StepProgress.Status.IN_PROGRESS


def is_complete(questions, values: dict, attachment_question_ids) -> bool:
    """Every required question is answered (and there is something to answer)."""
    required = [q for q in questions if q.required]
    if not questions:
        return False
    if not required:
        return all(is_answered(q, values.get(q.pk), attachment_question_ids) for q in questions)
    return all(is_answered(q, values.get(q.pk), attachment_question_ids) for q in required)


def attachment_question_ids(establishment, questions) -> set[int]:
    """The questions of `questions` holding at least one document (one query)."""
    from attachments.models import Attachment

    ids = [q.pk for q in questions]
    return set(
        Attachment.objects.filter(establishment=establishment, question_id__in=ids)
        .values_list("question_id", flat=True)
        .distinct()
    )


def current_comments(establishment, step) -> dict:
    """{(block_id, voice): newest Comment} for the step's blocks, in one query."""
    rows = (
        Comment.objects.filter(establishment=establishment, block__step=step)
        .select_related("author")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("block_id"), F("voice")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
    )
    return {(c.block_id, c.voice): c for c in rows}


def author_label(user, establishment) -> str:
    """Who wrote a comment, as the pages and the export show it."""
    if user is None:
        return "compte supprimé"
    if establishment.is_own_account(user):
        return establishment.name
    return user.get_full_name() or user.username


@dataclass
class StepData:
    """Everything a step page shows, loaded in a fixed number of queries."""

    step: Step
    progress: StepProgress
    blocks: list
    questions: list
    answers: dict  # question id -> Answer
    comments: dict  # (block id, voice) -> Comment
    documents: set = field(default_factory=set)  # question ids holding a document

    @property
    def values(self) -> dict:
        return {qid: answer.value for qid, answer in self.answers.items()}


def load_step(establishment, step, progress=None) -> StepData:
    """Blocks, active questions, answers, current comments and documents of a step."""
    from attachments.models import Attachment, QuestionTemplate

    # The attachments include of the step page reads question.documents and
    # question.document_templates: prefetched here, no query per question.
    questions_queryset = (
        Question.objects.active()
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(establishment=establishment).select_related(
                    "uploaded_by"
                ),
                to_attr="documents",
            ),
            Prefetch(
                "templates",
                queryset=QuestionTemplate.objects.order_by("order", "pk"),
                to_attr="document_templates",
            ),
        )
    )
    blocks = list(
        Block.objects.filter(step=step, retired_at__isnull=True)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("questions", queryset=questions_queryset, to_attr="active_questions")
        )
    )
    questions = [q for block in blocks for q in block.active_questions]
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(
            establishment=establishment, question__in=[q.pk for q in questions]
        )
    }
    if progress is None:
        progress = progress_for(establishment, step)
    return StepData(
        step=step,
        progress=progress,
        blocks=blocks,
        questions=questions,
        answers=answers,
        comments=current_comments(establishment, step),
        documents={q.pk for q in questions if q.documents},
    )


@cache
def _attachments_hook():
    """attachments.services.attach_step_files, or None while it does not exist.

    Resolved at the first save rather than at import time, so that
    attachments.services may itself import this module without a cycle; an
    error inside that module is not mistaken for its absence.
    """
    if importlib.util.find_spec("attachments.services") is None:
        return None
    module = importlib.import_module("attachments.services")
    return getattr(module, "attach_step_files", None)


@transaction.atomic
def save_step(*, progress: StepProgress, form, by, files=None) -> StepProgress:
    """Save a whole step: answers, the establishment's comments, files, state.

    `form` is a valid parcours.forms.StepForm. The progress row is locked; if
    its version is not the one the page was built on, nothing is written and
    StepConflict is raised.

    Contract with the attachments app: when `attachments.services` defines
    `attach_step_files(*, progress, files, data, by)`, it is called inside this
    transaction, after the answers are validated and written and before the
    state is computed, with `files` = request.FILES (a MultiValueDict, may be
    empty) and `data` = the form's raw POST data. It returns the attachments
    it created (any of them is a change of the step). It may raise
    django.core.exceptions.ValidationError (keys = form field names such as
    "q_<question id>", or none): the whole save is then rolled back and the
    view shows the errors next to the questions, keeping what was typed.

    When the save makes the step complete (from incomplete), the passage is
    counted and the préventeur's e-mail is enqueued on commit: one e-mail per
    passage, see parcours.emails.notify_step_completed.
    """
    progress = StepProgress.objects.select_for_update().get(pk=progress.pk)
    if progress.version != form.cleaned_data["version"]:
        raise StepConflict(progress)
    establishment = progress.establishment
    data = load_step(establishment, progress.step, progress=progress)

    changed = False
    now = timezone.now()
    for question in data.questions:
        name = form.question_field_name(question)
        if name not in form.fields:
            continue
        value = form.cleaned_data.get(name)
        answer = data.answers.get(question.pk)
        if answer is None:
            if value in (None, "", []):
                continue
            data.answers[question.pk] = Answer.objects.create(
                establishment=establishment, question=question, value=value, updated_by=by
            )
            changed = True
        elif answer.value != value:
            answer.value, answer.updated_by = value, by
            answer.save(update_fields=["value", "updated_by", "updated_at"])
            changed = True

    for block in data.blocks:
        text = form.cleaned_data.get(form.comment_field_name(block), "")
        current = data.comments.get((block.pk, Comment.Voice.ESTABLISHMENT))
        if text != (current.text if current else ""):
            # A new version each time: earlier ones are kept.
            Comment.objects.create(
                establishment=establishment,
                block=block,
                voice=Comment.Voice.ESTABLISHMENT,
                text=text,
                author=by,
            )
            changed = True

    hook = _attachments_hook()
    if hook is not None:
        created = hook(progress=progress, files=files, data=form.data, by=by)
        documents = attachment_question_ids(establishment, data.questions)
        # A new file on a question that already held one changes the step
        # too, though the set of questions holding documents stays the same.
        changed = changed or bool(created) or documents != data.documents
        data.documents = documents

    if changed:
        _mark_changed(progress, by=by, now=now)
    _apply_state(progress, data)
    return progress


def _mark_changed(progress: StepProgress, *, by, now=None) -> None:
    """A change of the step's content: pages built on the old version now conflict,
    and a validated step keeps its validation but is flagged for the préventeur."""
    progress.version += 1
    progress.updated_at, progress.updated_by = now or timezone.now(), by
    if progress.validated_at is not None:
        progress.modified_since_validation = True


def _apply_state(progress: StepProgress, data: StepData) -> None:
    """Store the state computed from `data`; count and notify a passage to complete.

    completed_at is set while the step is complete, so a passage is the move
    from "completed_at empty" to "every required question answered", however
    the missing answer arrived (a save, a document deposited elsewhere).
    """
    complete = is_complete(data.questions, data.values, data.documents)
    validated = progress.validated_at is not None
    progress.status = compute_status(data.questions, data.values, data.documents, validated)
    if complete and progress.completed_at is None:
        progress.completion_count += 1
        progress.completed_at = timezone.now()
        progress_id, passage = progress.pk, progress.completion_count
        transaction.on_commit(lambda: enqueue_step_completed(progress_id, passage))
    elif not complete:
        progress.completed_at = None
    progress.save()


@transaction.atomic
def refresh_step_state(*, establishment, step, changed=False, by=None) -> StepProgress:
    """Recompute a step's state after a change made outside save_step.

    For the attachments app: call it after documents were deposited or
    deleted elsewhere than through the step's "ENREGISTRER" (a documents-only
    question may have become answered or unanswered). With `changed`, the
    step's content did change (by `by`): its version is bumped, so that a
    page displayed before conflicts, and a validated step is flagged
    "modifiée depuis la validation", as in save_step.
    """
    progress = progress_for(establishment, step)
    progress = StepProgress.objects.select_for_update().get(pk=progress.pk)
    if changed:
        _mark_changed(progress, by=by)
    _apply_state(progress, load_step(establishment, step, progress=progress))
    return progress


def enqueue_step_completed(progress_id: int, passage: int) -> None:
    """Hand the e-mail to Celery; with the broker down, the sweep sends it later."""
    from . import tasks

    try:
        tasks.send_step_completed.delay(progress_id, passage)
    except Exception:  # noqa: BLE001 - broker down must not break the page
        logger.warning(
            "Parcours: broker unavailable, notification of progress %s delayed",
            progress_id,
            exc_info=True,
        )


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
