"""What attachments/_question_files.html shows for one question.

The step view passes `attachments_by_question` and `templates_by_question`
(see attachments.services.files_by_question / templates_by_question): one
query each for the whole step. Without them the tag falls back to querying
for its own question, so the include never breaks a page.
"""

from django import template
from django.conf import settings

from ..services import MEGABYTE, files_by_question, limits_text, templates_by_question, used_bytes

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ attachments_by_question|get_item:question.id }}: a list, empty when absent."""
    if not mapping:
        return []
    return mapping.get(key, [])


def current_establishment(context):
    if context.get("establishment") is not None:
        return context["establishment"]
    request = context.get("request")
    return getattr(request, "establishment", None) if request is not None else None


def errors_for(context, key):
    explicit = context.get("attachment_errors") or {}
    if key in explicit:
        return list(explicit[key])
    form = context.get("form")
    errors = getattr(form, "errors", None) or {}
    return list(errors.get(key, []))


@register.simple_tag(takes_context=True)
def question_files(context, question):
    """Templates, deposited files, errors and limits of `question` for the page."""
    establishment = current_establishment(context)
    attachments = context.get("attachments_by_question")
    if attachments is None:
        attachments = files_by_question(establishment, [question])
    templates = context.get("templates_by_question")
    if templates is None:
        templates = templates_by_question([question])
    request = context.get("request")
    used = getattr(request, "_attachments_used_bytes", None)
    if used is None:
        used = used_bytes(establishment) if establishment is not None else 0
        if request is not None:
            request._attachments_used_bytes = used
    key = f"files-{question.code}"
    description_name = f"description-{question.code}"
    posted = request.POST if request is not None and request.method == "POST" else {}
    return {
        "files": attachments.get(question.pk, []),
        "templates": templates.get(question.pk, []),
        "errors": errors_for(context, key),
        "field_name": key,
        "description_name": description_name,
        "description": posted.get(description_name, ""),  # kept when the page comes back
        "label": question.file_label or "Joindre un document",
        "limits": limits_text(),
        "used": used,
        "quota": settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE,
        "next": request.get_full_path() if request is not None else "",
    }


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
