import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from parcours import tasks
from parcours.models import StepProgress

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
    assert (progress.completion_count, progress.notified_count) == (2, 2)

    # The task run again (redelivery, retry) sends nothing more.
    tasks.send_step_completed.delay(progress.pk, 2)
    tasks.send_step_completed.delay(progress.pk, 1)
    tasks.send_step_completed(progress.pk, 2)
    assert len(outbox) == 2


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
    link = f"https://tmspros.example.fr/admin/parcours/stepprogress/{progress.pk}/change/"
    assert link in body
    assert link in message.alternatives[0][0]


def test_the_email_is_sent_only_after_commit(
    client_a, establishment_a, parcours, outbox, django_capture_on_commit_callbacks
):
    attach(establishment_a, "Q8")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_a.post(STEP1, form_data(establishment_a, 1))
    assert callbacks and outbox == []


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
    assert outbox == []
    assert progress.status == StepProgress.Status.COMPLETE
    assert "no préventeur nor caisse address" in caplog.text
    progress.refresh_from_db()
    assert progress.notified_count == progress.completion_count, "settled, not retried for ever"
    assert tasks.notify_pending_completions() == 0


def test_a_broker_outage_delays_the_email_without_breaking_the_page(
    client_a, establishment_a, parcours, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.send_step_completed, "delay", broker_down)
    attach(establishment_a, "Q8")
    progress = save(client_a, establishment_a, django_capture_on_commit_callbacks)
    assert outbox == [] and progress.notified_count == 0
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_pending_completions() == 1
        assert tasks.notify_pending_completions() == 0
    assert len(outbox) == 1


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
    assert client.get(reverse("admin:parcours_stepprogress_change", args=[b.pk])).status_code == 302


def progress_step(number):
    from parcours.models import Step

    return Step.objects.get(number=number).pk


def test_a_notification_task_run_twice_sends_once(
    establishment_a, parcours, outbox, django_capture_on_commit_callbacks
):
    progress = StepProgress.objects.create(
        establishment=establishment_a, step_id=progress_step(2), completion_count=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_step_completed.delay(progress.pk, 1)
        tasks.send_step_completed.delay(progress.pk, 1)
    assert len(outbox) == 1
    progress.refresh_from_db()
    assert progress.notified_count == 1
