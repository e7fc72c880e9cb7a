"""The settings of the processes the fault tests start (gunicorn, Celery workers, manage.py).

Production's settings (tmspros.settings: real mailers from EMAIL_URL, Celery on
REDIS_URL, the database of DATABASE_URL), with static files found without
`collectstatic` and a fast password hasher: nothing the faults are about.
"""

from tmspros.settings import *  # noqa: F403
from tmspros.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
