"""The orphan sweep as a Celery task, the quota under a lock, one script per page, labels."""

import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from attachments import services, tasks
from attachments.models import Attachment
from attachments.tests import files
from attachments.tests.conftest import make_attachment
from profiles.models import Establishment

from .test_pages import render_include


def test_the_purge_task_removes_old_orphans_and_counts_them(
    establishment_a, dashboard_question, time_machine
):
    time_machine.move_to("2026-03-02 10:00 +01:00")
    orphan = default_storage.save("attachments/1/deadbeef", io.BytesIO(b"x"))
    kept = make_attachment(establishment_a, dashboard_question)
    time_machine.move_to("2026-03-02 12:00 +01:00")

    assert tasks.purge_orphan_files.name == "attachments.tasks.purge_orphan_files"
    assert tasks.purge_orphan_files.delay().get() == 1  # eager in tests, as the worker runs it
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name)
    assert tasks.purge_orphan_files() == 0


def test_used_space_is_summed_under_the_establishments_lock(progress_a, monkeypatch):
    events = []
    real_select_for_update, real_used_bytes = QuerySet.select_for_update, services.used_bytes

    def spy_select_for_update(self, *args, **kwargs):
        events.append(("lock", self.model))
        return real_select_for_update(self, *args, **kwargs)

    def spy_used_bytes(establishment):
        events.append(("sum", connection.in_atomic_block))
        return real_used_bytes(establishment)

    monkeypatch.setattr(QuerySet, "select_for_update", spy_select_for_update)
    monkeypatch.setattr(services, "used_bytes", spy_used_bytes)
    services.attach_step_files(
        progress=progress_a,
        files=MultiValueDict({"files-Q8": [files.upload("un.pdf", files.pdf_bytes())]}),
        data={},
        by=progress_a.establishment.account,
    )
    assert events == [("lock", Establishment), ("sum", True)]


def test_the_question_include_loads_no_script(establishment_a, dashboard_question):
    assert "<script" not in render_include(establishment_a, dashboard_question)


def test_the_step_page_loads_the_attachments_script_once(client_a, progress_a, dashboard_question):
    from parcours.models import Question

    # Two questions taking files on the page.
    Question.objects.filter(code="T7").update(accepts_files=True)
    html = client_a.get(reverse("parcours:step", args=[1])).content.decode()
    assert 'id="files-T7"' in html and 'id="files-Q8"' in html
    assert html.count("js/attachments.js") == 1


def test_my_attachments_names_who_deposited_each_document(
    client_a, establishment_a, preventeur_a, dashboard_question
):
    make_attachment(establishment_a, dashboard_question, "a.pdf")
    by_preventeur = make_attachment(establishment_a, dashboard_question, "b.pdf")
    by_removed_account = make_attachment(establishment_a, dashboard_question, "c.pdf")
    Attachment.objects.filter(pk=by_preventeur.pk).update(uploaded_by=preventeur_a)
    Attachment.objects.filter(pk=by_removed_account.pk).update(uploaded_by=None)
    html = client_a.get(reverse("attachments:index")).content.decode()
    for label in ("Ateliers Alpha", "Paul Durand", "compte supprimé"):
        assert f"<td>{label}</td>" in html


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database has no row locks"
)
def test_the_lock_is_a_row_lock_on_the_establishment_only(progress_a):
    with CaptureQueriesContext(connection) as queries:
        services.attach_step_files(
            progress=progress_a,
            files=MultiValueDict({"files-Q8": [files.upload("un.pdf", files.pdf_bytes())]}),
            data={},
            by=progress_a.establishment.account,
        )
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert 'FROM "profiles_establishment"' in locks[0]
