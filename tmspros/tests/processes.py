"""Real processes for the fault tests: a database of their own, Redis, gunicorn, Celery.

Every process listens on 127.0.0.1 only, every wait has a deadline, and every
process started here is stopped by the context manager that started it.

The database: a migrated SQLite file, or (when the tests' own DATABASE_URL is
PostgreSQL, CI's second run) a database of its own on that server, made once
per test session as a template (`migrate`, the programme, one establishment)
and copied for each test, then dropped.
"""

import atexit
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PASSWORD = "Tms-Pros-2026!"
SIRET = "73282932000074"
PREVENTEUR_EMAIL = "prev.a@cramif.example.fr"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    """The first true value of predicate(), or AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(interval)


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen, *, grace: float = 5) -> None:
    """Stop a process started here (and its children, started in its own session)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


def popen(args, *, env, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process below
    try:
        return subprocess.Popen(
            args, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        handle.close()


# --- Redis ---------------------------------------------------------------------
def redis_server_path() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """A redis-server of the test's own, on a port of its own; stop() and start() again."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        args = [redis_server_path(), "--bind", "127.0.0.1", "--port", str(self.port)]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = popen(args, env=dict(os.environ), log=self.workdir / "redis.log")
        wait_for(lambda: answers(self.port), timeout=10, what="redis-server to listen")
        return self

    def stop(self):
        if self.process is not None:
            stop(self.process)
            self.process = None
        wait_for(lambda: not answers(self.port), timeout=5, what="redis-server to stop")

    def queue_length(self) -> int:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        try:
            return client.llen("celery")
        finally:
            client.close()


# --- The database of the processes -----------------------------------------------
SEED = f"""
import json, sys
from django.db import transaction
from django.core.management import call_command
from accounts.models import User
from conftest import make_establishment
from parcours.tests.conftest import form_data

call_command("load_parcours", "--no-templates", verbosity=0)
with transaction.atomic():
    from conftest import get_caisse
    preventeur = User.objects.create_user(
        username="{PREVENTEUR_EMAIL}", email="{PREVENTEUR_EMAIL}", password="{PASSWORD}",
        kind=User.Kind.PREVENTEUR, is_staff=True, first_name="Paul", last_name="Durand",
        caisse=get_caisse("CRAMIF"),
    )
    establishment = make_establishment(
        siret="{SIRET}", name="Ateliers Alpha", caisse_code="CRAMIF", preventeur=preventeur,
        days_lost_tms=169, days_lost_lumbago=473, figures_year=2025,
    )
data = form_data(establishment, 1)
data.pop("version")
print("SEED:" + json.dumps({{"step1": data}}))
"""


def base_env(database_url: str, workdir: Path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")
        and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tmspros.tests.fault_settings",
        DEBUG="0",
        SECRET_KEY="fault-tests-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(workdir / "media"),
        EMAIL_URL="consolemail://",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env: dict, *args: str, timeout: float = 60, check: bool = True):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


def _with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


class _Template:
    """The migrated, seeded database every process test starts from (one per session)."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="tmspros-faults-"))
        self.server = postgres_url()
        if self.server:
            self.name = f"tmspros_faults_{uuid.uuid4().hex[:8]}"
            with contextlib.closing(_admin_connection(self.server)) as connection:
                connection.cursor().execute(f'CREATE DATABASE "{self.name}"')
            self.url = _with_database(self.server, self.name)
        else:
            self.url = f"sqlite:///{self.workdir / 'template.sqlite3'}"
        atexit.register(self.drop)
        env = base_env(self.url, self.workdir)
        manage(env, "migrate", "--noinput", "-v0", timeout=180)
        output = manage(env, "shell", "-c", SEED, timeout=60).stdout
        self.seed = json.loads(output.rpartition("SEED:")[2])

    def drop(self):
        if self.server:
            with contextlib.closing(_admin_connection(self.server)) as connection:
                connection.cursor().execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)


_template = None


class ProcessDatabase:
    """A copy of the template for one test: `url` for the processes, `query` for the test."""

    def __init__(self, workdir: Path):
        global _template
        if _template is None:
            _template = _Template()
        self.seed = _template.seed
        self.workdir = workdir
        if _template.server:
            self.name = f"tmspros_faults_{uuid.uuid4().hex[:8]}"
            with contextlib.closing(_admin_connection(_template.server)) as connection:
                connection.cursor().execute(
                    f'CREATE DATABASE "{self.name}" TEMPLATE "{_template.name}"'
                )
            self.url = _with_database(_template.server, self.name)
            self.engine = "postgresql"
        else:
            path = workdir / "db.sqlite3"
            shutil.copyfile(_template.workdir / "template.sqlite3", path)
            self.path = path
            self.url = f"sqlite:///{path}"
            self.engine = "sqlite"

    def query(self, sql: str, params=()) -> list[tuple]:
        """Rows of `sql` (placeholders: %s), read from outside the processes."""
        if self.engine == "sqlite":
            with contextlib.closing(sqlite3.connect(self.path, timeout=20)) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.url, connect_timeout=5)) as connection:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            connection.rollback()
            return rows

    def execute(self, sql: str, params=()) -> None:
        if self.engine == "sqlite":
            with contextlib.closing(sqlite3.connect(self.path, timeout=20)) as connection:
                connection.execute(sql.replace("%s", "?"), params)
                connection.commit()
            return
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.url, connect_timeout=5)) as connection:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            connection.commit()

    def drop(self):
        if self.engine == "postgresql":
            with contextlib.closing(_admin_connection(_template.server)) as connection:
                connection.cursor().execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextlib.contextmanager
def process_database(workdir: Path):
    database = ProcessDatabase(workdir)
    try:
        yield database
    finally:
        database.drop()


# --- gunicorn and Celery -----------------------------------------------------------
@contextlib.contextmanager
def gunicorn(env: dict, workdir: Path, *, workers: int = 2, threads: int = 2):
    """The portal served by gunicorn on a free loopback port; yields its port."""
    port = free_port()
    args = [PYTHON, "-m", "gunicorn", "tmspros.wsgi:application", "-b", f"127.0.0.1:{port}"]
    args += ["-w", str(workers), "--threads", str(threads), "--timeout", "60"]
    # --preload: every worker has the application loaded before the first request.
    args += ["--graceful-timeout", "2", "--log-level", "warning", "--preload"]
    process = popen(
        args, env={**env, "SITE_URL": f"http://127.0.0.1:{port}"}, log=workdir / "gunicorn.log"
    )
    try:
        wait_for(lambda: answers(port) or process.poll() is not None, timeout=40, what="gunicorn")
        assert process.poll() is None, (workdir / "gunicorn.log").read_text()[-3000:]
        yield port
    finally:
        stop(process)


def celery_worker(env: dict, workdir: Path, name: str) -> subprocess.Popen:
    """A Celery worker (two threads) on env's REDIS_URL; stop it with stop() or SIGKILL."""
    args = [PYTHON, "-m", "celery", "-A", "tmspros", "worker", "-P", "threads", "-c", "2"]
    args += ["-n", f"{name}@127.0.0.1", "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "-l", "warning"]
    return popen(args, env=env, log=workdir / f"worker-{name}.log")


def pid_of_connection(local_port: int, candidates) -> int | None:
    """Which of `candidates` (pids) owns the TCP socket bound to 127.0.0.1:local_port."""
    inodes = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == local_port:
                inodes.add(fields[9])
    for pid in candidates:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(FileNotFoundError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        return pid
    return None


# --- A browser-like HTTP client ------------------------------------------------------
class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Cookies, CSRF tokens, forms: what a person's browser sends, over http.client."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = ""):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        started = time.monotonic()
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                if cookie_value.strip('"'):
                    self.cookies[key.strip()] = cookie_value.strip('"')
                else:
                    self.cookies.pop(key.strip(), None)
        return Response(
            answer.status, dict(answer.getheaders()), content, time.monotonic() - started
        )

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf(self, page: Response) -> str:
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token in the page ({page.status})"
        return match.group(1).decode()

    def post(self, path: str, fields: dict, files: dict | None = None, *, token: str) -> Response:
        fields = {**fields, "csrfmiddlewaretoken": token}
        if not files:
            body = urlencode(fields, doseq=True).encode()
            return self.request("POST", path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for name, values in fields.items():
            for value in values if isinstance(values, list) else [values]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
        for name, (filename, content, content_type) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def log_in(self, login: str = SIRET, password: str = PASSWORD) -> Response:
        page = self.get("/compte/login/")
        answer = self.post(
            "/compte/login/", {"login": login, "password": password}, token=self.csrf(page)
        )
        assert answer.status == 302, f"login answered {answer.status}"
        return answer


def step_version(page: Response) -> str:
    match = re.search(rb'name="version" value="(\d+)"', page.body) or re.search(
        rb'value="(\d+)"[^>]*name="version"', page.body
    )
    assert match, "no version field in the step page"
    return match.group(1).decode()
