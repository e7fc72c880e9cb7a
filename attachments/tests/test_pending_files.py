"""A step refused for another reason keeps the files chosen in PARCOURIR, and says so truly.

Nothing of the step is saved (nothing half-saved); a file that passed its
checks is kept for that establishment and question, shown "prêt à être
enregistré" with its name, stored as a document when the form is then saved,
and discarded after a delay by the orphan files' sweep. The banner never says
"Rien de ce que vous avez saisi n'est perdu" when a file was not kept.
"""

import io
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from attachments import tasks
from attachments.models import Attachment, PendingUpload
from attachments.services import PENDING_UPLOAD_LIFETIME
from attachments.tests import files
from conftest import log_in, screenshot
from parcours.models import Answer, Question

STEP1 = reverse("parcours:step", args=[1])
NOTHING_LOST = "Rien de ce que vous avez saisi n'est perdu"


def post_step(client, *uploads, answer="peut-être", pending=(), description=""):
    """Step 1 with an answer to T7 (invalid by default) and `uploads` on Q8."""
    t7 = Question.objects.get(code="T7")
    data = {"version": "0", f"q_{t7.pk}": answer, "files-Q8": list(uploads)}
    if pending:
        data["pending-Q8"] = [str(pk) for pk in pending]
    if description:
        data["description-Q8"] = description
    return client.post(STEP1, data)


def test_a_valid_file_of_a_refused_form_is_kept_and_shown_ready(client_a, progress_a):
    response = post_step(client_a, files.upload("bilan 2025.pdf", files.pdf_bytes()))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    pending = PendingUpload.objects.get()
    assert (pending.establishment, pending.question.code) == (progress_a.establishment, "Q8")
    assert pending.original_name == "bilan 2025.pdf"
    assert "« bilan 2025.pdf » (" in html and ") : prêt à être enregistré" in html
    assert f'name="pending-Q8" value="{pending.pk}"' in html
    assert f"{NOTHING_LOST} : les fichiers choisis sont gardés" in html
    assert not Attachment.objects.exists() and not Answer.objects.exists()


def test_the_kept_file_is_attached_when_the_form_is_then_saved(client_a, progress_a):
    post_step(client_a, files.upload("bilan.pdf", files.pdf_bytes("kept")))
    pending = PendingUpload.objects.get()
    pending_name = pending.file.name
    response = post_step(client_a, answer="oui", pending=[pending.pk], description="Bilan")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.description) == ("bilan.pdf", "Bilan")
    assert attachment.question.code == "Q8"
    assert attachment.file.read() == files.pdf_bytes("kept")
    assert not PendingUpload.objects.exists()
    assert attachment.file.name != pending_name


def test_a_file_unticked_is_not_attached(client_a, progress_a):
    post_step(client_a, files.upload("bilan.pdf", files.pdf_bytes()))
    response = post_step(client_a, answer="oui")
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_another_establishments_pending_file_is_never_attached(
    client_a, progress_a, client_b, establishment_b
):
    post_step(client_b, files.upload("secret-b.pdf", files.pdf_bytes()))
    theirs = PendingUpload.objects.get()
    assert theirs.establishment == establishment_b
    response = post_step(client_a, answer="oui", pending=[theirs.pk, "x", 2**70])
    assert response.status_code == 302
    assert not Attachment.objects.filter(establishment=progress_a.establishment).exists()


def test_a_refused_file_is_named_by_the_banner_and_its_valid_neighbour_kept(client_a, progress_a):
    response = post_step(
        client_a,
        files.upload("bon.pdf", files.pdf_bytes()),
        files.upload("faux.pdf", b"<html><body>hello</body></html>"),
    )
    html = unescape(response.content.decode())
    assert NOTHING_LOST not in html
    assert "ces fichiers ne sont pas gardés et doivent être choisis à nouveau" in html
    assert "« faux.pdf » (Q8)" in html
    assert "« bon.pdf » (Q8)" not in html
    assert PendingUpload.objects.get().original_name == "bon.pdf"


@override_settings(ATTACHMENT_MAX_TOTAL_MB=1)
def test_files_beyond_the_space_are_not_kept_and_the_banner_says_which(client_a, progress_a):
    almost_half = files.pdf_bytes("x" * 450_000)
    post_step(client_a, files.upload("un.pdf", almost_half))
    post_step(client_a, files.upload("deux.pdf", almost_half))
    response = post_step(client_a, files.upload("trois.pdf", almost_half))
    html = unescape(response.content.decode())
    assert sorted(PendingUpload.objects.values_list("original_name", flat=True)) == [
        "deux.pdf",
        "un.pdf",
    ]
    assert "« trois.pdf » (Q8)" in html and NOTHING_LOST not in html


def test_without_files_the_banner_still_says_nothing_is_lost(client_a, progress_a):
    html = unescape(post_step(client_a).content.decode())
    assert f"{NOTHING_LOST}." in html
    assert "prêt à être enregistré" not in html


def test_a_file_of_a_save_that_met_a_conflict_is_kept_and_shown_ready(client_a, progress_a):
    from django.test import Client

    colleague = Client()
    colleague.force_login(progress_a.establishment.account)
    assert post_step(colleague, answer="oui").status_code == 302  # version 0 → 1
    response = post_step(client_a, files.upload("bilan.pdf", files.pdf_bytes()), answer="non")
    assert response.status_code == 409
    pending = PendingUpload.objects.get()
    assert pending.original_name == "bilan.pdf"
    html = unescape(response.content.decode())
    assert f'name="pending-Q8" value="{pending.pk}"' in html
    assert ") : prêt à être enregistré" in html
    assert not Attachment.objects.exists()
    # Saving from the conflict page (its version is the current one) attaches it.
    progress_a.refresh_from_db()
    t7 = Question.objects.get(code="T7")
    again = {"version": str(progress_a.version), f"q_{t7.pk}": "non", "pending-Q8": [pending.pk]}
    assert client_a.post(STEP1, again).status_code == 302
    assert Attachment.objects.get().original_name == "bilan.pdf"


def test_kept_files_are_discarded_after_their_delay_by_the_purge(
    client_a, progress_a, time_machine
):
    time_machine.move_to("2026-03-02 10:00 +01:00")
    post_step(client_a, files.upload("bilan.pdf", files.pdf_bytes()))
    name = PendingUpload.objects.get().file.name
    time_machine.move_to("2026-03-02 12:00 +01:00")
    call_command("purge_orphan_files", stdout=io.StringIO())
    assert default_storage.exists(name), "a kept file is no orphan while it waits"
    time_machine.move_to(timezone.now() + PENDING_UPLOAD_LIFETIME + timedelta(minutes=1))
    assert tasks.purge_orphan_files.delay().get() == 1
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.browser
def test_a_chosen_file_survives_an_invalid_save_in_the_browser(
    page, live_server, progress_a, tmp_path
):
    from playwright.sync_api import expect

    establishment = progress_a.establishment
    log_in(page, live_server, establishment.account)
    # A number question that refuses a letter, as a person mistypes one.
    t7 = Question.objects.get(code="T7")
    Question.objects.filter(pk=t7.pk).update(kind=Question.Kind.NUMBER)
    chosen = tmp_path / "tableau de bord.pdf"
    chosen.write_bytes(files.pdf_bytes())
    page.goto(STEP1)
    page.get_by_label("Joindre votre tableau de bord").set_input_files(str(chosen))
    page.get_by_label("Description du document (facultative)").fill("Bilan annuel")
    page.get_by_label("Avez-vous fait un état des lieux ?", exact=False).fill("douze")
    page.get_by_role("button", name="ENREGISTRER").click()

    alert = page.get_by_role("alert").filter(has_text="Certaines réponses")
    expect(alert).to_contain_text(f"{NOTHING_LOST} : les fichiers choisis sont gardés")
    ready = page.get_by_label("« tableau de bord.pdf »", exact=False)
    expect(ready).to_be_checked()
    expect(page.get_by_text("prêt à être enregistré")).to_be_visible()
    screenshot(page, "step-file-kept-after-invalid-save")

    page.get_by_label("Avez-vous fait un état des lieux ?", exact=False).fill("12")
    page.get_by_role("button", name="ENREGISTRER").click()
    expect(page.get_by_text("Vos réponses ont été enregistrées.")).to_be_visible()
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.description) == (
        "tableau de bord.pdf",
        "Bilan annuel",
    )
    expect(page.get_by_role("link", name="tableau de bord.pdf")).to_be_visible()


def test_files_refused_by_a_concurrent_save_for_space_are_named_to_choose_again(
    client_a, progress_a, monkeypatch
):
    """The form passed its checks, but another save took the space meanwhile."""
    from attachments.services import QuotaExceeded
    from parcours import services

    def space_taken(**kwargs):
        raise QuotaExceeded("L'espace de votre établissement est plein.")

    monkeypatch.setattr(services, "store_documents", space_taken)
    response = post_step(client_a, files.upload("bilan.pdf", files.pdf_bytes()), answer="oui")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert NOTHING_LOST not in html
    assert "« bilan.pdf » (Q8)" in html
    assert not Attachment.objects.exists() and not Answer.objects.exists()
