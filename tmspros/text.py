"""Free text as the portal keeps it: what people type, without what they cannot see.

Every free-text input (profile, step answers, comments of every voice,
document descriptions and names, imported establishments, representatives)
goes through `clean_text`: control characters (NUL, BEL, ESC...), bidi
overrides and other invisible format characters (U+202E, U+200B, BOM...)
could disguise what is shown to the next reader, or break an export.
"""

import re
import unicodedata

from django import forms

# Cc: controls; Cf: format characters (bidi overrides and isolates, zero-width
# spaces, BOM); Co/Cs/Cn: private use, lone surrogates, unassigned.
_DROPPED_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cs", "Cn"))
# The zero-width joiner builds emoji sequences and some scripts' letters.
_KEPT_FORMAT = frozenset("\u200d")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_SPACES_AT_LINE_END = re.compile(r"[ \t]+\n")


def clean_text(value, *, multiline: bool = False) -> str:
    """`value` as text without control or invisible format characters, stripped.

    One line (a name, an address, a description): every run of white space,
    line breaks included, becomes one space. Several lines (an answer in a text
    area, a comment): line breaks become "\\n" and tabs are kept.
    """
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    if multiline:
        text = _LINE_BREAKS.sub("\n", text)
    kept = "\n\t" if multiline else "\t\n\r\v\f\x85"  # one line: become a space below
    text = "".join(
        char
        for char in text
        if char in kept
        or char in _KEPT_FORMAT
        or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    if not multiline:
        return " ".join(text.split())
    return _SPACES_AT_LINE_END.sub("\n", text).strip()


def same_text(stored, typed: str, *, multiline: bool = False) -> bool:
    """Whether `typed` (already cleaned) says what `stored` says. Text stored
    before the normaliser existed (CRLF from a text area, doubled spaces, an
    invisible character) counts as unchanged when it is re-posted untouched:
    no new version, no "modifiée depuis la validation", no e-mail."""
    if stored == typed:
        return True
    return isinstance(stored, str) and clean_text(stored, multiline=multiline) == typed


class FreeTextField(forms.CharField):
    """A CharField whose value is `clean_text`-ed before it is validated: a NUL is
    dropped rather than refused, and a value made only of invisible characters
    is empty (so "required" answers). Several lines when its widget is a text area."""

    def __init__(self, *, multiline: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        self.multiline = isinstance(self.widget, forms.Textarea) if multiline is None else multiline

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value, multiline=self.multiline)
        return super().to_python(value)
