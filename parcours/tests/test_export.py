from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from parcours.models import Comment, Question, StepProgress
from parcours.steps import latest_comments

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def read(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'attachment; filename="tms-pros-' in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content))


def test_export_holds_summary_and_one_sheet_per_step(
    client_a, establishment_a, preventeur_a, parcours, django_capture_on_commit_callbacks
):
    attach(establishment_a, "Q8", name="tableau 2025.xlsx")
    block = Question.objects.get(code="Q1").block
    data = form_data(establishment_a, 1, {"Q1": "non"}, comments={block.pk: "Notre avis"})
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(STEP1, data)
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="caisse",
        text="Bon début",
        author=preventeur_a,
    )

    workbook = read(client_a.get(reverse("parcours:export")))

    assert workbook.sheetnames == ["Synthèse", "Étape 1", "Étape 2", "Étape 3", "Étape 4"]
    summary = {
        row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["Établissement"] == "Ateliers Alpha"
    assert summary["SIRET"] == "73282932000074"
    assert summary["Caisse régionale"] == "Cramif"
    assert summary["Date de l'export"]
    assert summary["Étape 1 – En quoi suis-je concerné ?"] == "Complète"
    assert summary["Étape 2 – Par quoi commencer ?"] == "À compléter"

    sheet = workbook["Étape 1"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 60
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Bloc", "Code", "Question", "Réponse", "Documents joints"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Q1"][3] == "Non"
    assert rows["Q2"][3] == "Arrêts de travail"
    assert "tableau 2025.xlsx (" in rows["Q8"][4]
    assert rows["Q1"][5].startswith("Notre avis\n— Ateliers Alpha, ")
    assert rows["Q1"][7].startswith("Bon début\n— Paul Durand, ")
    assert len(rows) == Question.objects.active().filter(block__step__number=1).count()


def test_export_neutralises_formulas(client_a, establishment_a, parcours):
    payloads = {
        "Q4": '=HYPERLINK("http://evil.example","clic")',
        "Q9": "+33 1 02 03 04 05",
        "Q13": "-2+3",
        "Q20": "@SUM(A1:A2)",
    }
    client_a.post(STEP1, form_data(establishment_a, 1, {"Q4": payloads["Q4"]}))
    client_a.post(
        reverse("parcours:step", args=[2]),
        form_data(establishment_a, 2, {"Q9": payloads["Q9"], "Q13": payloads["Q13"]}),
    )
    client_a.post(
        reverse("parcours:step", args=[3]), form_data(establishment_a, 3, {"Q20": payloads["Q20"]})
    )

    workbook = read(client_a.get(reverse("parcours:export")))

    found = {}
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2):
            if row[1].value in payloads:
                found[row[1].value] = row[3]
    assert set(found) == set(payloads)
    for code, cell in found.items():
        assert cell.value == payloads[code]
        assert cell.data_type == "s", code
    # No formula anywhere in the file.
    raw = BytesIO(client_a.get(reverse("parcours:export")).content)
    import zipfile

    with zipfile.ZipFile(raw) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_export_of_an_empty_programme_and_states(client_b, establishment_b, parcours):
    StepProgress.objects.create(
        establishment=establishment_b,
        step_id=Question.objects.get(code="Q9").block.step_id,
        status="in_progress",
    )
    workbook = read(client_b.get(reverse("parcours:export")))
    summary = {
        row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["Établissement"] == "Boulangerie Bêta"
    assert summary["Étape 2 – Par quoi commencer ?"] == "En cours"


def test_export_runs_a_fixed_number_of_queries(
    client_a, establishment_a, parcours, django_assert_max_num_queries
):
    client_a.post(STEP1, form_data(establishment_a, 1))
    with django_assert_max_num_queries(16):
        client_a.get(reverse("parcours:export"))


def test_export_writes_numbers_as_numbers_dates_as_dates_and_choices_as_labels(
    client_a, establishment_a, parcours
):
    import datetime

    client_a.post(
        STEP1, form_data(establishment_a, 1, {"Q3": "modere", "Q5": "120", "Q7": "2025-03-14"})
    )
    client_a.post(
        reverse("parcours:step", args=[4]), form_data(establishment_a, 4, {"Q27": "12,5"})
    )

    workbook = read(client_a.get(reverse("parcours:export")))

    cells = {}
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2):
            cells[row[1].value] = row[3]
    assert cells["Q5"].value == 120 and cells["Q5"].data_type == "n"
    assert cells["Q27"].value == 12.5 and cells["Q27"].data_type == "n"
    assert cells["Q7"].value == datetime.datetime(2025, 3, 14)
    assert cells["Q7"].number_format == "DD/MM/YYYY"
    assert cells["Q3"].value == "Modéré" and cells["Q3"].data_type == "s"
    assert cells["Q1"].value == "Oui"


def test_export_summary_holds_the_profile_and_the_figures(client_a, establishment_a, parcours):
    workbook = read(client_a.get(reverse("parcours:export")))
    summary = {
        row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["Nom"] == "Martin"
    assert summary["Prénom"] == "Claire"
    assert summary["Fonction"] == "Directrice"
    assert summary["Courriel"] == "direction-73282932000074@example.fr"
    assert summary["Téléphone"] == "0102030405"
    assert summary["Adresse"] == "1 rue de la Paix, 75002 Paris"
    assert summary[
        "Êtes-vous la personne en charge de la mise à jour de l'espace entreprise ?"
    ] == ("Oui")
    assert summary["L'établissement appartient-il à un groupe ou à une filiale ?"] == "Non"
    assert summary["Avez-vous un représentant du personnel (CSE/CHSCT/DP) ?"] == "Oui"
    assert summary["Journées perdues liées aux TMS"] == 169
    assert summary["Journées perdues liées aux TMS, en équivalent temps plein"] == float(
        establishment_a.days_lost_tms_fte
    )
    assert (
        summary["Journées perdues liées aux accidents du travail à l'origine de lombalgies"] == 473
    )
    assert summary["Journées perdues liées aux lombalgies, en équivalent temps plein"] == float(
        establishment_a.days_lost_lumbago_fte
    )
    assert summary["Année des données"] == 2025


def test_export_says_when_the_figures_are_not_known(client_b, establishment_b, parcours):
    workbook = read(client_b.get(reverse("parcours:export")))
    summary = {
        row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["Journées perdues liées aux TMS"] == "Non communiqué"
    assert summary["Année des données"] == "Non communiqué"


def test_export_keeps_the_current_comment_reading_no_earlier_version(
    client_a, establishment_a, parcours
):
    """Of 200 versions, the newest is exported; the comments are one query that
    returns one row per voice and block, whatever the number of versions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    block = Question.objects.get(code="Q1").block
    Comment.objects.bulk_create(
        Comment(
            establishment=establishment_a,
            block=block,
            voice=Comment.Voice.ESTABLISHMENT,
            text=f"Version {index}",
            author=establishment_a.account,
        )
        for index in range(1, 201)
    )
    with CaptureQueriesContext(connection) as queries:
        workbook = read(client_a.get(reverse("parcours:export")))
    rows = {row[1]: row for row in workbook["Étape 1"].iter_rows(min_row=2, values_only=True)}
    assert rows["Q1"][5].startswith("Version 200\n— Ateliers Alpha, ")
    comment_queries = [q["sql"] for q in queries if 'FROM "parcours_comment"' in q["sql"]]
    assert len(comment_queries) == 1
    # That query brings back the current version only, not the 200.
    latest = latest_comments(establishment_a, [block.pk], earlier=0)
    assert [[c.text for c in versions] for versions in latest[block.pk].values()] == [
        ["Version 200"]
    ]
