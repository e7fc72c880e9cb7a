"""What a request costs the database: reads write nothing, writes are one
transaction, and the health view answers without a login."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.http import Http404, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.views.decorators.http import require_POST

from accounts.models import User

WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")


def at(seconds):
    """A moment this many seconds after the test began (the session is fresh)."""
    return time_machine.travel(START + timedelta(seconds=seconds), tick=False)


START = datetime.now(UTC)


def writes_of(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_logged_in_page_read_again_within_a_minute_writes_nothing(client_a):
    with at(1):
        client_a.get(reverse("legal_notice"))
    with at(31), CaptureQueriesContext(connection) as queries:
        assert client_a.get(reverse("legal_notice")).status_code == 200
    assert writes_of(queries.captured_queries) == []


def test_the_idle_expiry_is_refreshed_once_a_minute(client_a):
    from django.contrib.sessions.models import Session

    key = client_a.session.session_key
    with at(1):
        client_a.get(reverse("legal_notice"))
        first = Session.objects.get(session_key=key).expire_date
    with at(66):
        with CaptureQueriesContext(connection) as queries:
            client_a.get(reverse("legal_notice"))
        refreshed = Session.objects.get(session_key=key).expire_date
    assert any("django_session" in sql for sql in writes_of(queries.captured_queries))
    assert (refreshed - first).total_seconds() == pytest.approx(65, abs=1)


def test_a_session_left_idle_longer_than_its_age_has_ended(client_a, settings):
    with at(1):
        assert client_a.get(reverse("account")).status_code == 200
    with at(1 + 60 * settings.SESSION_IDLE_MINUTES + 1):
        response = client_a.get(reverse("account"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_read_runs_without_a_transaction(client_a):
    client_a.get(reverse("legal_notice"))
    with CaptureQueriesContext(connection) as queries:
        client_a.get(reverse("legal_notice"))
    assert not any("SAVEPOINT" in q["sql"] for q in queries.captured_queries)


# --- writes: one transaction, rolled back when the view fails ----------------
@require_POST
def renames_then_fails(request, outcome):
    User.objects.filter(username="rollback-me").update(first_name="Changé")
    if outcome == "raises-404":
        raise Http404
    if outcome == "answers-500":
        return HttpResponse(status=500)
    return HttpResponse("ok")


urlpatterns = [path("ecrit/<str:outcome>/", renames_then_fails), path("", include("tmspros.urls"))]


@pytest.fixture
def writer(client, db, settings):
    settings.ROOT_URLCONF = __name__
    client.force_login(User.objects.create_user(username="rollback-me", first_name="Avant"))
    return client


@pytest.mark.parametrize(
    ("outcome", "first_name"),
    [("commits", "Changé"), ("raises-404", "Avant"), ("answers-500", "Avant")],
)
def test_a_write_request_is_one_transaction(writer, outcome, first_name):
    writer.post(f"/ecrit/{outcome}/")
    assert User.objects.get(username="rollback-me").first_name == first_name


# --- the health view ---------------------------------------------------------
def test_the_health_view_answers_without_a_login(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


def test_the_health_view_says_which_service_does_not_answer(client, db, settings):
    from tmspros import health

    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    health._redis_client.cache_clear()
    try:
        response = client.get(reverse("health"))
    finally:
        health._redis_client.cache_clear()
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "error"
    assert json.loads(response.content)["database"] == "ok"


def test_the_health_view_answers_only_reads(client, db):
    assert client.post(reverse("health")).status_code == 405


# --- proxies -----------------------------------------------------------------
def test_a_proxy_header_without_trusted_proxies_is_told_once(rf, caplog, settings):
    from accounts import adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    adapter._proxy_warning_given.clear()
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1")
    with caplog.at_level(logging.WARNING, logger="accounts.adapter"):
        assert adapter.AccountAdapter(request).get_client_ip(request) == "10.0.0.1"
        adapter.AccountAdapter(request).get_client_ip(request)
    assert [r.message.count("TRUSTED_PROXY_COUNT") > 0 for r in caplog.records] == [True]


def test_a_trusted_proxy_gives_the_client_address(rf, settings):
    from accounts import adapter

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert adapter.AccountAdapter(request).get_client_ip(request) == "203.0.113.7"
