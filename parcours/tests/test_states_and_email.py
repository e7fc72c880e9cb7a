import logging

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conftest import unreachable_broker
from outbox.models import OutboxMessage
from outbox.tasks import requeue_pending
from parcours.models import Step, StepProgress
from parcours.services import refresh_step_state

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def progress_of(establishment, number=1):
    return StepProgress.objects.get(establishment=establishment, step__number=number)


def save(client, establishment, capture, overrides=None, number=1):
    with capture(execute=True):
        response = client.post(
            reverse("parcours:step", args=[number]), form_data(establishment, number, overrides)
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    return progress_of(establishment, number)


@pytest.fixture
def outbox():
    mail.outbox = []
    return mail.outbox


def test_states_follow_the_answers(
    client_a, establishment_a, parcours, django_capture_on_commit_callbacks
):
    html = client_a.get(reverse("parcours:index")).content.decode()
    assert html.count("tms-badge-to_complete") == 4

    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    # Every question but Q8, whose answer is a deposited document.
    assert progress.status == StepProgress.Status.IN_PROGRESS

    attach(establishment_a, "Q8")
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert progress.status == StepProgress.Status.COMPLETE
    assert progress.completed_at is not None

    # Optional questions may stay empty.
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks, {"Q4": ""})
    assert progress.status == StepProgress.Status.COMPLETE

    html = client_a.get(reverse("parcours:index")).content.decode()
    assert "tms-badge-complete" in html and html.count("tms-badge-to_complete") == 3


def test_exactly_one_email_per_passage_to_complete(
    client_a, establishment_a, preventeur_a, parcours, outbox, django_capture_on_commit_callbacks
):
    attach(establishment_a, "Q8")
    save(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert len(outbox) == 1
    assert outbox[0].to == [preventeur_a.email]

    # Saving a complete step again, changed or not, sends nothing.
    save(client_a, establishment_a, django_capture_on_commit_callbacks)
    save(client_a, establishment_a, django_capture_on_commit_callbacks, {"Q5": "43"})
    assert len(outbox) == 1

    # Incomplete, then complete again: a new passage, a new e-mail.
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks, {"Q1": None})
    assert progress.status == StepProgress.Status.IN_PROGRESS
    assert len(outbox) == 1
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert progress.status == StepProgress.Status.COMPLETE
    assert len(outbox) == 2
    assert progress.completion_count == 2
    assert OutboxMessage.objects.count() == 2


def test_the_email_names_the_establishment_siret_step_and_back_office_link(
    client_a, establishment_a, parcours, outbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tmspros.example.fr"
    attach(establishment_a, "Q8")
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    message = outbox[0]
    assert "Ateliers Alpha" in message.subject and "étape 1" in message.subject
    body = message.body
    assert "Ateliers Alpha" in body and "73282932000074" in body
    assert "En quoi suis-je concerné ?" in body
    follow = reverse("admin:profiles_establishment_follow", args=[progress.establishment_id])
    link = f"https://tmspros.example.fr{follow}#etape-1"
    assert link in body
    assert link in message.alternatives[0][0]


def test_completing_a_step_writes_one_email_in_its_transaction_sent_after_commit(
    client_a, establishment_a, preventeur_a, parcours, outbox, django_capture_on_commit_callbacks
):
    attach(establishment_a, "Q8")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_a.post(STEP1, form_data(establishment_a, 1))
    row = OutboxMessage.objects.get()
    assert (row.status, row.to) == (OutboxMessage.Status.PENDING, [preventeur_a.email])
    assert callbacks and outbox == []


def test_a_completion_rolled_back_leaves_no_email(
    client_a, establishment_a, parcours, outbox, django_capture_on_commit_callbacks
):
    save(client_a, establishment_a, django_capture_on_commit_callbacks)  # all but Q8
    attach(establishment_a, "Q8")
    with pytest.raises(RuntimeError), transaction.atomic():
        progress = refresh_step_state(
            establishment=establishment_a, step=Step.objects.get(number=1)
        )
        assert progress.status == StepProgress.Status.COMPLETE
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("something later in the same transaction failed")
    assert not OutboxMessage.objects.exists()
    assert progress_of(establishment_a).completion_count == 0
    assert outbox == []


def test_without_preventeur_the_caisse_contact_is_told(
    client_b, establishment_b, parcours, outbox, django_capture_on_commit_callbacks
):
    attach(establishment_b, "Q8")
    save(client_b, establishment_b, django_capture_on_commit_callbacks)
    assert [m.to for m in outbox] == [["tmspros@carsat-nordpicardie.fr"]]


def test_a_preventeur_without_email_field_is_told_at_the_address_he_signs_in_with(
    client_a, establishment_a, preventeur_a, parcours, outbox, django_capture_on_commit_callbacks
):
    # The demo's préventeur signs in as preventeur@cramif.example.fr, e-mail field empty.
    preventeur_a.email = ""
    preventeur_a.save()
    attach(establishment_a, "Q8")
    save(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert [m.to for m in outbox] == [["prev.a@cramif.example.fr"]]


def test_without_any_address_nothing_is_sent_and_it_is_logged(
    client_b, establishment_b, parcours, outbox, caplog, django_capture_on_commit_callbacks
):
    establishment_b.caisse.email = ""
    establishment_b.caisse.save()
    attach(establishment_b, "Q8")
    with caplog.at_level(logging.WARNING, logger="parcours.emails"):
        progress = save(client_b, establishment_b, django_capture_on_commit_callbacks)
    assert outbox == [] and not OutboxMessage.objects.exists()
    assert progress.status == StepProgress.Status.COMPLETE
    assert progress.completion_count == 1
    assert "no préventeur nor caisse address" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_delays_the_email_without_breaking_the_page(
    client_a, establishment_a, preventeur_a, parcours, outbox
):
    attach(establishment_a, "Q8")
    with unreachable_broker():
        response = client_a.post(STEP1, form_data(establishment_a, 1))
        assert response.status_code == 302
    assert progress_of(establishment_a).status == StepProgress.Status.COMPLETE
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING and outbox == []

    assert requeue_pending(older_than_seconds=0) == 1
    assert [m.to for m in outbox] == [[preventeur_a.email]]


def test_a_validated_step_keeps_its_validation_when_changed_but_is_flagged(
    client_a,
    establishment_a,
    preventeur_a,
    admin_client,
    parcours,
    django_capture_on_commit_callbacks,
):
    attach(establishment_a, "Q8")
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    StepProgress.objects.filter(pk=progress.pk).update(
        status=StepProgress.Status.VALIDATED, validated_at=timezone.now(), validated_by=preventeur_a
    )
    html = client_a.get(reverse("parcours:index")).content.decode()
    assert "tms-badge-validated" in html and "✔" in html

    save(client_a, establishment_a, django_capture_on_commit_callbacks)  # nothing changed
    assert progress_of(establishment_a).modified_since_validation is False

    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks, {"Q5": "50"})
    assert progress.status == StepProgress.Status.VALIDATED
    assert progress.validated_by == preventeur_a
    assert progress.modified_since_validation is True

    changelist = admin_client.get(reverse("admin:parcours_stepprogress_changelist"))
    assert "modifiée depuis la validation" in changelist.content.decode()


def test_preventeurs_see_only_their_caisses_progress_in_the_admin(
    client, establishment_a, establishment_b, preventeur_a, parcours
):
    from django.contrib.auth.models import Permission

    preventeur_a.user_permissions.add(Permission.objects.get(codename="view_stepprogress"))
    a = StepProgress.objects.create(establishment=establishment_a, step_id=progress_step(1))
    b = StepProgress.objects.create(establishment=establishment_b, step_id=progress_step(1))
    client.force_login(preventeur_a)
    assert client.get(reverse("admin:parcours_stepprogress_change", args=[a.pk])).status_code == 200
    assert client.get(reverse("admin:parcours_stepprogress_change", args=[b.pk])).status_code == 404


def progress_step(number):
    from parcours.models import Step

    return Step.objects.get(number=number).pk
