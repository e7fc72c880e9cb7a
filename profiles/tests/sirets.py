"""Valid SIRETs for tests (Luhn key computed)."""

from accounts.siret import luhn_is_valid


def make_siret(number: int) -> str:
    """A valid SIRET built from `number` (13 digits + the Luhn key; never La Poste's SIREN)."""
    body = f"9{number:012d}"
    for key in "0123456789":
        if luhn_is_valid(body + key):
            return body + key
    raise AssertionError("unreachable")
