"""Each e-mail reaches the SMTP server once, with real workers that race and die.

Forty messages are written and published to a real Redis; two Celery workers
(two threads each) deliver them to a counting SMTP server while a requeue
publishes every pending message a second time; one worker is killed with
SIGKILL in the middle of a delivery, another is started, and the requeue
gives back the claims of the dead worker. The SMTP server counts each
message once. On a SQLite file shared by the processes, and on PostgreSQL
in CI's second run.

The worker is killed while its deliveries wait for the SMTP server's "354"
(the server holds them): the message is claimed and not accepted, so giving
it back is right. A worker dying in the millisecond between the server's
"250" and the recording of "sent" would make the one duplicate the README
admits; that instant is not what this test aims at.
"""

import collections
import os
import signal
import time

import pytest

from tmspros.tests import processes
from tmspros.tests.smtp_sink import SmtpSink

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        processes.redis_server_path() is None,
        reason="redis-server is not installed (.ci/run installs it)",
    ),
]

COUNT = 40

WRITE_MESSAGES = f"""
from django.core.mail import EmailMessage
from django.db import transaction
for number in range({COUNT}):
    with transaction.atomic():  # published on commit, as a request does
        EmailMessage(
            f"Message n°{{number}}", "Texte", "tmspros@example.fr", [f"m{{number}}@example.fr"]
        ).send()
"""


def statuses(database) -> dict[str, int]:
    return dict(database.query("SELECT status, COUNT(*) FROM outbox_outboxmessage GROUP BY status"))


def test_each_message_reaches_the_smtp_server_once(tmp_path):
    workers = []
    redis = processes.RedisServer(tmp_path).start()
    sink = SmtpSink()
    try:
        with processes.process_database(tmp_path) as database:
            env = processes.base_env(
                database.url, tmp_path, REDIS_URL=redis.url, EMAIL_URL=sink.url
            )
            processes.manage(env, "shell", "-c", WRITE_MESSAGES)
            assert redis.queue_length() == COUNT
            assert statuses(database) == {"pending": COUNT}

            # After 12 messages, every delivery waits for "354" until released.
            sink.hold_after = 12
            workers = [processes.celery_worker(env, tmp_path, name) for name in ("a", "b")]
            # Meanwhile, a requeue publishes every message still pending once more.
            processes.manage(env, "requeue_outbox", "--older-than", "0")
            processes.wait_for(sink.held.is_set, timeout=60, what="a delivery in progress")
            time.sleep(1)  # the other threads reach their own "DATA" and wait too
            held_port = sink.held_ports[0]
            victim = processes.pid_of_connection(held_port, [w.pid for w in workers])
            assert victim is not None, "the worker of the held delivery"
            os.kill(victim, signal.SIGKILL)
            dead = next(w for w in workers if w.pid == victim)
            dead.wait(timeout=10)
            sink.release()

            workers.append(processes.celery_worker(env, tmp_path, "c"))  # the restart
            # What the dead worker held (claimed, or fetched from Redis and
            # never acknowledged) is given back once its claim is stale.
            time.sleep(3)
            processes.manage(env, "requeue_outbox", "--older-than", "0", "--stale-after", "2")

            def all_sent():
                return statuses(database) == {"sent": COUNT}

            processes.wait_for(all_sent, timeout=90, what=f"{COUNT} messages sent", interval=0.5)
            time.sleep(1.5)  # a duplicate would arrive now
            counts = collections.Counter(sink.subjects())
            assert sorted(counts) == sorted(f"Message n°{n}" for n in range(COUNT))
            assert [s for s, seen in counts.items() if seen > 1] == [], "sent twice"
            assert len(sink.subjects()) == COUNT
    finally:
        for worker in workers:
            processes.stop(worker)
        sink.stop()
        redis.stop()
