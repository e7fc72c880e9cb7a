"""A small known data set for the statistics, the command and the export.

Frozen at NOW. Cramif (caisse A), four establishments:

| establishment     | account   | profile    | step 1                  | step 2          | step 3      | step 4                         |
| Ateliers Alpha    | activated | complete   | validated, 2 d after    | complete 5 d    | in progress | –                              |
| Cabinet Gamma     | activated | complete   | validated, 4 d after    | complete 3 h    | –           | –                              |
| Dépôt Delta       | never     | empty      | complete 30 d           | –               | –           | –                              |
| Entrepôt Epsilon  | never     | no phone   | in progress             | to complete     | to correct  | validated, completed after it  |

Carsat Hauts-de-France (caisse B): Boulangerie Bêta, activated, step 1
complete for 100 days (it would head the waiting list if it leaked).
"""

import datetime
from zoneinfo import ZoneInfo

from conftest import make_establishment
from parcours.models import Step, StepProgress
from profiles.tests.sirets import make_siret

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)
Status = StepProgress.Status


def progress(establishment, number, status, *, completed=None, validated=None):
    """A progress row; `completed` and `validated` are how long ago."""
    return StepProgress.objects.create(
        establishment=establishment,
        step=Step.objects.get(number=number),
        status=status,
        completed_at=NOW - completed if completed is not None else None,
        validated_at=NOW - validated if validated is not None else None,
    )


def activate(establishment, ago=DAY):
    account = establishment.account
    account.activated_at = NOW - ago
    account.last_login = NOW - ago
    account.save(update_fields=["activated_at", "last_login"])


def populate(establishment_a, establishment_b):
    """The data set above (the programme must be loaded); returns the establishments by name."""
    alpha = establishment_a
    gamma = make_establishment(siret=make_siret(3), name="Cabinet Gamma", caisse_code="CRAMIF")
    delta = make_establishment(
        siret=make_siret(4), name="Dépôt Delta", caisse_code="CRAMIF", complete_profile=False
    )
    epsilon = make_establishment(siret=make_siret(5), name="Entrepôt Epsilon", caisse_code="CRAMIF")
    epsilon.head_phone = ""
    epsilon.save(update_fields=["head_phone"])
    beta = establishment_b
    activate(alpha)
    activate(gamma)
    activate(beta)

    progress(alpha, 1, Status.VALIDATED, completed=10 * DAY, validated=8 * DAY)
    progress(alpha, 2, Status.COMPLETE, completed=5 * DAY)
    progress(alpha, 3, Status.IN_PROGRESS)
    progress(gamma, 1, Status.VALIDATED, completed=6 * DAY, validated=2 * DAY)
    progress(gamma, 2, Status.COMPLETE, completed=3 * HOUR)
    progress(delta, 1, Status.COMPLETE, completed=30 * DAY)
    progress(epsilon, 1, Status.IN_PROGRESS)
    progress(epsilon, 2, Status.TO_COMPLETE)
    progress(epsilon, 3, "to_correct")  # sent back for correction: started
    progress(epsilon, 4, Status.VALIDATED, completed=1 * DAY, validated=10 * DAY)
    progress(beta, 1, Status.COMPLETE, completed=100 * DAY)
    return {e.name: e for e in (alpha, gamma, delta, epsilon, beta)}
