"""The formatted text of news bodies and help answers: a small, safe subset of HTML.

Paragraphs, line breaks, lists, bold and emphasis, links (http, https,
mailto, tel or relative); nothing else. Whatever else is written (a
<script>, an onerror= attribute, a javascript: link, a style attribute) is
removed by nh3 when the text is saved, and again when it is displayed, so
that text written by any other way never reaches a page as is.
"""

import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
TAG = re.compile(r"<[a-zA-Z/!]")


def clean_html(text: str) -> str:
    """The text as safe HTML; plain text (no tag) becomes paragraphs, one per blank line."""
    text = (text or "").strip()
    if not TAG.search(text):
        text = linebreaks(text, autoescape=True)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def as_safe_html(text: str) -> SafeString:
    return mark_safe(clean_html(text))  # noqa: S308 - cleaned by nh3 just above
