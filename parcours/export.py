""" "EXPORTER LES DONNÉES SAISIES": one establishment's programme as an .xlsx.

A summary sheet (the steps' states, "Mon profil", the establishment's figures),
then one sheet per step. Numbers are written as numbers and dates as dates;
everything else an establishment typed is written as text: a value starting
with = + - @ never becomes a formula.
"""

import datetime
from io import BytesIO

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from profiles.forms import ProfileForm

from .kinds import export_value
from .models import Answer, Block, Comment, Question, Step, StepProgress
from .steps import author_label, latest_comments

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0C419A")
WRAP = Alignment(wrap_text=True, vertical="top")
SECTION = object()  # a row of the summary that titles the rows below it
STEP_COLUMNS = [
    ("Bloc", 28),
    ("Code", 8),
    ("Question", 60),
    ("Réponse", 45),
    ("Documents joints", 40),
    ("Commentaires de l'établissement", 40),
    ("Commentaires CSE/CHSCT/DP", 40),
    ("Commentaires de la caisse régionale", 40),
]


def _datetime(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def write_text(cell, value) -> None:
    """Write `value` as plain text, whatever it starts with."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell.value = text
    if text.startswith(FORMULA_PREFIXES):
        # openpyxl would store "=…" as a formula: force a string cell, and the
        # quote prefix keeps Excel from reading it as one when edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.alignment = WRAP


def write_value(cell, value) -> None:
    """Numbers as numbers, dates as dates (shown 16/09/2020), anything else as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
    else:
        write_text(cell, value)
        return
    cell.alignment = WRAP


def _yes_no(value) -> str:
    return {True: "Oui", False: "Non"}.get(value, "")


def _figure(value):
    """A figure of the caisse as a number, or "Non communiqué"."""
    if value is None:
        return "Non communiqué"
    return int(value) if value == int(value) else float(value)


def profile_rows(establishment) -> list:
    """ "Mon profil" and the establishment's figures, as (label, value) rows."""
    form = ProfileForm
    rows = [("Mon profil", SECTION)]
    rows += [(form.Meta.labels[name], getattr(establishment, name)) for name in form.HEAD_FIELDS]
    rows += [
        (form.base_fields[name].label, _yes_no(getattr(establishment, name)))
        for name in form.CONTACT_FIELDS
    ]
    rows += [
        ("Chiffres de l'établissement", SECTION),
        ("Journées perdues liées aux TMS", _figure(establishment.days_lost_tms)),
        (
            "Journées perdues liées aux TMS, en équivalent temps plein",
            _figure(establishment.days_lost_tms_fte),
        ),
        (
            "Journées perdues liées aux accidents du travail à l'origine de lombalgies",
            _figure(establishment.days_lost_lumbago),
        ),
        (
            "Journées perdues liées aux lombalgies, en équivalent temps plein",
            _figure(establishment.days_lost_lumbago_fte),
        ),
        ("Année des données", _figure(establishment.figures_year)),
    ]
    return rows


def _header(sheet, titles) -> None:
    for column, (title, width) in enumerate(titles, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def build_workbook(establishment) -> Workbook:
    """The workbook of `establishment`, in a fixed number of queries."""
    from attachments.models import Attachment

    steps = list(
        Step.objects.order_by("number").prefetch_related(
            Prefetch(
                "blocks",
                queryset=Block.objects.filter(retired_at__isnull=True)
                .order_by("order", "pk")
                .prefetch_related(
                    Prefetch(
                        "questions",
                        queryset=Question.objects.active().order_by("order", "pk"),
                        to_attr="active_questions",
                    )
                ),
                to_attr="active_blocks",
            )
        )
    )
    progresses = {
        p.step_id: p
        for p in StepProgress.objects.filter(establishment=establishment).select_related(
            "validated_by"
        )
    }
    answers = {a.question_id: a.value for a in Answer.objects.filter(establishment=establishment)}
    blocks = [block.pk for step in steps for block in step.active_blocks]
    comments = {
        (block_id, voice): versions[0]  # the current version only, read in one query
        for block_id, voices in latest_comments(establishment, blocks, earlier=0).items()
        for voice, versions in voices.items()
    }
    documents = {}
    for attachment in Attachment.objects.filter(establishment=establishment).order_by(
        "uploaded_at", "pk"
    ):
        documents.setdefault(attachment.question_id, []).append(
            f"{attachment.original_name} ({_datetime(attachment.uploaded_at)})"
        )

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    _header(summary, [("Rubrique", 34), ("Valeur", 70)])
    rows = [
        ("Établissement", establishment.name),
        ("SIRET", establishment.siret),
        ("Caisse régionale", establishment.caisse.name),
        ("Date de l'export", _datetime(timezone.now())),
    ]
    for step in steps:
        progress = progresses.get(step.pk)
        state = progress.get_status_display() if progress else "À compléter"
        if progress and progress.validated_at:
            state += f" le {_datetime(progress.validated_at)}"
            if progress.modified_since_validation:
                state += " (modifiée depuis la validation)"
        rows.append((f"Étape {step.number} – {step.short_title}", state))
    rows += profile_rows(establishment)
    for row, (label, value) in enumerate(rows, start=2):
        heading = summary.cell(row=row, column=1, value=label)
        heading.font, heading.alignment = Font(bold=True), WRAP
        if value is SECTION:
            heading.font, heading.fill = HEADER_FONT, HEADER_FILL
            summary.cell(row=row, column=2).fill = HEADER_FILL
        else:
            write_value(summary.cell(row=row, column=2), value)

    for step in steps:
        sheet = workbook.create_sheet(f"Étape {step.number}")
        _header(sheet, STEP_COLUMNS)
        row = 2
        for block in step.active_blocks:
            voices = []
            for voice in Comment.Voice:
                comment = comments.get((block.pk, voice))
                voices.append(
                    f"{comment.text}\n— {author_label(comment.author, establishment)}, "
                    f"{_datetime(comment.created_at)}"
                    if comment and comment.text
                    else ""
                )
            for question in block.active_questions:
                values = [
                    block.title,
                    question.code,
                    question.text,
                    export_value(question, answers.get(question.pk)),
                    "\n".join(documents.get(question.pk, [])),
                    *voices,
                ]
                for column, value in enumerate(values, start=1):
                    write_value(sheet.cell(row=row, column=column), value)
                row += 1
    return workbook


def workbook_bytes(establishment) -> bytes:
    buffer = BytesIO()
    build_workbook(establishment).save(buffer)
    return buffer.getvalue()
