"""Permissions are data: the "Préventeurs" and "Équipe nationale" groups, kept in sync."""

import io

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts.models import NATIONAL_TEAM_GROUP, PREVENTEURS_GROUP, User

PREVENTEURS = {
    "profiles.view_establishment",
    "profiles.change_establishment",
    "profiles.assign_preventeur",
    "profiles.unlock_account",
    "profiles.send_activation",
    "profiles.export_establishments",
    "profiles.view_membership",
    "profiles.add_membership",
    "profiles.view_caisse",
    "profiles.change_membership",
    "parcours.view_stepvalidation",
    "parcours.view_stepprogress",
    "parcours.validate_step",
    "parcours.send_back_step",
    "parcours.view_answer",
    "parcours.view_comment",
    "parcours.add_comment",
    "parcours.view_step",
    "parcours.view_block",
    "parcours.view_question",
    "attachments.view_attachment",
    "accounts.view_user",
}


def permissions_of(name):
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_preventeurs_hold_exactly_what_a_preventeur_may_do(db):
    held = permissions_of(PREVENTEURS_GROUP)
    assert {p for p in held if not p.startswith("news.")} == PREVENTEURS


def test_preventeurs_write_their_caisses_news_and_documentation_not_the_national_help(db):
    from django.apps import apps

    if not apps.is_installed("news"):
        return
    news = {p for p in permissions_of(PREVENTEURS_GROUP) if p.startswith("news.")}
    for model in ("newsitem", "document"):
        assert {f"news.{action}_{model}" for action in ("view", "add", "change")} <= news
    assert not any(p.startswith("news.delete_") for p in news)
    assert not any("help" in p for p in news)


def test_custom_permissions_live_on_their_models():
    from parcours.models import StepProgress
    from profiles.models import Establishment

    assert dict(StepProgress._meta.permissions) == {
        "validate_step": "Valider une étape",
        "send_back_step": "Renvoyer une étape pour correction",
    }
    assert dict(Establishment._meta.permissions) == {
        "unlock_account": "Débloquer le compte",
        "send_activation": "Envoyer l'e-mail d'activation",
        "assign_preventeur": "Attribuer à un préventeur",
        "export_establishments": "Exporter les établissements",
    }


def test_the_national_team_holds_every_permission(db):
    assert Group.objects.get(name=NATIONAL_TEAM_GROUP).permissions.count() == (
        Permission.objects.count()
    )


def test_a_preventeur_may_neither_edit_accounts_groups_programme_nor_caisses(preventeur_a):
    assert preventeur_a.has_perm("parcours.validate_step")
    assert preventeur_a.has_perm("profiles.change_establishment")
    for forbidden in (
        "accounts.change_user",
        "accounts.add_user",
        "auth.change_group",
        "auth.change_permission",
        "parcours.change_question",
        "parcours.change_step",
        "profiles.change_caisse",
        "profiles.delete_establishment",
        "mfa.delete_authenticator",
    ):
        assert not preventeur_a.has_perm(forbidden), forbidden


def test_sync_is_idempotent_and_removes_what_was_added_by_hand(db):
    group = Group.objects.get(name=PREVENTEURS_GROUP)
    group.permissions.add(Permission.objects.get(codename="delete_establishment"))
    first, second = io.StringIO(), io.StringIO()
    call_command("sync_staff_groups", stdout=first)
    call_command("sync_staff_groups", stdout=second)
    assert first.getvalue() == second.getvalue()
    assert f"Groupe « {PREVENTEURS_GROUP} » : {len(permissions_of(PREVENTEURS_GROUP))}" in (
        first.getvalue()
    )
    assert "profiles.delete_establishment" not in permissions_of(PREVENTEURS_GROUP)
    assert Group.objects.filter(name__in=[PREVENTEURS_GROUP, NATIONAL_TEAM_GROUP]).count() == 2


def test_sync_recreates_deleted_groups_and_permissions(db):
    Group.objects.all().delete()
    Permission.objects.filter(codename="validate_step").delete()
    call_command("sync_staff_groups", stdout=io.StringIO())
    held = permissions_of(PREVENTEURS_GROUP)
    assert {p for p in held if not p.startswith("news.")} == PREVENTEURS
    assert Permission.objects.get(codename="validate_step").name == "Valider une étape"


def test_create_preventer_puts_the_account_in_the_preventeurs_group(caisse_a):
    call_command(
        "create_preventer",
        "jeanne.roux@cramif.example.fr",
        "--caisse=CRAMIF",
        "--first-name=Jeanne",
        "--last-name=Roux",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="jeanne.roux@cramif.example.fr")
    assert list(user.groups.values_list("name", flat=True)) == [PREVENTEURS_GROUP]
    assert user.has_perm("parcours.validate_step")


def test_a_member_of_the_national_team_group_is_national(caisse_a, django_assert_num_queries):
    member = User.objects.create_user(
        username="expert@tmspros.example.fr",
        kind=User.Kind.PREVENTEUR,
        caisse=caisse_a,
        is_staff=True,
    )
    member.groups.add(Group.objects.get(name=NATIONAL_TEAM_GROUP))
    member = User.objects.get(pk=member.pk)
    with django_assert_num_queries(1):  # asked once per instance
        assert member.is_national
        assert member.is_national


def test_an_establishment_account_is_never_national_and_costs_no_query(
    establishment_a, django_assert_num_queries
):
    account = User.objects.get(pk=establishment_a.account.pk)
    with django_assert_num_queries(0):
        assert not account.is_national
