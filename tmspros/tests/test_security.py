import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def assert_security_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_security_headers_on_the_login_page(client, db):
    assert_security_headers(client.get(reverse("account_login")))


def test_authenticated_pages_are_not_stored(client_a):
    response = client_a.get(reverse("account"))
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_404_is_in_the_portal_layout_with_headers(client_a):
    response = client_a.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "TMS Pros" in response.content.decode()
    assert_security_headers(response)


def test_pages_are_closed_by_default(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_500_page_shows_no_stack_trace(client, db, settings):
    from tmspros.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def production_env(**extra):
    test_only = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "EMAIL_URL",
    }
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        DJANGO_SETTINGS_MODULE="tmspros.settings",
        DEBUG="0",
        SECRET_KEY="a-production-like-secret-key-" + "k3y!" * 12,
        ALLOWED_HOSTS="tmspros.example.fr",
        SITE_URL="https://tmspros.example.fr",
        EMAIL_URL="smtp://tmspros:secret@smtp.example.fr:587",
        **{"TRUSTED_PROXY_COUNT": "1", **extra},
    )
    return env


def test_check_deploy_passes_with_a_production_like_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_no_proxy_is_trusted():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(TRUSTED_PROXY_COUNT="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "accounts.W001" in result.stdout + result.stderr
    assert "TRUSTED_PROXY_COUNT" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "url", ["smtp://user:secret@smtp.example.fr:587", "smtp+tls://user:secret@smtp.example.fr:587"]
)
def test_smtp_email_url_configures_the_delivery_mailer(url):
    from tmspros.settings import _mailer_from_url

    mailer = _mailer_from_url(url)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "smtp.example.fr"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["username"] == "user"


def test_a_postgresql_database_times_out_and_runs_without_jit():
    """A database that does not answer fails a request (and /sante/) in 5 s."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tmspros import settings; print(settings.DATABASES['default']['OPTIONS'])",
        ],
        cwd=ROOT,
        env=production_env(DATABASE_URL="postgres://tmspros@db.example.fr/tmspros"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "'connect_timeout': 5" in result.stdout, result.stderr
    assert "'options': '-c jit=off'" in result.stdout
