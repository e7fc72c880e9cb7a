import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User


def errors_for(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_a_strong_password_passes():
    assert errors_for("Prévention-2026!x") == []


def test_too_short_password_is_refused():
    assert "password_too_short" in errors_for("Ab1!x")


@pytest.mark.parametrize(
    "password, missing",
    [
        ("prevention-2026!", "password_no_upper"),
        ("PREVENTION-2026!", "password_no_lower"),
        ("Prevention-deux!", "password_no_digit"),
        ("Prevention2026xy", "password_no_special"),
    ],
)
def test_each_missing_character_class_is_named(password, missing):
    assert missing in errors_for(password)


def test_every_failing_rule_is_named_at_once():
    assert {
        "password_too_short",
        "password_no_upper",
        "password_no_digit",
        "password_no_special",
    } <= set(errors_for("abc"))


@pytest.mark.django_db
def test_new_password_must_differ_from_current():
    user = User.objects.create_user(username="73282932000074", password="Ancien-Mot2passe!")
    assert "password_unchanged" in errors_for("Ancien-Mot2passe!", user)


def test_password_must_not_contain_the_siret(establishment_a):
    assert "password_contains_identity" in errors_for("Aa!73282932000074", establishment_a.account)


def test_password_must_not_contain_the_establishment_name(establishment_a):
    assert "password_contains_identity" in errors_for("AteliersAlpha1!", establishment_a.account)


def test_common_password_is_refused():
    assert "password_too_common" in errors_for("Password1!")


def test_errors_are_in_french(establishment_a):
    with pytest.raises(ValidationError) as error:
        validate_password("abc", establishment_a.account)
    assert "Le mot de passe doit contenir au moins 8 caractères." in error.value.messages
    assert "Le mot de passe doit contenir au moins une majuscule." in error.value.messages
