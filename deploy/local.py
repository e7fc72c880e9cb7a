"""The production layout on one machine, everything on 127.0.0.1 (`make deploy-local`).

Starts, each in a throw-away folder:
  - PostgreSQL (a new cluster: initdb as the postgres user, as .ci/run does),
  - Redis (Celery's broker),
  - moto's S3 server (the documents' object storage; the bucket is created),
  - an SMTP sink that keeps every message as a file (deploy/smtp_sink.py),
  - two gunicorn processes on two ports, with the production settings
    (DEBUG off, a random SECRET_KEY, plain HTTP on loopback),
  - a Celery worker and Celery beat;
then migrates, collects the static files, loads the demo, prints the URLs
and the logins, and stops everything on Ctrl-C (or SIGTERM, or when a
process dies).

    python deploy/local.py               # until Ctrl-C
    python deploy/local.py --check       # start, wait until healthy, stop
    python deploy/local.py --auto-ports --state-file state.json --max-seconds 600

With --state-file, once everything answers, a JSON file gives the URLs, the
ports and the folder where the SMTP sink writes the messages (for tests).
Needs PostgreSQL's binaries (/usr/lib/postgresql/*/bin), redis-server and the
development requirements (gunicorn, moto[server]).
"""

import argparse
import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_PORTS = {
    "web_a": 8001,
    "web_b": 8002,
    "postgres": 54371,
    "redis": 63811,
    "s3": 5055,
    "smtp": 8025,
}
BUCKET = "tmspros-documents"
REGION = "eu-west-3"
# The variables of the caller's environment that would change the layout.
INHERITED_OUT = ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")


class Stop(Exception):
    """A signal, the time limit, or a process that died: stop everything."""


def log(message: str) -> None:
    print(f"deploy-local: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) == 0


def wait_for_port(port: int, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not port_in_use(port):
        if time.monotonic() > deadline:
            raise Stop(f"{name} does not listen on {HOST}:{port} after {timeout:.0f} s")
        time.sleep(0.2)


def postgres_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise Stop("PostgreSQL is not installed (apt-get install postgresql)")
    return Path(found[-1]).parent


class Layout:
    def __init__(self, *, ports: dict, workers: int, keep: bool):
        self.ports = ports
        self.workers = workers
        self.keep = keep
        self.workdir = Path(tempfile.mkdtemp(prefix="tmspros-local."))
        self.workdir.chmod(0o711)  # the postgres user reaches its own folder inside
        self.logs = self.workdir / "logs"
        self.logs.mkdir()
        self.mail_dir = self.workdir / "mails"
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.pg_data = None
        self.pgbin = None
        self.urls = [f"http://{HOST}:{ports['web_a']}/", f"http://{HOST}:{ports['web_b']}/"]
        self.env = self.django_env()

    # --- environment ----------------------------------------------------------

    def django_env(self) -> dict:
        ports = self.ports
        env = {k: v for k, v in os.environ.items() if k not in INHERITED_OUT}
        env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
        env.update(
            DJANGO_SETTINGS_MODULE="tmspros.settings",
            PYTHONUNBUFFERED="1",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=f"{HOST},localhost",
            SITE_URL=self.urls[0].rstrip("/"),
            # Plain HTTP on loopback: no redirection to HTTPS, cookies sent over HTTP.
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            DATABASE_URL=f"postgres://postgres@{HOST}:{ports['postgres']}/tmspros",
            REDIS_URL=f"redis://{HOST}:{ports['redis']}/0",
            STORAGE_URL=(
                f"s3://local:local-secret@{BUCKET}?endpoint_url=http://{HOST}:{ports['s3']}"
                f"&region={REGION}&addressing_style=path"
            ),
            EMAIL_URL=f"smtp://{HOST}:{ports['smtp']}",
            STATIC_ROOT=str(self.workdir / "static"),
            MEDIA_ROOT=str(self.workdir / "media"),
        )
        return env

    # --- processes ------------------------------------------------------------

    def spawn(self, name: str, command: list, **kwargs) -> subprocess.Popen:
        output = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=BASE_DIR,
            env=kwargs.pop("env", self.env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: Ctrl-C reaches us, we stop it in order
            **kwargs,
        )
        output.close()
        self.processes.append((name, process))
        return process

    def run(self, name: str, command: list, *, as_postgres=False, timeout=300) -> str:
        command = [str(part) for part in command]
        if as_postgres and os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            result = subprocess.run(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as error:
            raise Stop(f"{name} did not finish in {timeout} s") from error
        (self.logs / f"{name}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise Stop(f"{name} failed:\n{(result.stdout + result.stderr)[-3000:]}")
        return result.stdout

    def check_alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise Stop(f"{name} stopped (exit {process.returncode}):\n{tail}")

    # --- services -------------------------------------------------------------

    def start_postgres(self) -> None:
        self.pgbin = postgres_bin()
        folder = self.workdir / "pg"
        folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        self.pg_data = folder / "data"
        self.run("initdb", [self.pgbin / "initdb", "-D", self.pg_data, "-A", "trust",
                            "-U", "postgres"], as_postgres=True)  # fmt: skip
        options = f"-c listen_addresses={HOST} -p {self.ports['postgres']} -k {folder}"
        self.run("pg_ctl-start", [self.pgbin / "pg_ctl", "-D", self.pg_data, "-l",
                                  folder / "postgres.log", "-o", options, "-w", "start"],
                 as_postgres=True)  # fmt: skip
        self.run("createdb", [self.pgbin / "psql", "-h", HOST, "-p", self.ports["postgres"],
                              "-U", "postgres", "-qc", "create database tmspros"])  # fmt: skip
        log(f"PostgreSQL on {HOST}:{self.ports['postgres']}")

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            raise Stop("redis-server is not installed (apt-get install redis-server)")
        self.spawn("redis", ["redis-server", "--bind", HOST, "--port", self.ports["redis"],
                             "--save", "", "--appendonly", "no", "--dir", self.workdir])  # fmt: skip
        wait_for_port(self.ports["redis"], "Redis")
        log(f"Redis on {HOST}:{self.ports['redis']}")

    def start_s3(self) -> None:
        self.spawn("s3", [BIN / "moto_server", "-H", HOST, "-p", self.ports["s3"]])
        wait_for_port(self.ports["s3"], "moto_server", timeout=60)
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=f"http://{HOST}:{self.ports['s3']}",
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local-secret",
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        log(f"S3 (moto) on {HOST}:{self.ports['s3']}, bucket {BUCKET}")

    def start_smtp(self) -> None:
        self.spawn("smtp", [sys.executable, BASE_DIR / "deploy" / "smtp_sink.py", "--host", HOST,
                            "--port", self.ports["smtp"], "--directory", self.mail_dir])  # fmt: skip
        wait_for_port(self.ports["smtp"], "the SMTP sink")
        log(f"SMTP sink on {HOST}:{self.ports['smtp']}, messages in {self.mail_dir}")

    def prepare(self, *, demo: bool) -> str:
        manage = [sys.executable, BASE_DIR / "manage.py"]
        self.run("migrate", [*manage, "migrate", "--noinput"])
        self.run("createcachetable", [*manage, "createcachetable"])
        self.run("collectstatic", [*manage, "collectstatic", "--noinput", "-v", "0"])
        log("database migrated, static files collected")
        if not demo:
            return ""
        return self.run("demo", [*manage, "demo"])

    def start_web(self) -> None:
        for name in ("web_a", "web_b"):
            self.spawn(name, [
                BIN / "gunicorn", "tmspros.wsgi:application",
                "--bind", f"{HOST}:{self.ports[name]}", "--workers", self.workers,
                "--timeout", 30, "--graceful-timeout", 5, "--access-logfile", "-",
            ])  # fmt: skip

    def start_celery(self) -> None:
        self.spawn("worker", [BIN / "celery", "-A", "tmspros", "worker", "--loglevel", "INFO",
                              "--concurrency", 2, "--hostname", "worker1@%h",
                              "--without-gossip", "--without-mingle"])  # fmt: skip
        self.spawn("beat", [BIN / "celery", "-A", "tmspros", "beat", "--loglevel", "INFO",
                            "--schedule", self.workdir / "beat-schedule"])  # fmt: skip

    def wait_until_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        pending = {url: None for url in self.urls}
        worker_log = self.logs / "worker.log"
        while True:
            self.check_alive()
            for url in list(pending):
                pending[url] = answer(url + "sante/") or pending[url]
                if pending[url] == 404:  # no health view: the login page
                    pending[url] = answer(url + "compte/login/")
                if pending[url] == 200:
                    del pending[url]
            worker_ready = worker_log.exists() and " ready." in worker_log.read_text(
                errors="replace"
            )
            if not pending and worker_ready:
                return
            if time.monotonic() > deadline:
                waiting = [*pending, *([] if worker_ready else ["the Celery worker"])]
                raise Stop(f"not healthy after {timeout:.0f} s: {', '.join(waiting)}")
            time.sleep(0.5)

    # --- stopping -------------------------------------------------------------

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)  # its own group, started here
                except ProcessLookupError:
                    continue
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes = []
        if self.pg_data is not None and (self.pg_data / "postmaster.pid").exists():
            command = [self.pgbin / "pg_ctl", "-D", self.pg_data, "-m", "fast", "-w", "stop"]
            if os.geteuid() == 0:
                command = ["runuser", "-u", "postgres", "--", *command]
            subprocess.run([str(c) for c in command], capture_output=True, timeout=60, check=False)
        if self.keep:
            log(f"kept {self.workdir} (logs in {self.logs})")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        log("everything stopped")


def answer(url: str) -> int | None:
    """The HTTP status of a GET (None when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def choose_ports(auto: bool) -> dict:
    if auto:
        return {name: free_port() for name in DEFAULT_PORTS}
    busy = [f"{name} {port}" for name, port in DEFAULT_PORTS.items() if port_in_use(port)]
    if busy:
        raise Stop(f"ports already in use on {HOST}: {', '.join(busy)} (try --auto-ports)")
    return dict(DEFAULT_PORTS)


def raise_stop(signum, frame):
    raise Stop(f"signal {signal.Signals(signum).name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="start, wait until healthy, then stop (exit 0 when healthy)",
    )
    parser.add_argument("--auto-ports", action="store_true", help="free ports instead of fixed")
    parser.add_argument("--state-file", type=Path, help="JSON written once everything answers")
    parser.add_argument("--max-seconds", type=float, default=0, help="stop after this long")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--no-demo", action="store_true", help="no demo data")
    parser.add_argument("--keep", action="store_true", help="keep the folder and its logs")
    args = parser.parse_args(argv)  # fmt: skip

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_stop)
    started = time.monotonic()
    parent = os.getppid()
    layout = None
    try:
        layout = Layout(ports=choose_ports(args.auto_ports), workers=args.workers, keep=args.keep)
        log(f"folder {layout.workdir}")
        layout.start_postgres()
        layout.start_redis()
        layout.start_s3()
        layout.start_smtp()
        demo_output = layout.prepare(demo=not args.no_demo)
        layout.start_web()
        layout.start_celery()
        layout.wait_until_healthy()
        log(f"ready in {time.monotonic() - started:.0f} s")
        print(f"\n  Portail (processus A) : {layout.urls[0]}\n"
              f"  Portail (processus B) : {layout.urls[1]}\n"
              f"  Administration        : {layout.urls[0]}admin/\n"
              f"  Santé                 : {layout.urls[0]}sante/\n"
              f"  E-mails reçus         : {layout.mail_dir}\n"
              f"  Journaux              : {layout.logs}\n", flush=True)  # fmt: skip
        if demo_output:
            print(demo_output, flush=True)
        if args.state_file:
            state = {"urls": layout.urls, "ports": layout.ports, "mail_dir": str(layout.mail_dir),
                     "logs": str(layout.logs), "bucket": BUCKET,
                     "s3_endpoint": f"http://{HOST}:{layout.ports['s3']}"}  # fmt: skip
            temporary = args.state_file.with_suffix(".part")
            temporary.write_text(json.dumps(state, indent=2))
            temporary.rename(args.state_file)
        if args.check:
            log("healthy: stopping (--check)")
            return 0
        log("Ctrl-C stops everything")
        while True:
            layout.check_alive()
            if args.max_seconds and time.monotonic() - started > args.max_seconds:
                raise Stop(f"--max-seconds {args.max_seconds:.0f} reached")
            if os.getppid() != parent:
                raise Stop("the parent process is gone")
            time.sleep(1)
    except Stop as reason:
        log(f"stopping: {reason}")
        return 0 if str(reason).startswith(("signal", "--max-seconds")) else 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up
        if layout is not None:
            layout.stop()


if __name__ == "__main__":
    sys.exit(main())
