"""SIRET: the establishment's identifier and login.

14 digits whose Luhn key is valid; La Poste's establishments (SIREN
356000000) follow their own rule: the sum of the 14 digits is a multiple of 5.
"""

import re

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\.\-]+")


def normalize_siret(value: str) -> str:
    """Remove the spaces (also non-breaking), dots and dashes people type."""
    return _SPACES.sub("", value or "")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_error(value: str) -> str | None:
    """The French reason why `value` (normalised) is not a SIRET, or None."""
    if not re.fullmatch(r"[0-9]{14}", value):
        return "un SIRET compte 14 chiffres"
    if value.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in value) % 5 != 0:
            return "clé de contrôle"
        return None
    if not luhn_is_valid(value):
        return "clé de contrôle"
    return None


def is_valid_siret(value: str) -> bool:
    return siret_error(normalize_siret(value)) is None


def validate_siret(value: str) -> None:
    reason = siret_error(normalize_siret(value))
    if reason:
        raise ValidationError(f"SIRET invalide ({reason}).", code="invalid_siret")
