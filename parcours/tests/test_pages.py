import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conftest import make_establishment
from parcours.models import Comment, Question, StepProgress

from .conftest import attach, form_data

STEP1 = reverse("parcours:step", args=[1])


def test_mon_parcours_lists_the_four_steps_with_their_state(client_a, establishment_a, parcours):
    StepProgress.objects.create(
        establishment=establishment_a, step_id=_step_id(2), status="in_progress"
    )
    response = client_a.get(reverse("parcours:index"))
    html = response.content.decode()
    for title in (
        "En quoi suis-je concerné ?",
        "Par quoi commencer ?",
        "Comment agir ?",
        "Quels résultats pour mon entreprise ?",
    ):
        assert title in html
    assert (
        "Il n'est pas utile d'attendre la validation d'une étape pour compléter les suivantes."
        in html
    )
    assert "tms-badge-in_progress" in html and "tms-badge-to_complete" in html
    assert reverse("parcours:export") in html
    assert "EXPORTER LES DONNÉES SAISIES" in html


def _step_id(number):
    from parcours.models import Step

    return Step.objects.get(number=number).pk


def test_step_one_shows_the_question_and_the_figures_as_the_seed(client_a, parcours):
    html = client_a.get(STEP1).content.decode()
    assert "Etape 1" in html
    assert (
        "En quoi suis-je concerné par les troubles musculo-squelettiques (TMS) et les lombalgies ?"
        in html
    )
    text = " ".join(html.replace("<strong>", "").replace("</strong>", "").split())
    assert (
        "169 est le nombre de journées perdues liées aux TMS dans votre établissement, "
        "soit 0.8 équivalents temps plein." in text
    )
    assert (
        "473 est le nombre de journées perdues liées aux accidents du travail à l'origine de "
        "lombalgies dans votre établissement, soit 2.4 équivalents temps plein." in text
    )
    # Its own element: the seed's sentence is found exactly (the year stands apart).
    assert "<span>Dernières données annuelles disponibles.</span>" in html
    assert "À propos de cette question" in html
    assert 'enctype="multipart/form-data"' in html
    assert ">ENREGISTRER</button>" in html
    for voice in (
        "Commentaires de l'établissement",
        "Commentaires CSE/CHSCT/DP",
        "Commentaires de la caisse régionale",
    ):
        assert voice in html


def test_q8_guidance_is_shown_with_the_question_not_hidden_in_the_help(client_a, parcours):
    html = client_a.get("/parcours/etape/1/").content.decode()
    guidance = html.index(
        "Le résultat de votre tableau de bord doit être conservé pour continuer votre parcours."
    )
    details = html.index("<details", html.index("Elaborez votre tableau de bord"))
    assert guidance < details, (
        "the seed's sentences are visible, not inside « À propos de cette question »"
    )
    assert "Quiz sanitaire et social" in html


def test_unknown_figures_are_said_plainly(client_b, parcours):
    html = client_b.get(STEP1).content.decode()
    assert "ne sont pas encore disponibles" in html
    assert "équivalents temps plein" not in html


def test_other_steps_do_not_show_the_figures(client_a, parcours):
    html = client_a.get(reverse("parcours:step", args=[2])).content.decode()
    assert "Etape 2" in html
    assert "journées perdues" not in html


def test_three_voices_show_author_date_and_seen_mark(
    client_a, establishment_a, preventeur_a, parcours
):
    from django.utils import timezone

    block = Question.objects.get(code="Q1").block
    representative = User.objects.create_user(
        username="rep", first_name="Jean", last_name="Dupont", kind=User.Kind.REPRESENTATIVE
    )
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="representatives",
        text="très bien !",
        author=representative,
    )
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="caisse",
        text="il manque des données",
        author=preventeur_a,
    )
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="establishment",
        text="ancienne version",
        author=establishment_a.account,
    )
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="establishment",
        text="essai en cours - ne pas déranger",
        author=establishment_a.account,
    )
    StepProgress.objects.create(
        establishment=establishment_a,
        step=block.step,
        seen_by_representatives_at=timezone.now(),
        seen_by_representatives=representative,
    )
    html = client_a.get(STEP1).content.decode()
    assert "très bien !" in html and "Jean Dupont" in html
    assert "il manque des données" in html and "Paul Durand" in html
    assert "essai en cours - ne pas déranger" in html
    # The current version is the one edited; the earlier one is listed apart, kept.
    assert ">\nessai en cours - ne pas déranger</textarea>" in html
    assert html.index("ancienne version") > html.index("Versions précédentes (1)")
    assert "Etape vue par CSE / CHSCT / DP" in html
    today = timezone.localtime().strftime("%d/%m/%Y")
    assert f"le {today} " in html


def test_comments_of_another_establishment_are_never_shown(client_b, establishment_a, parcours):
    block = Question.objects.get(code="Q1").block
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice="establishment",
        text="secret d'Alpha",
        author=establishment_a.account,
    )
    assert "secret d'Alpha" not in client_b.get(STEP1).content.decode()


def test_the_gate_closes_the_programme_until_the_profile_is_complete(client, parcours):
    establishment = make_establishment(
        siret="35600000000048", name="Sans profil", caisse_code="CRAMIF", complete_profile=False
    )
    client.force_login(establishment.account)
    for url in (reverse("parcours:index"), STEP1, reverse("parcours:export")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("profiles:profile")
    response = client.post(STEP1, {"version": "0"})
    assert response.status_code == 302
    assert not StepProgress.objects.filter(establishment=establishment).exists()


def test_anonymous_visitors_are_sent_to_the_login(client, parcours):
    response = client.get(STEP1)
    assert response.status_code == 302
    assert "/compte/" in response.url or "login" in response.url


def test_staff_accounts_get_a_404(client, preventeur_a, parcours):
    client.force_login(preventeur_a)
    assert client.get(STEP1).status_code == 404


def test_an_unknown_step_is_a_404(client_a, parcours):
    assert client_a.get(reverse("parcours:step", args=[9])).status_code == 404


def _count_step_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STEP1)
    assert response.status_code == 200
    return len(queries)


def test_step_page_runs_a_fixed_number_of_queries(
    client_a,
    establishment_a,
    establishment_b,
    preventeur_a,
    parcours,
    django_assert_max_num_queries,
):
    client_a.get(STEP1)  # the first visit creates the progress row
    few = _count_step_page_queries(client_a)

    # Many answers, comments, documents and establishments later…
    for index in range(20):
        other = make_establishment(siret=_siret(index), name=f"Autre {index}", caisse_code="CRAMIF")
        for question in Question.objects.filter(block__step__number=1):
            question.answers.create(establishment=other, value="x")
    client_a.post(STEP1, form_data(establishment_a, 1, comments={}))
    for question in Question.objects.filter(block__step__number=1):
        attach(establishment_a, question.code)
        attach(establishment_a, question.code)
        for voice in ("establishment", "representatives", "caisse"):
            Comment.objects.create(
                establishment=establishment_a,
                block=question.block,
                voice=voice,
                text="x",
                author=preventeur_a,
            )
    many = _count_step_page_queries(client_a)
    assert many == few
    with django_assert_max_num_queries(21):
        client_a.get(STEP1)


def _siret(index):
    """A valid SIRET (Luhn) for the index-th extra establishment."""
    base = f"4{index:012d}"
    for last in range(10):
        candidate = base + str(last)
        digits = [int(d) for d in candidate]
        total = 0
        for position, digit in enumerate(reversed(digits)):
            if position % 2:
                digit *= 2
                digit -= 9 if digit > 9 else 0
            total += digit
        if total % 10 == 0:
            return candidate
    raise AssertionError


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_step_renders(client_a, parcours, number):
    response = client_a.get(reverse("parcours:step", args=[number]))
    assert response.status_code == 200


def test_home_timeline_shows_states_the_green_check_and_the_export(
    client_a, establishment_a, preventeur_a, parcours
):
    from django.utils import timezone

    from parcours.models import Step

    StepProgress.objects.create(
        establishment=establishment_a,
        step=Step.objects.get(number=1),
        status="validated",
        validated_at=timezone.now(),
        validated_by=preventeur_a,
    )
    StepProgress.objects.create(
        establishment=establishment_a, step=Step.objects.get(number=2), status="in_progress"
    )
    html = client_a.get(reverse("home")).content.decode()
    assert "tms-step-validated" in html and "✔" in html
    assert "tms-badge-validated" in html and "tms-badge-in_progress" in html
    assert html.count("tms-badge-to_complete") == 2
    assert reverse("parcours:export") in html
