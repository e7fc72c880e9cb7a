"""Display of the editorial content."""

from django import template

from news.formatting import as_safe_html

register = template.Library()


@register.filter
def formatted(text):
    """A news body or a help answer, cleaned again on display (see news.formatting)."""
    return as_safe_html(text)
