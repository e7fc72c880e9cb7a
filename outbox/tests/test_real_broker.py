"""With REDIS_URL (CI's second run), a delivery really goes through Redis."""

import os

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from outbox.models import OutboxMessage
from outbox.services import enqueue_delivery

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")


def test_delivery_is_published_to_the_real_broker(db, settings):
    import redis

    from tmspros.celery import app

    # The test's transaction never commits: the delivery is published below, by hand.
    EmailMessage("Objet", "Texte", "tmspros@example.fr", ["a@example.fr"]).send()
    row = OutboxMessage.objects.get()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete("celery")
    app.conf.task_always_eager = False
    try:
        enqueue_delivery(row.pk)
    finally:
        app.conf.task_always_eager = True
    assert client.llen("celery") == 1, "the task waits in Redis for a worker"
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    client.delete("celery")


def test_rate_limits_live_in_the_database_not_in_redis(db):
    """Shared by every process, and still counted when Redis is down."""
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "DatabaseCache"
