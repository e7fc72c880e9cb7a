""" "Mon profil" → "Représentants du personnel": who sees it, what it lists, what its buttons do."""

import io
import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import make_representative
from profiles.models import Invitation, Membership

PROFILE = reverse("profiles:profile")
INVITE = reverse("profiles:invite_representative")
SECTION = "Représentants du personnel"
INVITEE = {
    "invitation-last_name": "Lefèvre",
    "invitation-first_name": "Nadia",
    "invitation-email": "nadia.lefevre@example.fr",
    "invitation-mandate": "CHSCT",
}


def page(response) -> str:
    return unescape(response.content.decode())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_of(html, name) -> str:
    """The text of the list's row that names `name` (tags removed)."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if name in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row for {name}")


def invitation_for(establishment, email="nadia.lefevre@example.fr", **extra) -> Invitation:
    fields = {"first_name": "Nadia", "last_name": "Lefèvre", "mandate": "CSE", **extra}
    return Invitation.objects.create(establishment=establishment, email=email, **fields)


# --- Who sees the section ------------------------------------------------------------


def test_the_section_and_its_form_are_shown_when_the_profile_has_staff_representatives(
    client_a,
):
    html = page(client_a.get(PROFILE))
    assert SECTION in html
    for label in ("Nom", "Prénom", "Courriel", "Mandat", "Envoyer l'invitation"):
        assert label in html, label
    assert f'action="{INVITE}"' in html
    for mandate in ("CSE", "CHSCT", "DP"):
        assert f'<option value="{mandate}">{mandate}</option>' in html
    # Labels point at their fields; no inline script or style (CSP).
    for field in ("last_name", "first_name", "email", "mandate"):
        assert re.search(rf'<label\s+for="id_invitation-{field}"', html), field
    assert "<script>" not in html and "style=" not in html


def test_the_section_is_hidden_when_the_profile_says_no_staff_representative(
    client_a, establishment_a
):
    establishment_a.has_staff_representative = False
    establishment_a.save()
    html = page(client_a.get(PROFILE))
    assert SECTION not in html and "Envoyer l'invitation" not in html
    assert client_a.post(INVITE, INVITEE).status_code == 302
    assert not Invitation.objects.exists()


def test_listed_representatives_can_still_be_withdrawn_after_answering_no(
    client_a, establishment_a, representative_a
):
    establishment_a.has_staff_representative = False
    establishment_a.save()
    html = page(client_a.get(PROFILE))
    assert SECTION in html and "Rémi Moreau" in html and "Retirer" in html
    assert "Envoyer l'invitation" not in html


def test_a_representative_neither_sees_the_section_nor_may_use_it(
    establishment_a, representative_a
):
    client = logged_in(representative_a)
    response = client.get(PROFILE, follow=True)
    assert SECTION not in page(response)
    assert client.post(INVITE, INVITEE).status_code == 403
    invitation = invitation_for(establishment_a)
    for url in (
        reverse("profiles:resend_invitation", args=[invitation.pk]),
        reverse("profiles:withdraw_invitation", args=[invitation.pk]),
        reverse("profiles:withdraw_representative", args=[representative_a.memberships.get().pk]),
    ):
        assert client.post(url).status_code == 403
    assert Invitation.objects.get().is_pending
    assert representative_a.memberships.get().is_active


def test_staff_and_anonymous_cannot_invite(client, preventeur_a, establishment_a):
    assert client.post(INVITE, INVITEE).status_code == 302  # to the login
    assert logged_in(preventeur_a).post(INVITE, INVITEE).status_code == 404
    assert not Invitation.objects.exists()


# --- Inviting ----------------------------------------------------------------------------


def test_inviting_sends_the_email_and_lists_the_invitation(
    client_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(INVITE, INVITEE, follow=True)
    html = page(response)
    assert "L'invitation a été envoyée à nadia.lefevre@example.fr." in html
    row = row_of(html, "Nadia Lefèvre")
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Invitation envoyée le {today}" in row
    assert "CHSCT" in row and "Renvoyer l'invitation" in row and "Retirer" in row
    assert [message.to for message in mailoutbox] == [["nadia.lefevre@example.fr"]]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", "", "Saisissez le nom du représentant."),
        ("last_name", "\u200b \u202e", "Saisissez le nom du représentant."),
        ("first_name", "", "Saisissez le prénom du représentant."),
        ("first_name", "N" * 151, "Le prénom ne doit pas dépasser 150 caractères."),
        ("email", "", "Saisissez l'adresse e-mail du représentant."),
        ("email", "nadia.lefevre", "Saisissez une adresse e-mail valide"),
        (
            "email",
            "n" * 250 + "@example.fr",
            "L'adresse e-mail ne doit pas dépasser 254 caractères.",
        ),
        ("mandate", "", "Choisissez le mandat du représentant."),
        ("mandate", "syndic", "Choisissez le mandat du représentant : CSE, CHSCT ou DP."),
    ],
)
def test_bad_inputs_are_refused_next_to_their_field_and_nothing_is_saved(
    client_a, mailoutbox, field, value, message
):
    response = client_a.post(INVITE, {**INVITEE, f"invitation-{field}": value})
    assert response.status_code == 200
    html = page(response)
    assert message in html
    assert "L'invitation n'a pas été envoyée : corrigez les champs signalés." in html
    # The error is next to its field, and the field says so to assistive technologies.
    assert f'id="id_invitation-{field}_error"' in html
    assert re.search(rf'aria-describedby="[^"]*id_invitation-{field}_error', html)
    for name in ("last_name", "first_name", "email"):
        if name != field:
            assert f'value="{INVITEE[f"invitation-{name}"]}"' in html
    assert not Invitation.objects.exists() and not mailoutbox


def test_an_address_already_representative_here_is_refused(client_a, representative_a):
    response = client_a.post(INVITE, {**INVITEE, "invitation-email": "CSE.alpha@example.fr"})
    assert "Cette personne est déjà représentante du personnel de votre établissement." in page(
        response
    )
    assert not Invitation.objects.exists()


def test_an_address_with_a_pending_invitation_is_refused(client_a, establishment_a):
    invitation_for(establishment_a)
    response = client_a.post(INVITE, INVITEE)
    assert "Une invitation a déjà été envoyée à cette adresse" in page(response)
    assert Invitation.objects.count() == 1


def test_a_representative_of_another_establishment_may_be_invited(
    client_a, establishment_b, django_capture_on_commit_callbacks
):
    make_representative(establishment_b, email="cse.beta@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(INVITE, {**INVITEE, "invitation-email": "cse.beta@example.fr"})
    assert Invitation.objects.filter(email="cse.beta@example.fr").exists()


@pytest.mark.parametrize(
    "address",
    [
        "prev.a@cramif.example.fr",  # a préventeur's identifier
        "contact-55210055400013@example.fr",  # an establishment account's address
    ],
)
def test_an_establishments_or_staff_account_cannot_be_invited(
    client_a, establishment_b, preventeur_a, address
):
    response = client_a.post(INVITE, {**INVITEE, "invitation-email": address.upper()})
    assert "Cette adresse est celle d'un compte qui ne peut pas être invité." in page(response)
    assert not Invitation.objects.exists()


# --- The list and its states -------------------------------------------------------------


def test_the_list_shows_each_state(client_a, establishment_a, representative_a):
    withdrawn = make_representative(
        establishment_a, email="ancien@example.fr", first_name="Paul", last_name="Ancien"
    )
    Membership.objects.filter(user=withdrawn).update(is_active=False)
    invitation_for(establishment_a)
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        invitation_for(establishment_a, email="lent@example.fr", first_name="Léo", last_name="Lent")
    invitation_for(
        establishment_a,
        email="parti@example.fr",
        first_name="Zoé",
        last_name="Partie",
        withdrawn_at=timezone.now(),
    )
    invitation_for(establishment_a, email="done@example.fr", accepted_at=timezone.now())
    html = page(client_a.get(PROFILE))
    assert row_of(html, "Rémi Moreau").count("Actif") == 1
    assert "Renvoyer" not in row_of(html, "Rémi Moreau")
    assert "Invitation envoyée le" in row_of(html, "Nadia Lefèvre")
    assert "expirée" not in row_of(html, "Nadia Lefèvre")
    expired = row_of(html, "Léo Lent")
    assert "Invitation envoyée le" in expired and "expirée depuis le" in expired
    assert "Renvoyer l'invitation" in expired
    for name in ("Paul Ancien", "Zoé Partie"):
        assert "Retiré" in row_of(html, name)
        assert "Retirer" not in row_of(html, name) and "Renvoyer" not in row_of(html, name)
    assert "done@example.fr" not in html  # an accepted invitation is its membership
    # The order: active, invited, withdrawn.
    positions = [html.index(name) for name in ("Rémi Moreau", "Léo Lent", "Paul Ancien")]
    assert positions == sorted(positions)


def test_a_representative_of_another_establishment_is_not_listed(client_a, establishment_b):
    make_representative(establishment_b, email="cse.beta@example.fr", first_name="Bêta")
    invitation_for(establishment_b, email="autre@example.fr", first_name="Autre")
    html = page(client_a.get(PROFILE))
    assert "cse.beta@example.fr" not in html and "autre@example.fr" not in html


def test_the_profile_page_queries_do_not_grow_with_the_list(
    client_a, establishment_a, django_assert_max_num_queries
):
    for number in range(10):
        make_representative(establishment_a, email=f"cse{number}@example.fr")
        invitation_for(establishment_a, email=f"invite{number}@example.fr")
    client_a.get(PROFILE)
    with django_assert_max_num_queries(12):
        assert client_a.get(PROFILE).status_code == 200


# --- Withdrawing ---------------------------------------------------------------------------


def test_withdrawing_ends_the_representatives_sessions_at_once_and_keeps_their_comments(
    client_a, client_b, establishment_a, representative_a
):
    from parcours.models import Block, Comment

    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    block = Block.objects.filter(step__number=1).first()
    Comment.objects.create(
        establishment=establishment_a,
        block=block,
        voice=Comment.Voice.REPRESENTATIVES,
        text="Les postes d'emballage sont à revoir.",
        author=representative_a,
    )
    browser, phone = logged_in(representative_a), logged_in(representative_a)
    assert browser.get(reverse("home")).wsgi_request.establishment == establishment_a
    membership = representative_a.memberships.get()

    response = client_a.post(
        reverse("profiles:withdraw_representative", args=[membership.pk]), follow=True
    )

    assert "Rémi Moreau n'a plus accès à l'espace de l'établissement." in page(response)
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.updated_by == establishment_a.account
    assert Membership.objects.filter(pk=membership.pk).exists()  # deactivated, never deleted
    assert "Retiré" in row_of(page(response), "Rémi Moreau")
    for client in (browser, phone):
        next_request = client.get(reverse("home"))
        assert next_request.status_code == 302
        assert next_request.wsgi_request.user.is_anonymous
    user_ids = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(representative_a.pk) not in user_ids
    # Everyone else stays logged in.
    assert client_a.get(reverse("home")).wsgi_request.user == establishment_a.account
    assert client_b.get(reverse("home")).wsgi_request.user.is_authenticated
    # What they wrote stays, with their name.
    comment = Comment.objects.get(voice=Comment.Voice.REPRESENTATIVES)
    assert comment.author == representative_a
    assert User.objects.get(pk=representative_a.pk).get_full_name() == "Rémi Moreau"
    step = page(client_a.get(reverse("parcours:step", args=[1])))
    assert "Les postes d'emballage sont à revoir." in step and "Rémi Moreau" in step


def test_a_withdrawn_representative_cannot_log_back_into_the_establishment(
    client_a, establishment_a, representative_a
):
    from conftest import PASSWORD

    membership = representative_a.memberships.get()
    client_a.post(reverse("profiles:withdraw_representative", args=[membership.pk]))
    client = Client()
    client.post(reverse("account_login"), {"login": "cse.alpha@example.fr", "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response.wsgi_request.establishment is None
    assert client.get(reverse("parcours:index")).status_code == 404


def test_withdrawing_a_pending_invitation(client_a, establishment_a):
    invitation = invitation_for(establishment_a)
    response = client_a.post(
        reverse("profiles:withdraw_invitation", args=[invitation.pk]), follow=True
    )
    assert "L'invitation de Nadia Lefèvre a été retirée." in page(response)
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert invitation.withdrawn_by == establishment_a.account
    # Withdrawn, the address may be invited again.
    assert not Invitation.objects.pending().exists()


def test_an_accepted_or_withdrawn_invitation_is_neither_resent_nor_withdrawn_again(
    client_a, establishment_a, mailoutbox
):
    invitation = invitation_for(establishment_a, accepted_at=timezone.now())
    token = invitation.token
    response = client_a.post(
        reverse("profiles:resend_invitation", args=[invitation.pk]), follow=True
    )
    assert "Cette invitation a déjà été acceptée ou retirée." in page(response)
    client_a.post(reverse("profiles:withdraw_invitation", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.token == token and invitation.withdrawn_at is None
    assert not mailoutbox


# --- Someone else's ----------------------------------------------------------------------


def test_another_establishments_invitation_or_representative_is_a_404(
    client_a, establishment_b, mailoutbox
):
    other_invitation = invitation_for(establishment_b)
    other_rep = make_representative(establishment_b, email="cse.beta@example.fr")
    other_membership = other_rep.memberships.get()
    own_account = Membership.objects.get(establishment__siret="73282932000074")
    for url in (
        reverse("profiles:resend_invitation", args=[other_invitation.pk]),
        reverse("profiles:withdraw_invitation", args=[other_invitation.pk]),
        reverse("profiles:withdraw_representative", args=[other_membership.pk]),
        # Its own account's membership is no representative's.
        reverse("profiles:withdraw_representative", args=[own_account.pk]),
        reverse("profiles:resend_invitation", args=[999999]),
    ):
        assert client_a.post(url).status_code == 404, url
    other_invitation.refresh_from_db()
    assert other_invitation.is_pending
    assert other_rep.memberships.get().is_active and own_account.is_active
    assert not mailoutbox


def test_the_actions_are_posts_only(client_a, establishment_a):
    invitation = invitation_for(establishment_a)
    assert (
        client_a.get(reverse("profiles:withdraw_invitation", args=[invitation.pk])).status_code
        == 405
    )
    assert client_a.get(INVITE).status_code == 405
