"""Files sent with a step: checked whole before storing, limits, no orphan file."""

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attachments.models import Attachment
from attachments.services import purge_orphan_files
from attachments.tests import files
from parcours.models import StepProgress

STEP1 = reverse("parcours:step", args=[1])


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


def send(client, *uploads, code="Q8", description=""):
    """Step 1 saved with `uploads` on question `code`, as the browser sends it."""
    progress = StepProgress.objects.filter(step__number=1).first()
    data = {"version": str(progress.version if progress else 0), f"files-{code}": list(uploads)}
    if description:
        data[f"description-{code}"] = description
    return client.post(STEP1, data)


def errors_of(response, code="Q8") -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(f"files-{code}", [])]


def test_several_files_are_stored_under_generated_names(client_a, progress_a, establishment_a):
    response = send(
        client_a,
        files.upload("tableau de bord 2025.xlsx", files.xlsx_bytes()),
        files.upload("../../bilan été « final ».pdf", files.pdf_bytes()),
        description="  Version validée en CSE  ",
    )
    assert response.status_code == 302
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


def test_files_of_a_question_of_another_step_are_ignored(client_a, progress_a):
    response = send(client_a, files.upload("a.pdf", files.pdf_bytes()), code="Q99")
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_one_refused_file_stores_none_and_names_it(client_a, progress_a):
    response = send(
        client_a,
        files.upload("bon.pdf", files.pdf_bytes()),
        files.upload("faux.pdf", b"<html><body>hello</body></html>"),
        description="Gardée",
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["files-Q8"]
    assert "« faux.pdf »" in errors_of(response)[0]
    assert 'value="Gardée"' in response.content.decode()  # what was typed is kept
    assert not Attachment.objects.exists()
    assert stored_files() == []


@override_settings(ATTACHMENT_MAX_FILE_MB=1)
def test_file_over_the_size_limit_is_refused(client_a, progress_a):
    big = files.pdf_bytes("x" * (1024 * 1024 + 1))
    response = send(client_a, files.upload("gros.pdf", big))
    assert errors_of(response) == [
        "« gros.pdf » : le fichier dépasse la taille maximale de 1 Mo."
    ]
    assert stored_files() == []


@override_settings(ATTACHMENT_MAX_FILE_MB=1, ATTACHMENT_MAX_TOTAL_MB=2)
def test_establishment_quota_is_checked_before_storing(client_a, progress_a):
    almost_one_mb = files.pdf_bytes("x" * 900_000)
    send(client_a, files.upload("un.pdf", almost_one_mb), files.upload("deux.pdf", almost_one_mb))
    response = send(client_a, files.upload("trois.pdf", almost_one_mb))
    assert "« trois.pdf » : l'espace de 2 Mo" in errors_of(response)[0]
    assert Attachment.objects.count() == 2
    assert len(stored_files()) == 2


def test_storage_failure_midway_leaves_no_orphan_file(client_a, progress_a, monkeypatch):
    calls = {"count": 0}
    original_save = Attachment.save

    def failing_second_save(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_second_save)
    client_a.raise_request_exception = True
    with pytest.raises(RuntimeError):
        send(
            client_a,
            files.upload("un.pdf", files.pdf_bytes()),
            files.upload("deux.pdf", files.pdf_bytes()),
        )
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_rollback_after_the_files_were_written_is_swept(
    client_a, progress_a, time_machine, monkeypatch
):
    """The step's save fails after the files were stored: the sweep removes them."""
    from parcours import services

    def failing_state(*args, **kwargs):
        raise RuntimeError("the rest of the step failed")

    time_machine.move_to("2026-03-02 10:00 +01:00")
    monkeypatch.setattr(services, "_apply_state", failing_state)
    client_a.raise_request_exception = True
    with pytest.raises(RuntimeError):
        send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    monkeypatch.undo()
    assert not Attachment.objects.exists()
    [orphan] = stored_files()
    assert purge_orphan_files() == []  # too recent: may belong to a running upload
    time_machine.move_to("2026-03-02 12:00 +01:00")
    send(client_a, files.upload("gardé.pdf", files.pdf_bytes()))
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


def test_the_purge_task_removes_old_orphans_and_counts_them(
    establishment_a, dashboard_question, time_machine
):
    import io

    from attachments import tasks
    from attachments.tests.conftest import make_attachment

    time_machine.move_to("2026-03-02 10:00 +01:00")
    orphan = default_storage.save("attachments/1/deadbeef", io.BytesIO(b"x"))
    kept = make_attachment(establishment_a, dashboard_question)
    time_machine.move_to("2026-03-02 12:00 +01:00")

    assert tasks.purge_orphan_files.name == "attachments.tasks.purge_orphan_files"
    assert tasks.purge_orphan_files.delay().get() == 1  # eager in tests, as the worker runs it
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name)
    assert tasks.purge_orphan_files() == 0


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database has no row locks"
)
def test_the_space_is_summed_under_a_row_lock_on_the_establishment_only(client_a, progress_a):
    with CaptureQueriesContext(connection) as queries:
        response = send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    [lock] = [q for q in sql if "FOR UPDATE" in q and "profiles_establishment" in q]
    assert 'FROM "profiles_establishment"' in lock
    summed_after = [q for q in sql[sql.index(lock) :] if 'SUM("attachments_attachment"."size")' in q]
    assert summed_after  # the space is summed again once the lock is held
