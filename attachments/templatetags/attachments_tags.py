"""Display helpers for documents."""

from django import template

register = template.Library()


@register.filter
def human_size(size):
    """A size as the page states limits: octets, Ko, Mo (French decimal comma)."""
    size = size or 0
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    for unit in ("Ko", "Mo", "Go"):
        size /= 1024
        if size < 1024 or unit == "Go":
            text = f"{size:.0f}" if size == int(size) else f"{size:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return ""  # pragma: no cover
