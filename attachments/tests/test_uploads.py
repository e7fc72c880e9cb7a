"""Files sent with a step: checked whole before storing, limits, no orphan file."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import override_settings
from django.utils.datastructures import MultiValueDict

from attachments.models import Attachment
from attachments.services import attach_step_files, purge_orphan_files
from attachments.tests import files


def stored_files():
    try:
        folders, _ = default_storage.listdir("attachments")
    except FileNotFoundError:
        return []
    return [
        f"attachments/{folder}/{name}"
        for folder in folders
        for name in default_storage.listdir(f"attachments/{folder}")[1]
    ]


def send(progress, *uploads, code="Q8", description="", by=None):
    return attach_step_files(
        progress=progress,
        files=MultiValueDict({f"files-{code}": list(uploads)}),
        data={f"description-{code}": description},
        by=by or progress.establishment.account,
    )


def test_several_files_are_stored_under_generated_names(progress_a, establishment_a):
    send(
        progress_a,
        files.upload("tableau de bord 2025.xlsx", files.xlsx_bytes()),
        files.upload("../../bilan été « final ».pdf", files.pdf_bytes()),
        description="  Version validée en CSE  ",
    )
    attachments = Attachment.objects.order_by("pk")
    assert [a.original_name for a in attachments] == [
        "tableau de bord 2025.xlsx",
        "bilan été « final ».pdf",
    ]
    for attachment in attachments:
        assert attachment.description == "Version validée en CSE"
        assert attachment.uploaded_by == establishment_a.account
        assert attachment.file.name.startswith(f"attachments/{establishment_a.pk}/")
        assert attachment.original_name not in attachment.file.name
        assert default_storage.exists(attachment.file.name)
    assert attachments[1].content_type == "application/pdf"
    assert attachments[1].size == len(files.pdf_bytes())


def test_files_of_a_question_of_another_step_are_ignored(progress_a):
    assert send(progress_a, files.upload("a.pdf", files.pdf_bytes()), code="Q99") == []
    assert not Attachment.objects.exists()


def test_one_refused_file_stores_none_and_names_it(progress_a):
    with pytest.raises(ValidationError) as caught:
        send(
            progress_a,
            files.upload("bon.pdf", files.pdf_bytes()),
            files.upload("faux.pdf", b"<html><body>hello</body></html>"),
        )
    assert list(caught.value.message_dict) == ["files-Q8"]
    assert "« faux.pdf »" in caught.value.message_dict["files-Q8"][0]
    assert not Attachment.objects.exists()
    assert stored_files() == []


@override_settings(ATTACHMENT_MAX_FILE_MB=1)
def test_file_over_the_size_limit_is_refused(progress_a):
    big = files.pdf_bytes("x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as caught:
        send(progress_a, files.upload("gros.pdf", big))
    assert caught.value.message_dict["files-Q8"] == [
        "« gros.pdf » : le fichier dépasse la taille maximale de 1 Mo."
    ]
    assert stored_files() == []


@override_settings(ATTACHMENT_MAX_FILE_MB=1, ATTACHMENT_MAX_TOTAL_MB=2)
def test_establishment_quota_is_checked_before_storing(progress_a):
    almost_one_mb = files.pdf_bytes("x" * 900_000)
    send(progress_a, files.upload("un.pdf", almost_one_mb), files.upload("deux.pdf", almost_one_mb))
    with pytest.raises(ValidationError) as caught:
        send(progress_a, files.upload("trois.pdf", almost_one_mb))
    assert "l'espace de 2 Mo" in caught.value.message_dict["files-Q8"][0]
    assert Attachment.objects.count() == 2
    assert len(stored_files()) == 2


def test_storage_failure_midway_leaves_no_orphan_file(progress_a, monkeypatch):
    calls = {"count": 0}
    original_save = Attachment.save

    def failing_second_save(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_second_save)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(
            progress_a,
            files.upload("un.pdf", files.pdf_bytes()),
            files.upload("deux.pdf", files.pdf_bytes()),
        )
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_rollback_after_the_files_were_written_is_swept(progress_a, time_machine):
    """The enclosing save fails after attach_step_files: the sweep removes the files."""
    time_machine.move_to("2026-03-02 10:00 +01:00")
    with pytest.raises(RuntimeError), transaction.atomic():
        send(progress_a, files.upload("un.pdf", files.pdf_bytes()))
        raise RuntimeError("the rest of the step failed")
    assert not Attachment.objects.exists()
    [orphan] = stored_files()
    assert purge_orphan_files() == []  # too recent: may belong to a running upload
    time_machine.move_to("2026-03-02 12:00 +01:00")
    send(progress_a, files.upload("gardé.pdf", files.pdf_bytes()))
    kept = Attachment.objects.get()
    assert purge_orphan_files() == [orphan]
    assert stored_files() == [kept.file.name]


def test_purge_command_reports_and_removes_old_orphans(progress_a, time_machine):
    import io

    from django.core.management import call_command

    time_machine.move_to("2026-03-02 10:00 +01:00")
    orphan = default_storage.save("attachments/1/deadbeef", io.BytesIO(b"x"))
    time_machine.move_to("2026-03-02 12:00 +01:00")
    out = io.StringIO()
    call_command("purge_orphan_files", "--dry-run", stdout=out)
    assert out.getvalue() == f"{orphan}\n1 fichiers orphelins à supprimer.\n"
    assert default_storage.exists(orphan)
    call_command("purge_orphan_files", stdout=io.StringIO())
    assert not default_storage.exists(orphan)
