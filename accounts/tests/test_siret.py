import pytest

from accounts.siret import is_valid_siret, normalize_siret, siret_error


@pytest.mark.parametrize(
    "typed",
    [
        "732 829 320 00074",
        "732\u00a0829\u00a0320\u00a000074",
        " 73282932000074 ",
        "732-829-320-00074",
    ],
)
def test_siret_typed_with_spaces_is_normalised(typed):
    assert normalize_siret(typed) == "73282932000074"


def test_siret_with_valid_luhn_key_is_accepted():
    assert is_valid_siret("73282932000074")


def test_siret_with_wrong_luhn_key_is_refused():
    assert siret_error("73282932000075") == "clé de contrôle"


@pytest.mark.parametrize("value", ["7328293200007", "732829320000744", "7328293200007A", ""])
def test_siret_must_have_14_digits(value):
    assert siret_error(value) == "un SIRET compte 14 chiffres"


@pytest.mark.parametrize(
    "value", ["7328293200007²", "٧٣٢٨٢٩٣٢٠٠٠٠٧٤", "７３２８２９３２０００７４"]
)
def test_only_ascii_digits_make_a_siret(value):
    assert siret_error(value) == "un SIRET compte 14 chiffres"


def test_la_poste_siret_follows_its_own_rule():
    # SIREN 356000000: the sum of the 14 digits is a multiple of 5 (Luhn would refuse it).
    assert is_valid_siret("35600000000006")
    assert not is_valid_siret("35600000000007")
