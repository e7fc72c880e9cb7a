"""The back office's export of establishments (parcours.exports), one row each."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from accounts.models import LoginLock
from parcours.exports import IDENTITY_COLUMNS, establishments_workbook_response
from parcours.models import StepProgress
from profiles.models import Establishment

from .statistics_data import NOW, populate

HEADER = [title for title, _ in IDENTITY_COLUMNS] + [
    f"Étape {n} – {title}"
    for n in range(1, 5)
    for title in ("état", "complète le", "validée le", "en attente depuis (jours)")
]


@pytest.fixture
def data_set(parcours, establishment_a, establishment_b):
    with time_machine.travel(NOW, tick=False):
        yield populate(establishment_a, establishment_b)


def export(queryset, filename="etablissements.xlsx"):
    with time_machine.travel(NOW, tick=False):
        response = establishments_workbook_response(queryset, filename=filename)
    content = b"".join(response.streaming_content)
    response.close()
    return response, load_workbook(io.BytesIO(content))


def rows_of(workbook):
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def local(days_ago=0, hours_ago=0):
    """NOW minus a delay, as the naive local time the workbook holds."""
    moment = NOW - datetime.timedelta(days=days_ago, hours=hours_ago)
    return moment.replace(tzinfo=None)


def test_the_export_is_an_xlsx_attachment_with_french_headers(data_set):
    response, workbook = export(Establishment.objects.all(), filename="cramif-2026-03-10.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="cramif-2026-03-10.xlsx"'
    assert workbook.sheetnames == ["Établissements"]
    assert rows_of(workbook)[0] == HEADER


def test_one_row_per_establishment_with_identity_profile_account_and_steps(
    data_set, establishment_a
):
    LoginLock.objects.create(
        identifier=establishment_a.siret, failures=3, locked_until=NOW + datetime.timedelta(days=1)
    )
    establishment_a.headcount = 120
    establishment_a.save(update_fields=["headcount"])
    _, workbook = export(Establishment.objects.filter(pk=establishment_a.pk))
    rows = rows_of(workbook)
    assert len(rows) == 2
    assert rows[1] == [
        "73282932000074",
        "Ateliers Alpha",
        "Paris",
        120,
        "Cramif",
        "Paul Durand",
        "Oui",
        "Claire Martin",
        "direction-73282932000074@example.fr",
        "0102030405",
        local(days_ago=1),
        local(days_ago=1),
        "Oui",
        "Directrice",
        "1 rue de la Paix, 75002 Paris",
        "Oui",
        "Non",
        "Oui",
        # Step 1: validated 2 days after completion.
        "Validée",
        local(days_ago=10),
        local(days_ago=8),
        None,
        # Step 2: complete for 5 days, waiting.
        "Complète",
        local(days_ago=5),
        None,
        5,
        # Step 3: in progress; step 4: no row.
        "En cours",
        None,
        None,
        None,
        "À compléter",
        None,
        None,
        None,
    ]


def test_the_export_holds_exactly_the_queryset_given_in_its_order(data_set, caisse_a):
    _, workbook = export(Establishment.objects.filter(caisse=caisse_a).order_by("-name"))
    rows = rows_of(workbook)[1:]
    assert [row[1] for row in rows] == [
        "Entrepôt Epsilon",
        "Dépôt Delta",
        "Cabinet Gamma",
        "Ateliers Alpha",
    ]
    assert "Boulangerie Bêta" not in {row[1] for row in rows}
    by_name = {row[1]: row for row in rows}
    assert by_name["Dépôt Delta"][6:13] == ["Non", None, None, None, None, None, "Non"]
    # A status sent back for correction shows its label (its code if it had none).
    sent_back = dict(StepProgress.Status.choices).get("to_correct", "to_correct")
    assert by_name["Entrepôt Epsilon"][HEADER.index("Étape 3 – état")] == sent_back


def test_a_value_that_looks_like_a_formula_is_written_as_text(data_set, establishment_a):
    establishment_a.name = '=HYPERLINK("http://evil.example","clic")'
    establishment_a.head_phone = "+33 1 02 03 04 05"
    establishment_a.town = "@SUM(A1)"
    establishment_a.save()
    _, workbook = export(Establishment.objects.filter(pk=establishment_a.pk))
    row = next(workbook.active.iter_rows(min_row=2, max_row=2))
    for column in ("Raison sociale", "Téléphone du responsable", "Ville"):
        cell = row[HEADER.index(column)]
        assert cell.data_type == "s"
    assert row[1].value == '=HYPERLINK("http://evil.example","clic")'
    assert row[HEADER.index("Téléphone du responsable")].value == "+33 1 02 03 04 05"


def test_the_export_reads_establishments_in_a_bounded_number_of_queries(
    data_set, django_assert_max_num_queries
):
    # The steps, the establishments, their progresses: not one query per row.
    with django_assert_max_num_queries(3):
        export(Establishment.objects.all())
