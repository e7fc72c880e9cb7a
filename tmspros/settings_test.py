"""Test speed-ups only: everything else is tmspros.settings."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")

from tmspros.settings import *  # noqa: E402,F403
from tmspros.settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The outbox stays the default mailer; it delivers to django.core.mail.outbox
# (pytest-django's mailoutbox). Django's test set-up makes every mailer locmem:
# the root conftest.py puts the outbox back.
MAILERS = {
    "default": {"BACKEND": "outbox.backends.OutboxBackend"},
    "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
CELERY_TASK_ALWAYS_EAGER = True
# The real broker when REDIS_URL is set (tests that publish to it switch eager off).
CELERY_BROKER_URL = os.environ.get("REDIS_URL") or "memory://"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With REDIS_URL (CI's second run) the cache, hence the rate limits, live in
# the real Redis; tasks still run eagerly so that tests see their e-mails.
CLAMAV_URL = os.environ.get("TEST_CLAMAV_URL", "")
WHITENOISE_USE_FINDERS = True
