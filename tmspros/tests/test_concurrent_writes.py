"""Two people writing at the same moment never get an error page.

Real parallel requests (threads) against gunicorn with two worker processes of
two threads, on a database shared by them: a SQLite file in WAL mode (the
embedded default, its writers wait for each other) or PostgreSQL in CI's
second run. pytest-django's live server would not do: on SQLite it serves an
in-memory database from a single process.
"""

import html
import threading

import pytest

from tmspros.tests import processes

pytestmark = pytest.mark.faults

STEP1 = "/parcours/etape/1/"
QUOTA_MB = 1
QUOTA_MESSAGE = f"de {QUOTA_MB} Mo réservé aux documents de l'établissement serait dépassé"


def in_parallel(*calls):
    """Run the calls at the same instant, each in its thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never answered"
    return results


def document(name):
    line = b"Tableau de bord TMS : indicateurs du mois.\n"
    return (name, line * (600 * 1024 // len(line)), "text/plain")  # 600 KB: one fits in 1 MB


@pytest.fixture
def portal(tmp_path):
    with processes.process_database(tmp_path) as database:
        env = processes.base_env(database.url, tmp_path, ATTACHMENT_MAX_TOTAL_MB=QUOTA_MB)
        if database.engine == "sqlite":
            assert database.query("PRAGMA journal_mode") == [("wal",)]
        with processes.gunicorn(env, tmp_path, workers=2, threads=2) as port:
            yield database, port


def two_sessions(port):
    people = [processes.Browser(port), processes.Browser(port)]
    for browser in people:
        browser.log_in()
    return people


def test_two_parallel_uploads_one_accepted_the_quota_holds(portal):
    database, port = portal
    people = two_sessions(port)
    pages = [browser.get(STEP1) for browser in people]

    def upload(browser, page, name):
        return lambda: browser.post(
            STEP1,
            {"version": processes.step_version(page)},
            {"files-Q8": document(name)},
            token=browser.csrf(page),
        )

    answers = in_parallel(
        upload(people[0], pages[0], "premier.txt"), upload(people[1], pages[1], "second.txt")
    )
    statuses = sorted(answer.status for answer in answers)
    assert 500 not in statuses
    assert statuses.count(302) == 1, "one of them is accepted"
    refused = [answer for answer in answers if answer.status != 302]
    for answer in refused:  # refused by the quota (200) or by the other's save (409)
        assert answer.status in (200, 409)
        if answer.status == 200:
            assert QUOTA_MESSAGE in html.unescape(answer.text)
    ((count, total),) = database.query("SELECT COUNT(*), SUM(size) FROM attachments_attachment")
    assert count == 1 and total <= QUOTA_MB * 1024 * 1024


def test_two_parallel_saves_of_one_step_one_wins_the_other_sees_the_conflict(portal):
    database, port = portal
    people = two_sessions(port)
    page = people[0].get(STEP1)
    fields = {**database.seed["step1"], "version": processes.step_version(page)}
    assert people[0].post(STEP1, fields, token=people[0].csrf(page)).status == 302

    pages = [browser.get(STEP1) for browser in people]
    versions = {processes.step_version(page) for page in pages}
    assert len(versions) == 1

    def save(browser, page, value):
        changed = {k: value if v == "42" else v for k, v in fields.items()}
        changed["version"] = processes.step_version(page)
        return lambda: browser.post(STEP1, changed, token=browser.csrf(page))

    answers = in_parallel(save(people[0], pages[0], "7"), save(people[1], pages[1], "8"))
    assert sorted(answer.status for answer in answers) == [302, 409]
    loser = next(answer for answer in answers if answer.status == 409)
    assert "modifiée entre-temps par une autre personne" in html.unescape(loser.text)
    winner_value = "7" if answers[0].status == 302 else "8"
    values = {value for (value,) in database.query("SELECT CAST(value AS TEXT) FROM parcours_answer")}
    assert f'"{winner_value}"' in values or winner_value in values
