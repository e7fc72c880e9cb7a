"""Documents deposited or deleted change the step: its state, its version, its flag.

Rules of issues 4 and 5: a documents-only question (Q8) is answered while it
holds a document; a step that became incomplete and complete again notifies
the préventeur again; a validated step that is changed afterwards keeps its
validation but is flagged "modifiée depuis la validation".
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment
from attachments.tests import files
from parcours.models import StepProgress

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}


def progress_of(establishment, number=1):
    return StepProgress.objects.get(establishment=establishment, step__number=number)


def save_step(client, establishment, capture, *uploads, code="Q8", number=1):
    data = form_data(establishment, number)
    if uploads:
        data[f"files-{code}"] = list(uploads)
    with capture(execute=True):
        response = client.post(reverse("parcours:step", args=[number]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return progress_of(establishment, number)


def delete_from_step_page(client, establishment, capture, *attachments, number=1):
    """The step page's "Supprimer la sélection": the whole step form, posted elsewhere."""
    page = reverse("parcours:step", args=[number])
    data = form_data(establishment, number)
    data.update({"delete": [a.pk for a in attachments], "confirm": "1"})
    with capture(execute=True):
        response = client.post(f"{reverse('documents:delete')}?next={page}", data)
    assert response.status_code == 302
    assert response["Location"] == page


def validate(progress, by):
    StepProgress.objects.filter(pk=progress.pk).update(
        status=StepProgress.Status.VALIDATED, validated_at=timezone.now(), validated_by=by
    )


def test_deleting_the_only_q8_document_makes_the_step_incomplete_and_completing_again_notifies(
    client_a,
    establishment_a,
    preventeur_a,
    parcours,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    progress = save_step(
        client_a,
        establishment_a,
        django_capture_on_commit_callbacks,
        files.upload("tableau de bord.pdf", files.pdf_bytes()),
    )
    assert progress.status == StepProgress.Status.COMPLETE
    assert len(mailoutbox) == 1
    document = Attachment.objects.get()

    delete_from_step_page(client_a, establishment_a, django_capture_on_commit_callbacks, document)

    progress = progress_of(establishment_a)
    assert not Attachment.objects.exists()
    assert progress.status == StepProgress.Status.IN_PROGRESS
    assert progress.completed_at is None
    assert len(mailoutbox) == 1

    progress = save_step(
        client_a,
        establishment_a,
        django_capture_on_commit_callbacks,
        files.upload("tableau de bord v2.pdf", files.pdf_bytes()),
    )
    assert progress.status == StepProgress.Status.COMPLETE
    assert progress.completion_count == 2
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [preventeur_a.email]


def test_deleting_from_my_attachments_refreshes_every_step_touched(
    client_a, establishment_a, parcours, django_capture_on_commit_callbacks
):
    first = attach(establishment_a, "Q8")
    progress = save_step(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert progress.status == StepProgress.Status.COMPLETE
    # A document of step 3, never saved: its progress is created by the refresh.
    other = attach(establishment_a, "Q18", "plan d'actions.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("documents:delete"), {"delete": [first.pk, other.pk], "confirm": "1"}
        )
    assert response["Location"] == reverse("documents:index")
    progress = progress_of(establishment_a)
    assert progress.status == StepProgress.Status.IN_PROGRESS
    assert progress.completed_at is None
    assert progress_of(establishment_a, 3).version == 1


def test_a_deletion_on_a_validated_step_flags_it_and_makes_open_pages_stale(
    client_a, establishment_a, preventeur_a, parcours, django_capture_on_commit_callbacks
):
    kept, deleted = attach(establishment_a, "Q8", "2024.xlsx"), attach(establishment_a, "Q8")
    progress = save_step(client_a, establishment_a, django_capture_on_commit_callbacks)
    validate(progress, preventeur_a)
    stale_page = form_data(establishment_a, 1, {"Q4": "Écrit avant la suppression"})

    delete_from_step_page(client_a, establishment_a, django_capture_on_commit_callbacks, deleted)

    after = progress_of(establishment_a)
    assert after.status == StepProgress.Status.VALIDATED
    assert after.validated_by == preventeur_a
    assert after.modified_since_validation is True
    assert after.version == progress.version + 1
    assert after.updated_by == establishment_a.account
    assert Attachment.objects.get() == kept

    response = client_a.post(STEP1, stale_page)
    assert response.status_code == 409


def test_a_new_file_on_a_validated_step_flags_it(
    client_a, establishment_a, preventeur_a, parcours, django_capture_on_commit_callbacks
):
    attach(establishment_a, "Q8")
    progress = save_step(client_a, establishment_a, django_capture_on_commit_callbacks)
    validate(progress, preventeur_a)

    # Q8 already held a document: the set of questions with documents is the same.
    after = save_step(
        client_a,
        establishment_a,
        django_capture_on_commit_callbacks,
        files.upload("tableau de bord 2026.pdf", files.pdf_bytes()),
    )
    assert Attachment.objects.count() == 2
    assert after.status == StepProgress.Status.VALIDATED
    assert after.modified_since_validation is True
    assert after.version == progress.version + 1
