"""What the health view asks: each service the portal needs, within a short time."""

import logging
from functools import cache

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import connection

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 0.5


def health_checks() -> dict[str, str]:
    return {
        "database": _answer(_database),
        "cache": _answer(_cache),
        "broker": _answer(_broker),
    }


def _answer(check) -> str:
    try:
        check()
    except Exception as error:  # a health check reports, it never raises
        logger.warning("Health check %s failed: %s", check.__name__, error)
        return "error"
    return "ok"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    default_cache.get("tmspros-health")


def _broker():
    if not settings.REDIS_URL:
        return  # tasks run in process: there is no broker to ask
    _redis_client().ping()


@cache
def _redis_client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
