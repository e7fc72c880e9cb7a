"""The documents journey in Chromium: deposit on Q8, see it, download it, delete it."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from attachments.models import Attachment
from attachments.tests.files import pdf_bytes
from conftest import log_in, screenshot

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NAME = "tableau de bord 2025 « été ».pdf"


def test_deposit_on_q8_see_download_and_delete(
    transactional_db, page, live_server, establishment_a
):
    call_command("load_parcours", stdout=io.StringIO())  # Q8 and its templates
    log_in(page, live_server, establishment_a.account)
    page.goto("/parcours/etape/1/")
    documents = page.locator("#documents-Q8")

    # The blank dashboard is offered as a real workbook.
    with page.expect_download() as template_download:
        documents.get_by_role("link", name="tableau_de_bord_tms_vierge.xlsx").click()
    assert template_download.value.suggested_filename == "tableau_de_bord_tms_vierge.xlsx"
    with open(template_download.value.path(), "rb") as stream:
        workbook = load_workbook(io.BytesIO(stream.read()))
    assert workbook.sheetnames[0] == "Mode d'emploi"

    # A web page renamed .pdf is refused next to Q8; what was typed stays.
    documents.get_by_label("Joindre votre tableau de bord").set_input_files(
        files=[{"name": "faux.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}]
    )
    description = documents.get_by_label("Description du document (facultative)")
    description.fill("Version présentée au CSE")
    page.get_by_role("button", name="Enregistrer").click()
    alert = page.locator("#errors-Q8")
    assert "« faux.pdf » : le fichier contient une page web" in alert.inner_text()
    assert description.input_value() == "Version présentée au CSE"
    screenshot(page, "attachments-refused")
    page.locator("#documents-Q8").screenshot(path=ARTIFACTS / "attachments-refused-q8.png")
    assert not Attachment.objects.exists()

    # A real one is kept, with its description.
    documents = page.locator("#documents-Q8")
    documents.get_by_label("Joindre votre tableau de bord").set_input_files(
        files=[{"name": NAME, "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos réponses ont été enregistrées.").wait_for()
    row = page.locator("#documents-Q8 tbody tr")
    assert row.count() == 1
    assert NAME in row.inner_text() and "Version présentée au CSE" in row.inner_text()
    page.locator("#documents-Q8").scroll_into_view_if_needed()
    screenshot(page, "attachments-step")

    # In "Mes pièces jointes", and downloadable under its own name.
    page.get_by_role("link", name="Mes pièces jointes").click()
    page.get_by_role("heading", name="Étape 1 – En quoi suis-je concerné ?").wait_for()
    assert "Ateliers Alpha" in page.locator("tbody tr").inner_text()
    screenshot(page, "attachments")
    with page.expect_download() as document_download:
        page.get_by_role("link", name=NAME).click()
    assert document_download.value.suggested_filename == NAME
    with open(document_download.value.path(), "rb") as stream:
        assert stream.read() == pdf_bytes()

    # Deleted from the step page, after the confirmation.
    page.goto("/parcours/etape/1/")
    page.get_by_label(f"Sélectionner {NAME}").check()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("#documents-Q8").get_by_role("button", name="Supprimer la sélection").click()
    page.get_by_text(f"La pièce jointe « {NAME} » a été supprimée.").wait_for()
    assert "Supprimer définitivement" in dialogs[0]
    assert page.url.endswith("/parcours/etape/1/")
    assert (
        "Aucun document déposé pour cette question." in page.locator("#documents-Q8").inner_text()
    )
    assert not Attachment.objects.exists()
