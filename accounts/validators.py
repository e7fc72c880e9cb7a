"""Password rules of the portal, each named in French next to the field.

At least 8 characters with upper case, lower case, digits and special
characters; different from the current password; neither the identifier
(SIRET) nor the establishment's name; not a common password.
"""

import re
import unicodedata
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

MIN_LENGTH = 8

RULES_HELP = [
    "8 caractères minimum",
    "des majuscules",
    "des minuscules",
    "des chiffres",
    "des caractères spéciaux (*, -, !, ...)",
    "différent de l'ancien mot de passe",
    "ni votre identifiant (SIRET) ni le nom de votre établissement",
    "pas un mot de passe trop courant",
]


class MinimumLengthValidator:
    def validate(self, password, user=None):
        if len(password) < MIN_LENGTH:
            raise ValidationError(
                "Le mot de passe doit contenir au moins 8 caractères.", code="password_too_short"
            )

    def get_help_text(self):
        return "Au moins 8 caractères."


class CharacterClassesValidator:
    """Upper case, lower case, digits and special characters: each one named when missing."""

    CLASSES = [
        (
            re.compile(r"[A-ZÀ-ÖØ-Þ]"),
            "Le mot de passe doit contenir au moins une majuscule.",
            "password_no_upper",
        ),
        (
            re.compile(r"[a-zß-öø-ÿ]"),
            "Le mot de passe doit contenir au moins une minuscule.",
            "password_no_lower",
        ),
        (
            re.compile(r"[0-9]"),
            "Le mot de passe doit contenir au moins un chiffre.",
            "password_no_digit",
        ),
        (
            re.compile(r"[^A-Za-z0-9À-ÖØ-Þß-öø-ÿ]"),
            "Le mot de passe doit contenir au moins un caractère spécial (*, -, !, ...).",
            "password_no_special",
        ),
    ]

    def validate(self, password, user=None):
        errors = [
            ValidationError(message, code=code)
            for pattern, message, code in self.CLASSES
            if not pattern.search(password)
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return "Des majuscules, des minuscules, des chiffres et des caractères spéciaux (*, -, !, ...)."


class DifferentFromCurrentValidator:
    def validate(self, password, user=None):
        if (
            user is not None
            and user.pk
            and user.has_usable_password()
            and user.check_password(password)
        ):
            raise ValidationError(
                "Le nouveau mot de passe doit être différent de l'ancien.",
                code="password_unchanged",
            )

    def get_help_text(self):
        return "Le nouveau mot de passe doit être différent de l'ancien."


def _simplify(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", value.lower())


class NotIdentifierNorNameValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        forbidden = [user.username]
        if user.pk:
            # Every establishment the person acts for (their memberships).
            for siret, name in user.memberships.values_list(
                "establishment__siret", "establishment__name"
            ):
                forbidden += [siret, name]
        self.validate_against(password, forbidden)

    def validate_against(self, password, forbidden):
        """Neither of `forbidden` (identifiers, names) inside the password, nor the reverse.

        Also for an account not created yet (an invitation's): its establishment is given."""
        candidate = _simplify(password)
        for value in map(_simplify, forbidden):
            if len(value) >= 4 and (value in candidate or candidate in value):
                raise ValidationError(
                    "Le mot de passe ne doit contenir ni votre identifiant (SIRET) ni le nom de votre établissement.",
                    code="password_contains_identity",
                )

    def get_help_text(self):
        return "Ni votre identifiant (SIRET) ni le nom de votre établissement."


FRENCH_COMMON_PASSWORDS = Path(__file__).resolve().parent / "content" / "common-passwords-fr.txt"
# The usual substitutions of letters ("P@ssw0rd", "Az3rty").
_UNLEET = str.maketrans("@4310$5!7", "aaeiossit")
_AFFIXES = re.compile(r"^[^a-z]+|[^a-z]+$")


def _french_common_passwords() -> set[str]:
    lines = FRENCH_COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list (English) and a French one, compared after the usual disguises:
    case, accents, substitutions (@ for a, 0 for o...) and digits or symbols added
    at either end ("Azerty123!" is "azerty", "Motdepasse1!" is "motdepasse")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passwords = self.passwords | _french_common_passwords()

    def candidates(self, password: str) -> set[str]:
        plain = unicodedata.normalize("NFKD", password.strip().lower())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        # Digits and symbols at the ends go first, then the substitutions inside.
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", plain)
        found = {plain}
        for word in (core, core.translate(_UNLEET)):
            word = _AFFIXES.sub("", word)
            if len(word) >= 4:
                found.add(word)
        return found

    def validate(self, password, user=None):
        if self.candidates(password) & self.passwords:
            raise ValidationError("Ce mot de passe est trop courant.", code="password_too_common")

    def get_help_text(self):
        return "Pas un mot de passe trop courant."
