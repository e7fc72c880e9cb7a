"""seed_volume fills an empty database as the press kit describes, and the pages still render."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from accounts.models import User
from parcours.models import Answer, Comment, StepProgress, StepValidation
from parcours.services import is_complete
from parcours.steps import load_step
from parcours.volume import reached_counts, seed_volume
from profiles.models import Caisse, Establishment, Membership

N = 200
PASSWORD = "Volume-TmsPros-2026!"


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_volume", "--establishments", str(N), "--password", PASSWORD, stdout=out)
    return out.getvalue()


def reached(number) -> int:
    return (
        StepProgress.objects.filter(step__number=number).values("establishment").distinct().count()
    )


def test_the_press_kit_shares_reach_each_step(seeded):
    # 70 % reached step 1, 34 % step 2, 8 % step 3, 1 % step 4 (cumulative).
    assert reached_counts(N) == {1: 140, 2: 68, 3: 16, 4: 2}
    assert [reached(number) for number in (1, 2, 3, 4)] == [140, 68, 16, 2]
    assert "étape 1 : 140, étape 2 : 68, étape 3 : 16, étape 4 : 2" in seeded


def test_an_establishment_at_step_k_completed_every_earlier_step(seeded):
    for progress in StepProgress.objects.filter(step__number__gt=1).select_related("step"):
        earlier = StepProgress.objects.filter(
            establishment_id=progress.establishment_id, step__number__lt=progress.step.number
        )
        assert earlier.count() == progress.step.number - 1
        assert all(p.completed_at is not None for p in earlier)
        assert {p.status for p in earlier} <= {"complete", "validated"}


def test_the_stored_state_matches_what_the_step_holds(seeded):
    """Each progress row says what the portal would compute from the answers."""
    for progress in StepProgress.objects.select_related("establishment", "step")[:80]:
        data = load_step(progress.establishment, progress.step)
        assert is_complete(data) == (progress.completed_at is not None), progress
        if progress.validated_at is None:
            expected = "complete" if is_complete(data) else "in_progress"
            assert progress.status == expected


def test_establishments_are_spread_over_the_caisses_with_accounts(seeded):
    counts = Counter(Establishment.objects.values_list("caisse__code", flat=True))
    assert len(counts) == Caisse.objects.count() == 21
    assert max(counts.values()) - min(counts.values()) <= 1
    own = Membership.objects.filter(role=Membership.Role.ESTABLISHMENT, is_active=True)
    assert own.count() == N
    assert all(e.is_profile_complete for e in Establishment.objects.all())
    user = User.objects.get(username=Establishment.objects.first().siret)
    assert user.check_password(PASSWORD)


def test_answers_comments_documents_and_validations_are_there(seeded):
    assert Answer.objects.count() > N
    voices = set(Comment.objects.values_list("voice", flat=True))
    assert voices == set(Comment.Voice.values)
    several = Comment.objects.values("establishment", "block", "voice").annotate(n=Count("pk"))
    assert any(row["n"] > 1 for row in several)
    validated = StepProgress.objects.filter(validated_at__isnull=False)
    assert validated.exists()
    assert StepValidation.objects.count() == validated.count()
    assert not validated.filter(validation__isnull=True).exists()
    assert User.objects.filter(kind=User.Kind.PREVENTEUR).count() == 21 * 3


def test_a_second_run_is_refused_in_french_unless_told(seeded):
    with pytest.raises(CommandError, match="contient déjà des établissements"):
        call_command("seed_volume", "--establishments", "5", stdout=io.StringIO())
    call_command("seed_volume", "--establishments", "5", "--append", stdout=io.StringIO())
    assert Establishment.objects.count() == N + 5


def test_the_same_seed_gives_the_same_data(db):
    def fingerprint(seed):
        with transaction.atomic():
            seed_volume(count=60, seed=seed)
            data = (
                sorted(Answer.objects.values_list("establishment__siret", "question__code", "value")),
                sorted(StepProgress.objects.values_list("establishment__siret", "step__number", "status")),
                sorted(Comment.objects.values_list("establishment__siret", "voice", "text")),
            )  # fmt: skip
            transaction.set_rollback(True)
        return data

    first = fingerprint(7)
    assert fingerprint(7) == first
    assert fingerprint(8) != first


def test_the_pages_render_for_an_establishment_and_a_preventeur(seeded, client):
    deep = StepProgress.objects.filter(step__number=2).select_related("establishment").first()
    establishment = deep.establishment
    client.force_login(establishment.account)
    for url in ["/", "/parcours/", "/pieces-jointes/", "/mon-profil/", "/compte/"] + [
        f"/parcours/etape/{n}/" for n in (1, 2, 3, 4)
    ]:
        assert client.get(url).status_code == 200, url

    preventeur = User.objects.filter(
        kind=User.Kind.PREVENTEUR, caisse=establishment.caisse
    ).first()
    client.force_login(preventeur)
    for url in [
        "/admin/profiles/establishment/",
        f"/admin/profiles/establishment/{establishment.pk}/suivi/",
        "/admin/statistiques/",
    ]:
        assert client.get(url).status_code == 200, url
