"""What `make bench` measures inside Django, against the database of DATABASE_URL.

    python -m benchmarks.inprocess prepare|queries|exports|hasher OUT.json

- prepare: the cast of the HTTP measures (establishments that reached step 2,
  préventeurs with a TOTP secret set here, accounts for the login POSTs);
- queries: the queries of each page (Django's test Client, force_login,
  CaptureQueriesContext), the second request of each (the first fills caches);
- exports: the export of every establishment (the national team's; the
  préventeur's is the same code on their caisse), time then peak memory;
- hasher: the cost of one password check (the first hasher of the settings).
The settings are the production ones the server gets (DEBUG off).
"""

import base64
import io
import json
import os
import statistics
import sys
import time
import tracemalloc

USERS = 16
PREVENTEURS = 4
LOGINS = 64
WRONG_LOGINS = 32


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmspros.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def cast():
    """Establishments that reached step 2, in a fixed order; préventeurs of their caisses."""
    from accounts.models import User
    from parcours.models import StepProgress
    from profiles.models import Establishment

    deep = (
        Establishment.objects.filter(
            pk__in=StepProgress.objects.filter(step__number=2).values("establishment")
        )
        .select_related("caisse")
        .order_by("siret")
    )
    establishments = list(deep[:USERS])
    caisses = []
    for establishment in establishments:
        if establishment.caisse_id not in caisses:
            caisses.append(establishment.caisse_id)
    preventeurs = [
        User.objects.filter(kind=User.Kind.PREVENTEUR, caisse_id=caisse_id)
        .order_by("username")
        .first()
        for caisse_id in caisses[:PREVENTEURS]
    ]
    followed = establishments[0]  # in the first préventeur's caisse
    return establishments, [p for p in preventeurs if p is not None], followed


def pages(followed_pk) -> dict:
    """name -> (role, path) of the measured pages (as the table names them)."""
    return {
        "/sante/ anonyme": ("anonymous", "/sante/"),
        "/sante/ connecté": ("establishment", "/sante/"),
        "/mentions-legales/": ("establishment", "/mentions-legales/"),
        "/ accueil": ("establishment", "/"),
        **{f"/parcours/etape/{n}/": ("establishment", f"/parcours/etape/{n}/") for n in (1, 2, 3, 4)},
        "/pieces-jointes/": ("establishment", "/pieces-jointes/"),
        "/mon-profil/": ("establishment", "/mon-profil/"),
        "/compte/": ("establishment", "/compte/"),
        "/actualites/": ("establishment", "/actualites/"),
        "admin établissements": ("preventeur", "/admin/profiles/establishment/"),
        "admin suivi": ("preventeur", f"/admin/profiles/establishment/{followed_pk}/suivi/"),
        "admin statistiques": ("preventeur", "/admin/statistiques/"),
        "export établissement": ("establishment", "/parcours/export/"),
        "export préventeur": ("preventeur", "/admin/profiles/establishment/exporter/"),
    }


def prepare(out):
    """The cast, with fresh TOTP secrets for the préventeurs (as conftest.give_second_factor)."""
    from accounts.models import User
    from accounts.services import set_totp_secret
    from profiles.models import Establishment

    establishments, preventeurs, followed = cast()
    taken = {e.siret for e in establishments}
    others = list(
        Establishment.objects.exclude(siret__in=taken)
        .order_by("siret")
        .values_list("siret", flat=True)[: LOGINS + WRONG_LOGINS]
    )
    staff = []
    for user in preventeurs:
        secret = base64.b32encode(os.urandom(20)).decode()
        set_totp_secret(user, secret)
        staff.append({"username": user.username, "secret": secret})
    assert User.objects.filter(username__in=[s["username"] for s in staff]).count() == len(staff)
    json.dump(
        {
            "establishments": [e.siret for e in establishments],
            "preventeurs": staff,
            "followed": followed.pk,
            "logins": others[:LOGINS],
            "wrong_logins": others[LOGINS:],
            "pages": pages(followed.pk),
        },
        out,
    )


def queries(out):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from benchmarks.load import edited_step_form

    establishments, preventeurs, followed = cast()
    clients = {"anonymous": Client()}
    clients["establishment"] = Client()
    clients["establishment"].force_login(User.objects.get(username=establishments[0].siret))
    clients["preventeur"] = Client()
    clients["preventeur"].force_login(preventeurs[0])
    counts = {}

    def count(name, call):
        try:
            call()  # the first request fills the caches (content types, site, session)
            with CaptureQueriesContext(connection) as captured:
                response = call()
            counts[name] = {"queries": len(captured), "status": response.status_code}
        except Exception as error:  # noqa: BLE001 - reported in the table
            counts[name] = {"queries": None, "status": None, "error": repr(error)}

    for name, (role, path) in pages(followed.pk).items():
        count(name, lambda c=clients[role], p=path: _read(c.get(p)))

    client = clients["establishment"]
    stamp = iter(range(1000))

    def save():
        html = client.get("/parcours/etape/1/").content.decode()
        data = edited_step_form(html, f"q{next(stamp)}")
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/parcours/etape/1/", data)
        save.queries = len(captured)
        return response

    try:
        save()
        response = save()
        counts["enregistrement étape 1"] = {"queries": save.queries, "status": response.status_code}
    except Exception as error:  # noqa: BLE001
        counts["enregistrement étape 1"] = {"queries": None, "status": None, "error": repr(error)}
    password = os.environ.get("BENCH_PASSWORD", "")
    count(
        "connexion (POST)",
        lambda: Client().post(
            "/compte/login/", {"login": establishments[1].siret, "password": password}
        ),
    )
    json.dump({"establishments": _establishment_count(), "pages": counts}, out)


def _read(response):
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass
    return response


def _establishment_count():
    from profiles.models import Establishment

    return Establishment.objects.count()


def exports(out):
    """The export of every establishment: time (no tracing), then the peak of
    Python memory (tracemalloc) for 1,000 and for all; it must not grow with rows."""
    from parcours.exports import establishments_workbook_response
    from profiles.models import Establishment

    def export(count=None):
        queryset = Establishment.objects.order_by("pk")
        if count is not None:
            queryset = queryset.filter(pk__in=queryset.values("pk")[:count])
        response = establishments_workbook_response(queryset, filename="bench.xlsx")
        size = sum(len(block) for block in response.streaming_content)
        response.file_to_stream.close()
        return size

    def peak(count=None):
        tracemalloc.start()
        try:
            export(count)
            return tracemalloc.get_traced_memory()[1] / 1024 / 1024
        finally:
            tracemalloc.stop()

    started = time.perf_counter()
    size = export()
    seconds = time.perf_counter() - started
    json.dump(
        {
            "establishments": _establishment_count(),
            "seconds": round(seconds, 2),
            "size_mb": round(size / 1024 / 1024, 2),
            "peak_mb": round(peak(), 2),
            "peak_1000_mb": round(peak(1000), 2),
        },
        out,
    )


def hasher(out):
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    encoded = make_password("Bench-TmsPros-2026!")
    timings = []
    for password in ["Bench-TmsPros-2026!", "mauvais"] * 5:
        started = time.perf_counter()
        check_password(password, encoded)
        timings.append((password == "mauvais", time.perf_counter() - started))
    right = statistics.median(t for wrong, t in timings if not wrong)
    wrong = statistics.median(t for wrong, t in timings if wrong)
    cores = os.cpu_count() or 1
    json.dump(
        {
            "algorithm": get_hasher().algorithm,
            "check_ms": round(right * 1000, 1),
            "wrong_check_ms": round(wrong * 1000, 1),
            "logins_per_s_per_core": round(1 / right, 1),
            "cores": cores,
            "logins_per_s": round(cores / right, 1),
        },
        out,
    )


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    setup()
    buffer = io.StringIO()
    {"prepare": prepare, "queries": queries, "exports": exports, "hasher": hasher}[command](buffer)
    with open(path, "w") as file:
        file.write(buffer.getvalue())
