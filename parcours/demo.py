"""Demo follow-up: answered steps, the three voices, a step waiting, validated, modified since.

Used by `manage.py demo` so that a newcomer opening the back office sees what a
préventeur sees. Idempotent: an establishment that already has answers is left as is.
"""

from django.core.files.base import ContentFile
from django.db import transaction

from attachments.models import Attachment
from attachments.workbooks import EXAMPLE_VALUES, dashboard_workbook, to_bytes

from . import review
from .models import Answer, Comment, Question, Step
from .services import refresh_step_state

SAMPLE_VALUES = {
    Question.Kind.YES_NO: True,
    Question.Kind.SHORT_TEXT: "Claire Martin, directrice",
    Question.Kind.LONG_TEXT: "Les postes d'emballage et de préparation de commandes.",
    Question.Kind.DATE: "2025-03-14",
}


def sample_value(question):
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return question.choices[0]["code"]
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        return [choice["code"] for choice in question.choices[:2]]
    if question.kind == Question.Kind.NUMBER:
        return 12
    return SAMPLE_VALUES.get(question.kind)


def answer_step(establishment, step, *, by) -> None:
    """Every question of `step` answered (documents deposited), then its state computed."""
    for question in Question.objects.active().filter(block__step=step):
        if question.takes_files:
            content = to_bytes(
                dashboard_workbook(
                    sorted(EXAMPLE_VALUES), EXAMPLE_VALUES, establishment_name=establishment.name
                )
            )
            attachment = Attachment(
                establishment=establishment,
                question=question,
                original_name="tableau de bord TMS.xlsx",
                size=len(content),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                uploaded_by=by,
            )
            attachment.file.save("tableau de bord TMS.xlsx", ContentFile(content), save=False)
            attachment.save()
        value = sample_value(question)
        if value is not None:
            Answer.objects.create(
                establishment=establishment, question=question, value=value, updated_by=by
            )
    refresh_step_state(establishment=establishment, step=step, changed=True, by=by)


def comment(establishment, block, voice, text, author) -> None:
    Comment.objects.create(
        establishment=establishment, block=block, voice=voice, text=text, author=author
    )


@transaction.atomic
def seed_followup(*, establishment, preventeur, representative=None, modified=False) -> bool:
    """Step 1 validated (and, with `modified`, changed since), step 2 complete and waiting.

    Returns False when the establishment already had answers (nothing done).
    """
    if Answer.objects.filter(establishment=establishment).exists():
        return False
    account = establishment.account
    steps = {step.number: step for step in Step.objects.filter(number__in=[1, 2])}
    if len(steps) < 2:
        return False
    answer_step(establishment, steps[1], by=account)
    first_block = steps[1].blocks.order_by("order").first()
    comment(establishment, first_block, Comment.Voice.ESTABLISHMENT,
            "La direction a présenté la démarche au CSE en janvier.", account)  # fmt: skip
    if representative is not None:
        comment(establishment, first_block, Comment.Voice.REPRESENTATIVES,
                "Le CSE soutient la démarche et souhaite être associé au choix des postes.",
                representative)  # fmt: skip
    review.save_caisse_comments(
        establishment=establishment,
        step=steps[1],
        texts={first_block.pk: "Très bon point de départ : pensez à mettre à jour le tableau "
               "de bord chaque année."},
        by=preventeur,
    )  # fmt: skip
    progress = refresh_step_state(establishment=establishment, step=steps[1])
    review.validate_step(progress=progress, by=preventeur)
    if modified:
        question = Question.objects.active().filter(
            block__step=steps[1], kind=Question.Kind.LONG_TEXT
        ).first()
        if question is not None:
            Answer.objects.filter(establishment=establishment, question=question).update(
                value="Les postes d'emballage, de préparation de commandes et de chargement."
            )
        refresh_step_state(establishment=establishment, step=steps[1], changed=True, by=account)
    answer_step(establishment, steps[2], by=account)
    return True
