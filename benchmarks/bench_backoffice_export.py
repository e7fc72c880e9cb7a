"""The back office's export of 8,000 establishments stays in bounded memory.

8,000 establishments over the 21 caisses, each with its account, a complete
profile and a progress row on each of the four steps (states mixed: to
complete, in progress, complete, validated); the xlsx of them all is written
(parcours.exports, openpyxl's write-only mode, rows read in chunks) and its
response read to the end. Timed without tracing, then the peak of Python
memory measured with tracemalloc, for 1,000 then 8,000 establishments: the
peak must not grow with the number of rows.
"""

import datetime
import io
import time
import tracemalloc

ESTABLISHMENTS = 8000
SMALL = 1000
BUDGET_SECONDS = 30.0
BUDGET_PEAK_MB = 20.0


def main() -> None:
    from django.core.management import call_command
    from django.db import transaction

    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    with transaction.atomic():
        populate()
        seconds, rows, size = time_export(ESTABLISHMENTS)
        small_peak = peak_memory(SMALL)
        peak = peak_memory(ESTABLISHMENTS)
        transaction.set_rollback(True)
    print(
        f"   export xlsx de {rows} établissements ({size / 1024 / 1024:.1f} Mo) : "
        f"{seconds:.1f} s (budget {BUDGET_SECONDS:.0f} s), "
        f"pic mémoire {peak:.1f} Mo (budget {BUDGET_PEAK_MB:.0f} Mo ; "
        f"{small_peak:.1f} Mo pour {SMALL})"
    )
    if seconds > BUDGET_SECONDS:
        raise SystemExit(f"bench_backoffice_export: au-delà du budget de {BUDGET_SECONDS} s")
    if peak > BUDGET_PEAK_MB:
        raise SystemExit(f"bench_backoffice_export: au-delà du budget de {BUDGET_PEAK_MB} Mo")
    if peak > 2 * small_peak:
        raise SystemExit("bench_backoffice_export: la mémoire croît avec le nombre de lignes")


def populate() -> None:
    from django.utils import timezone

    from accounts.models import User
    from parcours.models import Step, StepProgress
    from profiles.models import Caisse, Establishment, Membership

    now = timezone.now()
    caisses = list(Caisse.objects.all())
    preventeurs = User.objects.bulk_create(
        User(
            username=f"prev{index}@bench.example.fr",
            password="!",
            kind=User.Kind.PREVENTEUR,
            caisse=caisse,
            is_staff=True,
            first_name="Préventeur",
            last_name=caisse.code,
        )
        for index, caisse in enumerate(caisses)
    )
    users = User.objects.bulk_create(
        User(
            username=f"8{index:013d}",
            password="!",
            activated_at=now - datetime.timedelta(days=index % 90) if index % 4 else None,
            last_login=now - datetime.timedelta(hours=index % 500) if index % 4 else None,
        )
        for index in range(ESTABLISHMENTS)
    )
    establishments = Establishment.objects.bulk_create(
        Establishment(
            siret=user.username,
            name=f"Établissement de test n° {index}",
            town="Lille",
            headcount=10 + index % 400,
            caisse=caisses[index % len(caisses)],
            preventeur=preventeurs[index % len(caisses)] if index % 3 else None,
            head_last_name="Martin",
            head_first_name="Claire",
            head_email=f"direction-{index}@example.fr",
            head_phone="0102030405",
            head_address="1 rue de la Paix, 59000 Lille",
            is_space_manager=True,
            belongs_to_group=False,
            has_staff_representative=bool(index % 2),
        )
        for index, user in enumerate(users)
    )
    Membership.objects.bulk_create(
        Membership(establishment=establishment, user=user, role=Membership.Role.ESTABLISHMENT)
        for establishment, user in zip(establishments, users, strict=True)
    )
    statuses = StepProgress.Status
    cycle = [statuses.VALIDATED, statuses.COMPLETE, statuses.IN_PROGRESS, statuses.TO_COMPLETE]
    steps = list(Step.objects.order_by("number"))
    StepProgress.objects.bulk_create(
        (
            StepProgress(
                establishment=establishment,
                step=step,
                status=(status := cycle[(index + step.number) % len(cycle)]),
                completed_at=(
                    now - datetime.timedelta(days=index % 60 + 3)
                    if status in (statuses.VALIDATED, statuses.COMPLETE)
                    else None
                ),
                validated_at=(
                    now - datetime.timedelta(days=index % 3)
                    if status == statuses.VALIDATED
                    else None
                ),
            )
            for index, establishment in enumerate(establishments)
            for step in steps
        ),
        batch_size=2000,
    )


def export(count: int) -> int:
    """Export the first `count` establishments and read the response to the end."""
    from parcours.exports import establishments_workbook_response
    from profiles.models import Establishment

    queryset = Establishment.objects.order_by("pk")
    queryset = queryset.filter(pk__in=queryset.values("pk")[:count])
    response = establishments_workbook_response(queryset, filename="bench.xlsx")
    size = sum(len(block) for block in response.streaming_content)
    # Not response.close(): its request_finished signal would close the connection.
    response.file_to_stream.close()
    return size


def time_export(count: int) -> tuple[float, int]:
    from openpyxl import load_workbook

    from parcours.exports import write_establishments_workbook
    from profiles.models import Establishment

    started = time.perf_counter()
    size = export(count)
    seconds = time.perf_counter() - started
    assert size > 0
    buffer = io.BytesIO()
    rows = write_establishments_workbook(Establishment.objects.all(), buffer)
    workbook = load_workbook(buffer, read_only=True)
    assert sum(1 for _ in workbook.active.iter_rows(values_only=True)) == rows + 1 == count + 1
    workbook.close()
    return seconds, rows, size


def peak_memory(count: int) -> float:
    tracemalloc.start()
    try:
        export(count)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


if __name__ == "__main__":
    from benchmarks.run import setup_django

    setup_django()
    main()
