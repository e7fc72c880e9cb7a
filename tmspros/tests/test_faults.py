"""Services stopped under the portal: Redis down, SMTP refusing, PostgreSQL restarted.

Real processes on loopback (tmspros/tests/processes.py): gunicorn on a
database of its own, a redis-server of the test's own, a counting SMTP server
(tmspros/tests/smtp_sink.py). Every wait has a deadline; every process is
stopped in `finally`.
"""

import os
import shlex
import subprocess
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from outbox import tasks
from outbox.models import OutboxMessage
from outbox.services import MAX_ATTEMPTS
from outbox.tasks import deliver_message, requeue_pending
from tmspros.tests import processes
from tmspros.tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.faults

# A request answers "in its usual time": a guard against the 19 s of
# Celery's publish retries, not a benchmark.
USUAL_TIME = 2.0
STEP1 = "/parcours/etape/1/"
needs_redis = pytest.mark.skipif(
    processes.redis_server_path() is None,
    reason="redis-server is not installed (.ci/run installs it)",
)


def a_document(size=20_000):
    line = b"Tableau de bord TMS : indicateurs du mois.\n"
    return ("tableau de bord.txt", line * (size // len(line)), "text/plain")


def outbox_rows(database):
    return database.query("SELECT subject, status, attempts FROM outbox_outboxmessage ORDER BY id")


@needs_redis
def test_with_redis_down_every_page_answers_and_the_mail_waits_in_the_outbox(tmp_path):
    redis = processes.RedisServer(tmp_path)  # its port, closed: Redis is down
    sink = SmtpSink()
    worker = None
    try:
        with processes.process_database(tmp_path) as database:
            env = processes.base_env(
                database.url, tmp_path, REDIS_URL=redis.url, EMAIL_URL=sink.url
            )
            with processes.gunicorn(env, tmp_path) as port:
                browser = processes.Browser(port)
                timed = []

                def answer(response, *statuses):
                    timed.append(response.seconds)
                    assert response.status in statuses, response.text[:2000]
                    assert response.seconds < USUAL_TIME
                    return response

                answer(browser.get("/compte/login/"), 200)
                browser.log_in()
                answer(browser.get("/"), 200)
                health = answer(browser.get("/sante/"), 503)
                assert '"broker": "error"' in health.text and '"database": "ok"' in health.text

                # "Mot de passe oublié ?" (the rate limits live in the database).
                anonymous = processes.Browser(port)
                page = answer(anonymous.get("/compte/password/reset/"), 200)
                answer(
                    anonymous.post(
                        "/compte/password/reset/",
                        {"email": processes.SIRET},
                        token=anonymous.csrf(page),
                    ),
                    302,
                )

                # An upload, then a save that completes the step (an e-mail to the préventeur).
                page = answer(browser.get(STEP1), 200)
                answer(
                    browser.post(
                        STEP1,
                        {"version": processes.step_version(page)},
                        {"files-Q8": a_document()},
                        token=browser.csrf(page),
                    ),
                    302,
                )
                page = answer(browser.get(STEP1), 200)
                fields = {**database.seed["step1"], "version": processes.step_version(page)}
                answer(browser.post(STEP1, fields, token=browser.csrf(page)), 302)
                assert "Vos réponses ont été enregistrées" in answer(browser.get(STEP1), 200).text

            rows = outbox_rows(database)
            assert [(status, attempts) for _, status, attempts in rows] == [("pending", 0)] * 2
            assert sink.subjects() == []

            # Redis is back: the requeue (beat, every 5 minutes) hands them to a worker.
            redis.start()
            worker = processes.celery_worker(env, tmp_path, "w")
            processes.manage(env, "requeue_outbox", "--older-than", "0")
            processes.wait_for(
                lambda: {status for _, status, _ in outbox_rows(database)} == {"sent"},
                timeout=60,
                what="the two e-mails sent",
                interval=0.5,
            )
            time.sleep(1)
            assert sorted(sink.subjects()) == sorted(subject for subject, _, _ in rows)
    finally:
        if worker is not None:
            processes.stop(worker)
        sink.stop()
        redis.stop()


def smtp_mailer(sink_port):
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": sink_port, "timeout": 5},
    }


def test_smtp_refusing_retries_with_back_off_then_fails_visibly_and_nothing_is_lost(
    db, settings, client, national_team, monkeypatch, django_capture_on_commit_callbacks
):
    """Celery runs in process here: its retries come at once, their countdowns are recorded."""
    countdowns, backoff = [], tasks.backoff

    def recorded_backoff(retries):
        countdowns.append(backoff(retries))
        return countdowns[-1]

    monkeypatch.setattr(tasks, "backoff", recorded_backoff)
    with SmtpSink() as sink:
        settings.MAILERS = {**settings.MAILERS, "delivery": smtp_mailer(sink.port)}
        with transaction.atomic():
            EmailMessage("Activez votre compte", "Texte", None, ["a@example.fr"]).send()
            EmailMessage("Étape 1 complète", "Texte", None, ["b@example.fr"]).send()
        first, second = OutboxMessage.objects.order_by("pk")

        sink.refuse = "451 4.3.0 Essayez plus tard"
        deliver_message.apply((first.pk,))
        first.refresh_from_db()
        assert (first.status, first.attempts) == (OutboxMessage.Status.PENDING, 8)
        assert "451" in first.last_error
        # The eighth failure asks for a ninth try too: max_retries refuses it.
        assert countdowns == [60, 120, 240, 480, 960, 1920, 3600, 3600], "exponential, 1 h at most"

        # The server is back: the hourly requeue sends the waiting message, once.
        sink.refuse = ""
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert requeue_pending(older_than_seconds=0) == 2  # and the second, never sent
        assert sorted(sink.subjects()) == ["Activez votre compte", "Étape 1 complète"]

        # A message the server refuses for good ends "En échec" after MAX_ATTEMPTS.
        with transaction.atomic():
            EmailMessage("Réinitialisation", "Texte", None, ["c@example.fr"]).send()
        refused = OutboxMessage.objects.get(subject="Réinitialisation")
        sink.refuse = "550 5.7.1 Destinataire refusé"
        hours = 0
        while refused.status != OutboxMessage.Status.FAILED and hours < 10:
            hours += 2
            with time_machine.travel(timezone.now() + timedelta(hours=hours)):
                requeue_pending(older_than_seconds=0)
            refused.refresh_from_db()
        assert (refused.status, refused.attempts) == (OutboxMessage.Status.FAILED, MAX_ATTEMPTS)
        assert "550" in refused.last_error and "Destinataire refusé" in refused.last_error

        # The national team sees it, with its error, and sends it again once the cause is fixed.
        client.force_login(national_team)
        changelist = reverse("admin:outbox_outboxmessage_changelist")
        page = client.get(changelist, {"status__exact": "failed"}).content.decode()
        assert "Réinitialisation" in page and "Destinataire refusé" in page
        assert "Activez votre compte" not in page
        sink.refuse = ""
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                changelist, {"action": "send_again", "_selected_action": [refused.pk]}
            )
        assert response.status_code == 302
        refused.refresh_from_db()
        assert refused.status == OutboxMessage.Status.SENT
        assert sink.subjects().count("Réinitialisation") == 1
        assert len(sink.subjects()) == 3


def test_smtp_closed_keeps_the_message_pending_until_the_server_answers(db, settings):
    sink = SmtpSink()
    port = sink.port
    sink.stop()
    settings.MAILERS = {**settings.MAILERS, "delivery": smtp_mailer(port)}
    with transaction.atomic():
        EmailMessage("Objet", "Texte", None, ["a@example.fr"]).send()
    row = OutboxMessage.objects.get()
    deliver_message.apply((row.pk,))
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.PENDING and "Connection refused" in row.last_error
    with SmtpSink(port) as sink:
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert requeue_pending(older_than_seconds=0) == 1
        assert sink.subjects() == ["Objet"]


PG_CTL = os.environ.get("TEST_PG_CTL", "")


@pytest.mark.skipif(
    not (processes.postgres_url() and PG_CTL),
    reason="PostgreSQL only, with TEST_PG_CTL to restart it (CI's second run, .ci/run)",
)
def test_postgresql_restarted_the_next_request_succeeds_and_no_step_is_half_saved(tmp_path):
    import psycopg2

    try:
        with processes.process_database(tmp_path) as database:
            env = processes.base_env(database.url, tmp_path)
            with processes.gunicorn(env, tmp_path, workers=1, threads=2) as port:
                browser = processes.Browser(port)
                browser.log_in()
                page = browser.get(STEP1)
                fields = {**database.seed["step1"], "version": processes.step_version(page)}
                assert browser.post(STEP1, fields, token=browser.csrf(page)).status == 302
                saved = database.query("SELECT question_id, value FROM parcours_answer ORDER BY 1")
                assert saved

                # A save holds its transaction: answers changed, a document written…
                page = browser.get(STEP1)
                changed = {name: "7" if value == "42" else value for name, value in fields.items()}
                changed["version"] = processes.step_version(page)
                # …and waits for the step's progress row (locked here) when PostgreSQL restarts.
                blocker = psycopg2.connect(database.url, connect_timeout=5)
                blocker.cursor().execute("LOCK TABLE parcours_stepprogress IN SHARE MODE")
                outcome = {}

                def interrupted_save():
                    outcome["response"] = browser.post(
                        STEP1, changed, {"files-Q8": a_document()}, token=browser.csrf(page)
                    )

                saving = threading.Thread(target=interrupted_save)
                saving.start()
                processes.wait_for(
                    lambda: database.query(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"
                    )[0][0],
                    timeout=15,
                    what="the save waiting for the lock",
                )
                restart = subprocess.run(
                    [*shlex.split(PG_CTL), "restart", "-m", "fast", "-w"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=60,
                )
                assert restart.returncode == 0
                saving.join(timeout=30)
                assert not saving.is_alive()
                with pytest.raises(psycopg2.Error):
                    blocker.cursor().execute("SELECT 1")
                blocker.close()

                # Nothing of the interrupted save was kept.
                assert (
                    database.query("SELECT question_id, value FROM parcours_answer ORDER BY 1")
                    == saved
                )
                assert database.query("SELECT COUNT(*) FROM attachments_attachment") == [(0,)]

                # The next requests succeed on the same processes (health-checked connections).
                page = browser.get(STEP1)
                assert page.status == 200
                changed["version"] = processes.step_version(page)
                response = browser.post(
                    STEP1, changed, {"files-Q8": a_document()}, token=browser.csrf(page)
                )
                assert response.status == 302, response.text[:2000]
                assert database.query("SELECT COUNT(*) FROM attachments_attachment") == [(1,)]
                assert browser.get("/sante/").status == 200
    finally:
        # The test process's own connections died with the server: open new ones.
        connections.close_all()
