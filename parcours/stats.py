"""The follow-up figures of a set of establishments, as plain data.

The press kit's "85 % … inscrites, 70 % en sont à l'étape 1…": establishments
imported, activated, with a complete profile, and for each step how many
started it, completed it, had it validated, as counts and percentages of the
imported ones; the median time from complete to validated; the complete steps
waiting for validation, oldest first.

Everything is counted by aggregate queries, a fixed number whatever the number
of establishments: `caisse_statistics` for one set (a caisse, or all),
`statistics_by_caisse` for the national view (grouped by caisse in the same
queries). The set is any Establishment queryset, already scoped by the caller
(`Establishment.objects.visible_to(user)`).
"""

import datetime
import statistics as pystats
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from profiles.models import Caisse, Membership, profile_complete_q

from .models import Step, StepProgress

TOTAL = None  # the group key of the whole set


@dataclass(frozen=True)
class Figure:
    """A count out of the imported establishments."""

    count: int
    total: int

    @property
    def percent(self) -> int | None:
        """Rounded half up; None when nothing is imported (no meaningful ratio)."""
        if not self.total:
            return None
        ratio = Decimal(self.count * 100) / Decimal(self.total)
        return int(ratio.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def percent_label(self) -> str:
        return "–" if self.percent is None else f"{self.percent} %"


@dataclass(frozen=True)
class StepFigures:
    number: int
    title: str
    started: Figure
    complete: Figure
    validated: Figure
    waiting: int  # complete, not validated
    median_validation_delay: datetime.timedelta | None

    @property
    def median_validation_delay_label(self) -> str:
        return duration_label(self.median_validation_delay)


@dataclass(frozen=True)
class WaitingStep:
    """A complete step waiting for the préventeur's validation."""

    establishment_id: int
    establishment_name: str
    siret: str
    caisse_name: str
    step_number: int
    completed_at: datetime.datetime | None
    waited: datetime.timedelta | None

    @property
    def waited_label(self) -> str:
        return duration_label(self.waited)


@dataclass(frozen=True)
class Statistics:
    caisse: Caisse | None  # None: the national total (or any set of several caisses)
    imported: int
    activated: Figure
    profile_complete: Figure
    steps: list[StepFigures]
    median_validation_delay: datetime.timedelta | None
    waiting_count: int
    waiting: list[WaitingStep] = field(default_factory=list)  # oldest first, maybe truncated

    @property
    def median_validation_delay_label(self) -> str:
        return duration_label(self.median_validation_delay)

    @property
    def label(self) -> str:
        return self.caisse.name if self.caisse else "Total national"


def duration_label(delta: datetime.timedelta | None) -> str:
    """ "3 j", "5 h", "12 min": the largest whole unit (rounded down)."""
    if delta is None:
        return "–"
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} j"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def _median(delays: list[datetime.timedelta]) -> datetime.timedelta | None:
    return pystats.median(delays) if delays else None


# --- The aggregate queries, grouped by caisse or not ---------------------------------
def _own_account_activated():
    """The establishment's own account (its SIRET as identifier) has been activated."""
    return Exists(
        Membership.objects.filter(
            establishment=OuterRef("pk"),
            role=Membership.Role.ESTABLISHMENT,
            user__username=OuterRef("siret"),
            user__activated_at__isnull=False,
        )
    )


def _establishment_counts(establishments, by_caisse: bool) -> dict:
    """{group: {imported, activated, profile_complete}} in one query."""
    counts = {
        "imported": Count("pk", distinct=True),
        "activated": Count("pk", distinct=True, filter=Q(_own_account_activated())),
        "profile_complete": Count("pk", distinct=True, filter=profile_complete_q()),
    }
    if not by_caisse:
        return {TOTAL: establishments.order_by().aggregate(**counts)}
    rows = establishments.order_by().values("caisse_id").annotate(**counts)
    return {row.pop("caisse_id"): row for row in rows}


def _reached_complete():
    """ "Complete" means "reached complete": complete now, or validated (a validated
    step stays validated while the establishment edits it)."""
    return (
        Q(completed_at__isnull=False)
        | Q(validated_at__isnull=False)
        | Q(status=StepProgress.Status.VALIDATED)
    )


def _waiting_for_validation():
    return Q(status=StepProgress.Status.COMPLETE, validated_at__isnull=True)


def _progresses(establishments):
    return StepProgress.objects.filter(establishment__in=establishments.order_by().values("pk"))


def _step_counts(establishments, by_caisse: bool) -> dict:
    """{(group, step_id): {started, complete, validated, waiting}} in one query.

    Any status but "to complete" is a start, those added later included
    (a step sent back for correction was started)."""
    keys = ["establishment__caisse_id", "step_id"] if by_caisse else ["step_id"]
    rows = (
        _progresses(establishments)
        .order_by()
        .values(*keys)
        .annotate(
            started=Count("pk", filter=~Q(status=StepProgress.Status.TO_COMPLETE)),
            complete=Count("pk", filter=_reached_complete()),
            validated=Count("pk", filter=Q(validated_at__isnull=False)),
            waiting=Count("pk", filter=_waiting_for_validation()),
        )
    )
    counts = {}
    for row in rows:
        group = row.pop("establishment__caisse_id") if by_caisse else TOTAL
        counts[(group, row.pop("step_id"))] = row
    return counts


def _validation_delays(establishments, by_caisse: bool) -> dict:
    """{(group, step_id): [complete → validated durations]} in one query.

    Only progresses whose completion precedes their validation: a step made
    incomplete then complete again after its validation has no such delay."""
    keys = ["establishment__caisse_id"] if by_caisse else []
    rows = (
        _progresses(establishments)
        .filter(
            validated_at__isnull=False,
            completed_at__isnull=False,
            completed_at__lte=F("validated_at"),
        )
        .order_by()
        .values_list(*keys, "step_id", "completed_at", "validated_at")
    )
    delays = {}
    for row in rows:
        *group, step_id, completed_at, validated_at = row
        key = (group[0] if by_caisse else TOTAL, step_id)
        delays.setdefault(key, []).append(validated_at - completed_at)
    return delays


def _waiting_steps(establishments, limit: int | None, now) -> list[WaitingStep]:
    """The complete steps waiting for validation, oldest completion first."""
    rows = (
        _progresses(establishments)
        .filter(_waiting_for_validation())
        .order_by(F("completed_at").asc(nulls_last=True), "pk")
        .values_list(
            "establishment_id",
            "establishment__name",
            "establishment__siret",
            "establishment__caisse__name",
            "step__number",
            "completed_at",
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        WaitingStep(
            establishment_id=establishment_id,
            establishment_name=name,
            siret=siret,
            caisse_name=caisse_name,
            step_number=number,
            completed_at=completed_at,
            waited=now - completed_at if completed_at else None,
        )
        for establishment_id, name, siret, caisse_name, number, completed_at in rows
    ]


def _assemble(caisse, group, steps, establishment_counts, step_counts, delays, **extra):
    counts = establishment_counts.get(group) or {}
    imported = counts.get("imported", 0)
    step_figures, all_delays, waiting_count = [], [], 0
    for step in steps:
        row = step_counts.get((group, step.pk)) or {}
        step_delays = delays.get((group, step.pk), [])
        all_delays += step_delays
        waiting_count += row.get("waiting", 0)
        step_figures.append(
            StepFigures(
                number=step.number,
                title=step.short_title,
                started=Figure(row.get("started", 0), imported),
                complete=Figure(row.get("complete", 0), imported),
                validated=Figure(row.get("validated", 0), imported),
                waiting=row.get("waiting", 0),
                median_validation_delay=_median(step_delays),
            )
        )
    return Statistics(
        caisse=caisse,
        imported=imported,
        activated=Figure(counts.get("activated", 0), imported),
        profile_complete=Figure(counts.get("profile_complete", 0), imported),
        steps=step_figures,
        median_validation_delay=_median(all_delays),
        waiting_count=waiting_count,
        **extra,
    )


# --- The two entry points ------------------------------------------------------------
def caisse_statistics(establishments, *, caisse=None, waiting_limit=None, now=None) -> Statistics:
    """The figures of `establishments` (a queryset, already scoped), in five queries.

    `caisse` only labels the result; `waiting_limit` bounds the waiting list
    (its full length is `waiting_count`)."""
    now = now or timezone.now()
    steps = list(Step.objects.order_by("number"))
    return _assemble(
        caisse,
        TOTAL,
        steps,
        _establishment_counts(establishments, by_caisse=False),
        _step_counts(establishments, by_caisse=False),
        _validation_delays(establishments, by_caisse=False),
        waiting=_waiting_steps(establishments, waiting_limit, now),
    )


def statistics_by_caisse(
    establishments, *, caisses=None, waiting_limit=0, now=None
) -> tuple[list[Statistics], Statistics]:
    """One Statistics per caisse and the total of `establishments`, in five queries.

    `caisses` (a Caisse queryset or list) fixes the rows, in its order, those
    without establishments included; by default the caisses of `establishments`.
    The rows carry no waiting list (only its length); the total is the sum of
    the rows, its median the median of all their delays, and its waiting list
    the `waiting_limit` oldest (None: all) for one more query."""
    establishment_counts = _establishment_counts(establishments, by_caisse=True)
    step_counts = _step_counts(establishments, by_caisse=True)
    delays = _validation_delays(establishments, by_caisse=True)
    steps = list(Step.objects.order_by("number"))
    if caisses is None:
        caisses = Caisse.objects.filter(pk__in=list(establishment_counts)).order_by("name")
    rows = [
        _assemble(caisse, caisse.pk, steps, establishment_counts, step_counts, delays)
        for caisse in caisses
    ]
    total = _assemble(
        None,
        TOTAL,
        steps,
        {TOTAL: _sum(establishment_counts.values())},
        _sum_by_step(step_counts),
        _all_delays_by_step(delays),
        waiting=(
            _waiting_steps(establishments, waiting_limit, now or timezone.now())
            if waiting_limit != 0
            else []
        ),
    )
    return rows, total


def _sum(rows) -> dict:
    total = {}
    for row in rows:
        for key, value in row.items():
            total[key] = total.get(key, 0) + value
    return total


def _sum_by_step(step_counts: dict) -> dict:
    by_step = {}
    for (_, step_id), row in step_counts.items():
        by_step.setdefault((TOTAL, step_id), []).append(row)
    return {key: _sum(rows) for key, rows in by_step.items()}


def _all_delays_by_step(delays: dict) -> dict:
    by_step = {}
    for (_, step_id), step_delays in delays.items():
        by_step.setdefault((TOTAL, step_id), []).extend(step_delays)
    return by_step
