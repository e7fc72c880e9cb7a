"""A comment's history is bounded on the step page and complete on its own page."""

import pytest
from django.urls import reverse

from parcours.models import Comment, Question, Step
from parcours.steps import EARLIER_SHOWN

STEP1 = reverse("parcours:step", args=[1])


def versions(establishment, block, count, voice=Comment.Voice.ESTABLISHMENT, author=None):
    """`count` versions of a voice's comment, "Version 1" the oldest."""
    for index in range(1, count + 1):
        Comment.objects.create(
            establishment=establishment,
            block=block,
            voice=voice,
            text=f"Version {index} du commentaire",
            author=author or establishment.account,
        )


@pytest.fixture
def block(parcours):
    return Question.objects.get(code="Q1").block


def history_url(block, voice="etablissement", number=1):
    return reverse("parcours:comment_history", args=[number, block.pk, voice])


def test_the_step_page_shows_the_latest_earlier_versions_and_links_to_the_rest(
    client_a, establishment_a, block
):
    versions(establishment_a, block, 30)
    html = client_a.get(STEP1).content.decode()
    assert "Versions précédentes (29)" in html
    shown = [f"Version {n} du commentaire" for n in range(30 - EARLIER_SHOWN, 30)]
    assert all(text in html for text in shown)
    assert f"Version {29 - EARLIER_SHOWN} du commentaire" not in html
    assert "Version 1 du commentaire" not in html
    assert history_url(block) in html
    assert "Voir tout l'historique" in html


def test_no_history_link_while_every_earlier_version_is_shown(client_a, establishment_a, block):
    versions(establishment_a, block, EARLIER_SHOWN + 1)
    html = client_a.get(STEP1).content.decode()
    assert f"Versions précédentes ({EARLIER_SHOWN})" in html
    assert "Version 1 du commentaire" in html
    assert "Voir tout l'historique" not in html


def test_the_step_page_costs_the_same_at_4_and_200_versions(
    client_a, establishment_a, block, representative_a, preventeur_a, django_assert_max_num_queries
):
    for voice, author in [
        (Comment.Voice.ESTABLISHMENT, establishment_a.account),
        (Comment.Voice.REPRESENTATIVES, representative_a),
        (Comment.Voice.CAISSE, preventeur_a),
    ]:
        versions(establishment_a, block, 4, voice=voice, author=author)
    with django_assert_max_num_queries(40) as few:
        small = client_a.get(STEP1).content
    for voice, author in [
        (Comment.Voice.ESTABLISHMENT, establishment_a.account),
        (Comment.Voice.REPRESENTATIVES, representative_a),
        (Comment.Voice.CAISSE, preventeur_a),
    ]:
        versions(establishment_a, block, 196, voice=voice, author=author)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = client_a.get(STEP1).content
    # The same number of versions shown: only counts and texts differ.
    assert len(large) < len(small) + 1000


def test_the_history_lists_every_version_newest_first_a_page_at_a_time(
    client_a, establishment_a, block
):
    versions(establishment_a, block, 25)
    first = client_a.get(history_url(block)).content.decode()
    assert "25 versions" in first
    assert "Version 25 (version actuelle)" in first
    assert first.index("Version 25 du commentaire") < first.index("Version 6 du commentaire")
    assert "Version 5 du commentaire" not in first
    assert 'href="?page=2"' in first
    second = client_a.get(history_url(block), {"page": 2}).content.decode()
    assert all(f"Version {n} du commentaire" in second for n in range(1, 6))
    assert "Version 6 du commentaire" not in second
    assert "Retour à l'étape 1" in second


def test_the_history_page_costs_the_same_whatever_the_versions(
    client_a, establishment_a, block, django_assert_max_num_queries
):
    versions(establishment_a, block, 2)
    with django_assert_max_num_queries(40) as few:
        client_a.get(history_url(block))
    versions(establishment_a, block, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client_a.get(history_url(block), {"page": 3})
    # Page 3: the 41st to 60th newest.
    assert "Version 50 du commentaire" in response.content.decode()


def test_the_history_shows_only_the_establishments_own_comments(
    client_a, client_b, establishment_a, establishment_b, block
):
    versions(establishment_b, block, 3)
    html = client_a.get(history_url(block)).content.decode()
    assert "Version 1 du commentaire" not in html
    assert "Aucun commentaire pour l'instant." in html
    assert "Version 3 du commentaire" in client_b.get(history_url(block)).content.decode()


def test_the_other_voices_histories(client_a, establishment_a, block, preventeur_a):
    versions(establishment_a, block, 2, voice=Comment.Voice.CAISSE, author=preventeur_a)
    html = client_a.get(STEP1).content.decode()
    assert history_url(block, "caisse") in html
    page = client_a.get(history_url(block, "caisse")).content.decode()
    assert "Commentaires de la caisse régionale" in page
    assert "Version 1 du commentaire" in page and "Version 2 du commentaire" in page


def test_a_representative_reads_the_history(establishment_a, representative_a, block):
    from django.test import Client

    versions(establishment_a, block, 2)
    client = Client()
    client.force_login(representative_a)
    assert "Version 1 du commentaire" in client.get(history_url(block)).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/parcours/etape/1/historique/{block}/inconnue/",
        "/parcours/etape/2/historique/{block}/etablissement/",  # a block of step 1
        "/parcours/etape/9/historique/{block}/etablissement/",
        "/parcours/etape/1/historique/99999999999999999999/etablissement/",
    ],
)
def test_a_history_that_does_not_exist_is_a_404(client_a, block, url):
    assert client_a.get(url.format(block=block.pk)).status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999"])
def test_any_page_number_answers_a_page(client_a, establishment_a, block, page):
    versions(establishment_a, block, 2)
    response = client_a.get(history_url(block), {"page": page})
    assert response.status_code == 200
    assert "Version 1 du commentaire" in response.content.decode()


def test_the_history_asks_to_log_in(client, block):
    response = client.get(history_url(block))
    assert response.status_code == 302
    assert "/connexion/" in response["Location"] or "login" in response["Location"]


def test_the_retired_blocks_history_is_gone(client_a, establishment_a, block):
    from django.utils import timezone

    versions(establishment_a, block, 2)
    Step.objects.get(number=1).blocks.filter(pk=block.pk).update(retired_at=timezone.now())
    assert client_a.get(history_url(block)).status_code == 404


def test_the_follow_up_page_shows_the_latest_versions_of_each_voice(
    backoffice_a, establishment_a, block, django_assert_max_num_queries
):
    versions(establishment_a, block, 10)
    url = reverse("admin:profiles_establishment_follow", args=[establishment_a.pk])
    with django_assert_max_num_queries(80) as few:
        html = backoffice_a.get(url).content.decode()
    assert "Version 10 du commentaire" in html
    assert all(f"Version {n} du commentaire" in html for n in range(10 - EARLIER_SHOWN, 10))
    assert f"Version {9 - EARLIER_SHOWN} du commentaire" not in html
    assert f"Les {EARLIER_SHOWN} dernières versions précédentes sur 9." in html
    versions(establishment_a, block, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        backoffice_a.get(url)


def follow_history_url(establishment, block, voice="etablissement"):
    return reverse(
        "admin:profiles_establishment_follow_history", args=[establishment.pk, block.pk, voice]
    )


def test_the_follow_up_page_links_to_each_voices_whole_history(
    backoffice_a, establishment_a, block, preventeur_a, django_assert_max_num_queries
):
    versions(establishment_a, block, 30)
    follow = backoffice_a.get(
        reverse("admin:profiles_establishment_follow", args=[establishment_a.pk])
    ).content.decode()
    assert f'href="{follow_history_url(establishment_a, block)}"' in follow
    with django_assert_max_num_queries(20) as few:
        page = backoffice_a.get(follow_history_url(establishment_a, block)).content.decode()
    queries = len(few.captured_queries)
    assert "30 versions" in page and "Version 30 (version actuelle)" in page
    assert "Version 30 du commentaire" in page and "Version 11 du commentaire" in page
    assert "Version 10 du commentaire" not in page  # 20 a page
    assert (
        "Version 10 du commentaire"
        in backoffice_a.get(follow_history_url(establishment_a, block) + "?page=2").content.decode()
    )
    versions(establishment_a, block, 100)
    with django_assert_max_num_queries(queries):
        backoffice_a.get(follow_history_url(establishment_a, block))


def test_another_caisses_history_and_a_wrong_voice_are_404(
    establishment_a, establishment_b, block, preventeur_b
):
    from .conftest import as_staff, grant

    versions(establishment_a, block, 5)
    other_caisse = as_staff(grant(preventeur_b))
    assert other_caisse.get(follow_history_url(establishment_a, block)).status_code == 404
    assert (
        other_caisse.get(follow_history_url(establishment_a, block, "inconnue")).status_code == 404
    )
    assert other_caisse.get(follow_history_url(establishment_b, block, "caisse")).status_code == 200
