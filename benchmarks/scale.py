"""`make bench`: the portal at 100 and 8,000 establishments, over HTTP, with production settings.

Run by benchmarks/bench.sh, which starts a throw-away PostgreSQL and stops it
(BENCH_PG_URL: postgres://postgres@127.0.0.1:PORT, BENCH_DIR: its work folder).
Steps: two databases seeded (seed_volume, N=100 and N=8,000); the queries of
each page counted in process on both; the hasher's cost and the export of all
8,000 measured in process; gunicorn started on 127.0.0.1 (DEBUG off) on the
8,000 database; sessions opened through the real login form (the préventeurs
with their TOTP code); every page loaded by 16 concurrent users for a bounded
time; ONE table printed and bench/results.json written. A missed target is
printed, never an exit code: the exit is non-zero only when the bench cannot run.

Gunicorn: 4 processes (two per core) of 4 threads (gthread) by default,
BENCH_GUNICORN_ARGS to change it. Threads give each of the 16 users a slot
while another waits on PostgreSQL, and keep connections alive (sync workers
close every connection, so each request would also pay a TCP set-up).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import load

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "Bench-TmsPros-2026!"
SIZES = (100, 8000)
USERS = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "3000"))
P95_TARGET_MS = 150
LOGGED_IN_RATIO = 5
HEALTH_RATIO = 2
EXPORT_ONE_TARGET_S = 1
EXPORT_ALL_TARGET_S = 30


def log(message):
    print(f"bench: {message}", flush=True)


def production_env(database_url, workdir) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tmspros.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        # The bench plays the reverse proxy: each simulated user has its own
        # X-Forwarded-For address, so the per-address login limit applies per user.
        TRUSTED_PROXY_COUNT="1",
        BENCH_PASSWORD=PASSWORD,
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def run(args, env, *, what):
    started = time.perf_counter()
    result = subprocess.run(args, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-5000:])
        raise SystemExit(f"bench: échec de l'étape « {what} »")
    return result.stdout.strip(), time.perf_counter() - started


def inprocess(command, env, workdir, tag):
    path = workdir / f"{command}-{tag}.json"
    run([PYTHON, "-m", "benchmarks.inprocess", command, str(path)], env, what=f"{command} {tag}")
    return json.loads(path.read_text())


def create_database(base_url, name):
    import psycopg2

    connection = psycopg2.connect(f"{base_url}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{base_url}/{name}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The server ---------------------------------------------------------------------------
def start_gunicorn(env, workdir, port):
    args = os.environ.get("BENCH_GUNICORN_ARGS", "--workers 4 --threads 4 --worker-class gthread").split()
    log_file = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed by stop_gunicorn
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "tmspros.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--pid", str(workdir / "gunicorn.pid"),
            "--keep-alive", "30",
            "--timeout", "120",
            *args,
        ],  # fmt: skip
        env=env,
        cwd=BASE_DIR,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log_file = log_file
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("bench: gunicorn s'est arrêté au démarrage (voir gunicorn.log)")
        try:
            status, _, _ = load.Session("127.0.0.1", port).get("/compte/login/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_gunicorn(process)
    raise SystemExit("bench: gunicorn ne répond pas")


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    process.log_file.close()


# --- Logging in through the form -------------------------------------------------------------
def login(port, username, password, *, address, secret=None) -> load.Session:
    import pyotp

    session = load.Session("127.0.0.1", port, address=address)
    _, _, html = session.get("/compte/login/")
    _, fields, _ = load.form_with(html.decode(), "login")
    data = load.as_dict(fields)
    data.update(login=[username], password=[password])
    status, response, _ = session.post("/compte/login/", data)
    if status != 302:
        raise SystemExit(f"bench: la connexion de {username} a échoué ({status})")
    if secret is not None:
        location = response.getheader("Location")
        _, _, html = session.get(location)
        _, fields, _ = load.form_with(html.decode(), "code")
        data = load.as_dict(fields)
        data["code"] = [pyotp.TOTP(secret).now()]
        status, response, _ = session.post(location, data)
        if status != 302:
            raise SystemExit(f"bench: le second facteur de {username} a échoué ({status})")
    status, _, _ = session.get("/compte/")
    if status != 200:
        raise SystemExit(f"bench: {username} n'est pas connecté ({status})")
    return session


# --- The measures ---------------------------------------------------------------------------
def measure_pages(port, cast):
    establishments = [
        login(port, siret, PASSWORD, address=f"10.1.0.{index + 1}")
        for index, siret in enumerate(cast["establishments"])
    ]
    preventeurs = [
        login(port, p["username"], PASSWORD, address=f"10.2.0.{index + 1}", secret=p["secret"])
        for index, p in enumerate(cast["preventeurs"])
    ]
    log(f"{len(establishments)} établissements et {len(preventeurs)} préventeurs connectés")
    anonymous = [load.Session("127.0.0.1", port, address=f"10.3.0.{i + 1}") for i in range(USERS)]
    pools = {
        "anonymous": anonymous,
        "establishment": establishments,
        "preventeur": [preventeurs[i % len(preventeurs)].copy() for i in range(USERS)],
        # The follow page is of an establishment of the first préventeur's caisse.
        "preventeur_followed": [preventeurs[0].copy() for _ in range(USERS)],
    }
    _, _, html = anonymous[0].get("/compte/login/")
    css = load.stylesheet(html.decode())
    results = {}

    def page(name, role, path, *, seconds=SECONDS, max_requests=MAX_REQUESTS, users=USERS):
        users_pool = pools[role][:users]
        log(f"mesure de {name} ({path})")
        results[name] = load.run(
            name,
            users_pool,
            lambda index, session: load.timed(session, "GET", path),
            seconds=seconds,
            max_requests=max_requests,
        )

    page("CSS statique", "anonymous", css)
    exports = {"export établissement", "export préventeur"}
    for name, (role, path) in cast["pages"].items():
        if name not in exports:
            page(name, "preventeur_followed" if name == "admin suivi" else role, path)
    page("export établissement", "establishment", "/parcours/export/", max_requests=160)
    page("export préventeur", "preventeur", "/admin/profiles/establishment/exporter/",
         max_requests=16, users=4)  # fmt: skip

    stamps = iter(range(10**6))

    def save(index, session):
        _, _, html = session.get("/parcours/etape/1/")  # re-read: the version field is fresh
        data = load.edited_step_form(html.decode(), f"bench {next(stamps)}")
        started = time.perf_counter()
        status, _, _ = session.post("/parcours/etape/1/", data)
        return status, status == 302, status == 409, time.perf_counter() - started

    log("mesure de l'enregistrement de l'étape 1")
    results["enregistrement étape 1"] = load.run(
        "enregistrement étape 1", establishments, save, seconds=SECONDS, max_requests=800
    )
    results.update(measure_logins(port, cast))
    return results


def measure_logins(port, cast):
    """Login POSTs of distinct accounts (each its own address): a right password,
    then a wrong one; only the POST is timed (the form's GET is not)."""
    results = {}
    for name, usernames, password, expected in (
        ("connexion (POST)", cast["logins"], PASSWORD, 302),
        ("connexion refusée (POST)", cast["wrong_logins"], "Mauvais-mot-de-passe-1", 200),
    ):
        queue = list(usernames)
        sessions = [load.Session("127.0.0.1", port) for _ in range(USERS)]

        def attempt(index, session, queue=queue, password=password, expected=expected):
            username = queue.pop() if queue else None
            if username is None:
                return "épuisé", False, False, 0.0
            fresh = load.Session("127.0.0.1", port, address=f"10.9.{len(queue) // 250}.{len(queue) % 250 + 1}")
            _, _, html = fresh.get("/compte/login/")
            _, fields, _ = load.form_with(html.decode(), "login")
            data = load.as_dict(fields)
            data.update(login=[username], password=[password])
            started = time.perf_counter()
            status, _, _ = fresh.post("/compte/login/", data)
            fresh.close()
            return status, status == expected, False, time.perf_counter() - started

        log(f"mesure de {name}")
        results[name] = load.run(
            name, sessions, attempt, seconds=120, max_requests=len(usernames), warmup=0
        )
    return results


# --- The table ------------------------------------------------------------------------------
def table(results, counts, exports, hasher, seeding):
    small, large = counts[SIZES[0]]["pages"], counts[SIZES[1]]["pages"]
    anonymous_health = results["/sante/ anonyme"].median
    logged_health = results["/sante/ connecté"].median
    rows, missed = [], []
    for name, measure in results.items():
        data = measure.as_json()
        reference = None
        if name == "/sante/ connecté":
            reference, limit = anonymous_health, HEALTH_RATIO
        elif name not in ("CSS statique", "/sante/ anonyme") and not name.startswith("connexion"):
            reference, limit = logged_health, LOGGED_IN_RATIO
        ratio = measure.median / reference if reference and measure.median else None
        checks = []
        is_export = name.startswith("export")
        if not is_export and not name.startswith("connexion") and data["p95_ms"] is not None:
            checks.append((f"p95<{P95_TARGET_MS}", data["p95_ms"] < P95_TARGET_MS))
        if ratio is not None and not is_export:
            checks.append((f"≤{limit}×", ratio <= limit))
        if name == "export établissement" and data["max_ms"] is not None:
            checks.append((f"<{EXPORT_ONE_TARGET_S} s", data["max_ms"] < EXPORT_ONE_TARGET_S * 1000))
        bad = data["failures"] + data["statuses"].get("exception", 0) + (not data["requests"])
        if bad:
            checks.append(("réponses", False))
        data.update(
            name=name,
            queries_small=(small.get(name) or {}).get("queries"),
            queries_large=(large.get(name) or {}).get("queries"),
            ratio=None if ratio is None else round(ratio, 2),
            targets={label: ok for label, ok in checks},
        )
        missed += [f"{name} : {label}" for label, ok in checks if not ok]
        rows.append(data)
    export_checks = {
        f"<{EXPORT_ALL_TARGET_S} s": exports["seconds"] < EXPORT_ALL_TARGET_S,
        "mémoire bornée (pic ≤ 2× celui de 1 000)": exports["peak_mb"] <= 2 * exports["peak_1000_mb"] + 1,
    }
    missed += [f"export des {exports['establishments']} : {k}" for k, ok in export_checks.items() if not ok]

    def cell(value, digits=1):
        return "—" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    header = ["page", "req/s", "p50 ms", "p95 ms", "statuts", f"req. N={SIZES[0]}", f"req. N={SIZES[1]}", "ratio", "objectifs"]
    lines = []
    for row in rows:
        statuses = ",".join(f"{k}:{v}" for k, v in row["statuses"].items())
        if row["conflicts"]:
            statuses += f" (409 conflit : {row['conflicts']})"
        targets = " ".join(f"{k} {'✓' if ok else '✗'}" for k, ok in row["targets"].items())
        lines.append([row["name"], cell(row["req_per_s"]), cell(row["p50_ms"]), cell(row["p95_ms"]),
                      statuses, cell(row["queries_small"]), cell(row["queries_large"]),
                      "—" if row["ratio"] is None else f"×{row['ratio']:.1f}", targets])  # fmt: skip
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for line in lines:
        print(" | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    print()
    print(
        f"Référence des ratios : les pages connectées / le /sante/ connecté "
        f"(médiane {cell(results['/sante/ connecté'].as_json()['p50_ms'])} ms) ; "
        f"le /sante/ connecté / le /sante/ anonyme (médiane "
        f"{cell(results['/sante/ anonyme'].as_json()['p50_ms'])} ms). {USERS} utilisateurs simultanés, "
        f"{SECONDS:.0f} s ou {MAX_REQUESTS} requêtes par page."
    )
    print(
        f"Export des {exports['establishments']} établissements (en processus) : "
        f"{exports['seconds']:.1f} s (objectif < {EXPORT_ALL_TARGET_S} s), {exports['size_mb']} Mo, "
        f"pic mémoire {exports['peak_mb']} Mo ({exports['peak_1000_mb']} Mo pour 1 000)."
    )
    print(
        f"Hacheur {hasher['algorithm']} : {hasher['check_ms']} ms par vérification "
        f"({hasher['wrong_check_ms']} ms pour un mauvais mot de passe), soit "
        f"{hasher['logins_per_s_per_core']} connexions/s par cœur, {hasher['logins_per_s']}/s "
        f"sur les {hasher['cores']} cœurs de cette machine."
    )
    print("Remplissage (seed_volume) : " + " ; ".join(f"N={n} en {s:.1f} s" for n, s in seeding.items()))
    if missed:
        print("\nOBJECTIFS MANQUÉS :")
        for item in missed:
            print(f"  ✗ {item}")
    else:
        print("\nTous les objectifs sont atteints.")
    return {
        "pages": rows,
        "export_all": {**exports, "targets": export_checks},
        "hasher": hasher,
        "seeding_seconds": seeding,
        "missed": missed,
        "users": USERS,
        "seconds_per_page": SECONDS,
    }


def main():
    started = time.perf_counter()
    base_url = os.environ["BENCH_PG_URL"]
    workdir = Path(os.environ["BENCH_DIR"])
    envs, counts, seeding = {}, {}, {}
    for size in SIZES:
        env = production_env(create_database(base_url, f"bench_{size}"), workdir)
        envs[size] = env
        run([PYTHON, "manage.py", "migrate", "--noinput"], env, what=f"migrate N={size}")
        run([PYTHON, "manage.py", "createcachetable"], env, what="createcachetable")
        out, seconds = run(
            [PYTHON, "manage.py", "seed_volume", "--establishments", str(size), "--password", PASSWORD],
            env,
            what=f"seed_volume N={size}",
        )
        seeding[size] = seconds
        log(out)
    env = envs[SIZES[1]]
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], env, what="collectstatic")
    for size in SIZES:
        counts[size] = inprocess("queries", envs[size], workdir, size)
        log(f"requêtes comptées à N={size}")
    hasher = inprocess("hasher", env, workdir, "large")
    exports = inprocess("exports", env, workdir, "large")
    log(f"export de tous les établissements : {exports['seconds']} s")
    cast = inprocess("prepare", env, workdir, "large")
    port = free_port()
    server = start_gunicorn(env, workdir, port)
    log(f"gunicorn sur 127.0.0.1:{port} ({os.environ.get('BENCH_GUNICORN_ARGS', '--workers 4 --threads 4')})")
    try:
        results = measure_pages(port, cast)
    finally:
        stop_gunicorn(server)
        log("gunicorn arrêté")
    report = table(results, counts, exports, hasher, seeding)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    target = BASE_DIR / "bench" / "results.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nRésultats écrits dans {target.relative_to(BASE_DIR)} ({report['total_seconds']:.0f} s en tout).")


if __name__ == "__main__":
    main()
