"""The dashboard workbooks are produced by the project and offered on Q8."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from attachments.models import QuestionTemplate
from attachments.services import inspect_upload
from attachments.tests.files import upload


def build(**options):
    out = io.StringIO()
    call_command("build_templates", stdout=out, **options)
    return out.getvalue()


def workbook_of(template):
    with template.file.open("rb") as stream:
        return load_workbook(io.BytesIO(stream.read()))


def test_three_templates_are_attached_to_q8(dashboard_question, django_capture_on_commit_callbacks):
    assert build() == "3 modèles proposés sur la question Q8.\n"
    templates = list(QuestionTemplate.objects.filter(question=dashboard_question))
    assert [(t.label, t.filename) for t in templates] == [
        ("Télécharger et compléter la trame", "tableau_de_bord_tms_vierge.xlsx"),
        ("Exemple", "Tableau de bord TMS (rempli) (XLSX).xlsx"),
        ("Quiz sanitaire et social", "quiz secteur sanitaire et social.xlsx"),
    ]
    old_names = [t.file.name for t in templates]
    with django_capture_on_commit_callbacks(execute=True):
        build()  # again: replaced, not duplicated, old files removed
    assert QuestionTemplate.objects.count() == 3
    storage = templates[0].file.storage
    assert not any(storage.exists(name) for name in old_names)


def test_blank_dashboard_has_instructions_years_indicators_and_formulas(dashboard_question):
    build()
    template = QuestionTemplate.objects.get(filename="tableau_de_bord_tms_vierge.xlsx")
    workbook = workbook_of(template)
    assert workbook.sheetnames[0] == "Mode d'emploi"
    assert workbook.sheetnames[-1] == "Évolution"
    years = workbook.sheetnames[1:-1]
    assert len(years) == 4 and all(name.isdigit() for name in years)
    sheet = workbook[years[0]]
    labels = [sheet[f"B{row}"].value for row in range(5, 60)]
    text = " ".join(label for label in labels if label)
    for expected in ("Effectif", "Heures travaillées", "tableau 57", "tableau 69", "tableau 79",
                     "tableau 97", "tableau 98", "Journées perdues", "lombalgies",
                     "Journées d'absence", "Sorties", "restrictions d'aptitude", "inaptes",
                     "Indicateur libre n° 1", "Indicateur libre n° 2", "Taux d'absentéisme",
                     "Taux de rotation", "Taux de fréquence"):  # fmt: skip
        assert expected in text
    formulas = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert len(formulas) >= 10
    assert any("SUM(" in f for f in formulas)
    # Input cells are empty in the blank one (but the working-day parameter).
    assert sheet["C5"].value is None
    summary = workbook["Évolution"]
    assert summary["B4"].value.startswith(f"='{years[0]}'!C")


def test_filled_example_has_plausible_figures(dashboard_question):
    build()
    template = QuestionTemplate.objects.get(filename="Tableau de bord TMS (rempli) (XLSX).xlsx")
    workbook = workbook_of(template)
    sheet = workbook["2025"]
    assert sheet["C5"].value == 221  # headcount
    assert sheet["B2"].value == "Exemple – Ateliers de la Vallée"
    assert any(str(c.value).startswith("=IF(") for row in sheet.iter_rows() for c in row)


def test_a_renamed_template_replaces_its_predecessor(dashboard_question):
    build()
    QuestionTemplate.objects.filter(label="Exemple").update(filename="ancien nom.xlsx")
    build()
    assert list(
        QuestionTemplate.objects.filter(label="Exemple").values_list("filename", flat=True)
    ) == ["Tableau de bord TMS (rempli) (XLSX).xlsx"]


def test_quiz_is_a_real_workbook_with_a_score(dashboard_question):
    build()
    workbook = workbook_of(QuestionTemplate.objects.get(filename__startswith="quiz"))
    sheet = workbook["Quiz"]
    assert sheet.data_validations.dataValidation
    assert any("COUNTIF" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_generated_workbooks_pass_the_upload_checks(dashboard_question, tmp_path):
    build(output=tmp_path)
    for path in tmp_path.iterdir():
        inspect_upload(upload(path.name, path.read_bytes()))


def test_missing_question_is_an_error(db):
    with pytest.raises(CommandError, match="load_parcours"):
        build()
