"""A common password is refused, in French or in English, however it is
disguised (case, accents, @ for a, 0 for o, digits and symbols at the ends)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["Azerty123!", "Motdepasse1!", "M0tDeP@sse2026!", "!!Soleil2024", "Marseille13*", "P@ssw0rd123!"]
)
def test_a_common_password_is_refused_however_disguised(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "Ce mot de passe est trop courant." in refused.value.messages


@pytest.mark.parametrize("password", ["Gr1ll-Atelier-Nord!", "Tms-Ergo#2026x", "Ch@ise-Bleue-47"])
def test_an_uncommon_password_passes_the_rule(password):
    validate_password(password)
