"""The back office's export of establishments: one row each, as an .xlsx.

Identity, préventeur, "Mon profil", the account's state and, per step, its
state, completion and validation dates and how long it has waited for
validation. Written with openpyxl's write-only mode (rows go to a temporary
file as they come) from establishments read in chunks, each chunk's step
progresses prefetched in one query: memory stays bounded whatever the number
of establishments. (The establishment's own workbook is parcours.export.)

Text is written as text: a value starting with = + - @ never becomes a formula.
"""

import datetime
import tempfile
from itertools import islice
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Subquery
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import LoginLock
from profiles.models import Membership

from .export import FORMULA_PREFIXES
from .models import Step, StepProgress

STATUS_LABELS = dict(StepProgress.Status.choices)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 500
SPOOL_BYTES = 2 * 1024 * 1024
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0C419A")

IDENTITY_COLUMNS = [
    ("SIRET", 16),
    ("Raison sociale", 36),
    ("Ville", 20),
    ("Effectif", 10),
    ("Caisse régionale", 24),
    ("Préventeur", 24),
    ("Profil complet", 10),
    ("Responsable", 24),
    ("Courriel du responsable", 30),
    ("Téléphone du responsable", 16),
    ("Compte activé le", 17),
    ("Dernière connexion", 17),
    ("Compte bloqué", 10),
    ("Fonction du responsable", 20),
    ("Adresse du responsable", 30),
    ("En charge de l'espace", 10),
    ("Groupe ou filiale", 10),
    ("Représentant du personnel", 10),
]
STEP_COLUMNS = [
    ("état", 22),
    ("complète le", 17),
    ("validée le", 17),
    ("en attente depuis (jours)", 12),
]


def establishments_workbook_response(queryset, *, filename: str) -> FileResponse:
    """An attachment download of the establishments of `queryset` (already scoped
    by the caller: Establishment.objects.visible_to(user), a selection, a
    filtered list), one row each, in the queryset's order."""
    # In memory up to SPOOL_BYTES (a selection, a caisse), on disk beyond; the
    # response closes it, which removes it.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    write_establishments_workbook(queryset, file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def write_establishments_workbook(queryset, file, *, now=None) -> int:
    """Write the workbook to the binary `file`; returns the number of rows.

    Queries: the steps, the establishments (read in chunks), and one for the
    step progresses of each chunk."""
    now = now or timezone.now()
    steps = list(Step.objects.order_by("number"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Établissements")
    columns = IDENTITY_COLUMNS + [
        (f"Étape {step.number} – {title}", width) for step in steps for title, width in STEP_COLUMNS
    ]
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    sheet.append([_header_cell(sheet, title) for title, _ in columns])

    count = 0
    for chunk in _chunks(_rows(queryset, now)):
        progresses = _progresses_of(chunk)
        for establishment in chunk:
            row = _identity(sheet, establishment)
            for step in steps:
                row += _step(sheet, progresses.get((establishment.pk, step.pk)), now)
            sheet.append(row)
            count += 1
    workbook.save(file)
    return count


def _chunks(queryset):
    """The queryset's objects, CHUNK_SIZE at a time, read with a cursor."""
    rows = queryset.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        yield chunk


class ExportedProgress(NamedTuple):
    status: str
    completed_at: datetime.datetime | None
    validated_at: datetime.datetime | None
    modified_since_validation: bool


def _progresses_of(chunk) -> dict:
    """{(establishment id, step id): progress} of the chunk, in one query.

    Plain tuples rather than prefetched instances: an instance and its
    establishment refer to each other, and such cycles outlive their chunk
    until a full garbage collection, so memory would grow with the rows."""
    rows = StepProgress.objects.filter(establishment_id__in=[e.pk for e in chunk]).values_list(
        "establishment_id", "step_id", *ExportedProgress._fields
    )
    return {(row[0], row[1]): ExportedProgress(*row[2:]) for row in rows}


def _rows(queryset, now):
    own_account = Membership.objects.filter(
        establishment=OuterRef("pk"),
        role=Membership.Role.ESTABLISHMENT,
        user__username=OuterRef("siret"),
    )
    if not queryset.ordered:
        queryset = queryset.order_by("name", "pk")
    return queryset.select_related("caisse", "preventeur").annotate(
        account_activated_at=Subquery(own_account.values("user__activated_at")[:1]),
        account_last_login=Subquery(own_account.values("user__last_login")[:1]),
        account_locked=Exists(
            LoginLock.objects.filter(identifier=OuterRef("siret"), locked_until__gt=now)
        ),
    )


def _identity(sheet, establishment) -> list:
    preventeur = establishment.preventeur
    head = " ".join(
        part for part in (establishment.head_first_name, establishment.head_last_name) if part
    )
    return [
        _text(sheet, establishment.siret),
        _text(sheet, establishment.name),
        _text(sheet, establishment.town),
        establishment.headcount,
        _text(sheet, establishment.caisse.name),
        _text(sheet, (preventeur.get_full_name() or preventeur.username) if preventeur else ""),
        _yes_no(establishment.is_profile_complete),
        _text(sheet, head),
        _text(sheet, establishment.head_email),
        _text(sheet, establishment.head_phone),
        _datetime(sheet, establishment.account_activated_at),
        _datetime(sheet, establishment.account_last_login),
        _yes_no(establishment.account_locked),
        _text(sheet, establishment.head_function),
        _text(sheet, establishment.head_address),
        *(
            None if answer is None else _yes_no(answer)
            for answer in (
                establishment.is_space_manager,
                establishment.belongs_to_group,
                establishment.has_staff_representative,
            )
        ),
    ]


def _step(sheet, progress, now) -> list:
    if progress is None:
        return [StepProgress.Status.TO_COMPLETE.label, None, None, None]
    state = STATUS_LABELS.get(progress.status, progress.status)  # an unknown one: its code
    if progress.validated_at and progress.modified_since_validation:
        state = "Validée — modifiée depuis"
    waiting = None
    if (
        progress.status == StepProgress.Status.COMPLETE
        and progress.validated_at is None
        and progress.completed_at
    ):
        waiting = (now - progress.completed_at).days
    return [
        _text(sheet, state),
        _datetime(sheet, progress.completed_at),
        _datetime(sheet, progress.validated_at),
        waiting,
    ]


def _header_cell(sheet, title):
    cell = WriteOnlyCell(sheet, value=title)
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def _text(sheet, value):
    """Plain text whatever it starts with: a formula-looking value is forced to a string cell."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if not text.startswith(FORMULA_PREFIXES):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _datetime(sheet, value: datetime.datetime | None):
    if value is None:
        return None
    # Excel has no time zones: the local time of the portal.
    cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
    cell.number_format = DATETIME_FORMAT
    return cell


def _yes_no(value) -> str:
    return "Oui" if value else "Non"
