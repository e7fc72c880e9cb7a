"""The step form's inputs written in Python, byte for byte as Django's templates write them.

A step page holds some thirty fields and, for the radio buttons and check
boxes, one input per choice: rendered through Django's widget templates, each
input is a template rendering (an include of input.html, then of attrs.html),
about a third of the page's time. The templates of the plain inputs and of the
textarea are short and stable; this renderer writes them directly from the
same context (`widget.get_context`, so names, ids, attributes, values and
`aria-*` are Django's), and leaves every other template (file inputs, a form
rendered whole) to the default renderer. tests/test_rendering.py checks the
output equals the templates' for every field of the four steps.
"""

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

INPUT = "django/forms/widgets/input.html"
# Templates that are nothing but {% include "django/forms/widgets/input.html" %}
# (the renderer strips what it renders, so their newlines go).
INCLUDING_INPUT = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "checkbox",
    )
}
OPTIONS = {"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"}
TEXTAREA = "django/forms/widgets/textarea.html"


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html: False left out, True as a bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(widget) -> str:
    """input_option.html (the include keeps input.html's newline inside the label)."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = widget["attrs"].get("id")
    opening = format_html('<label for="{}">', label_for) if label_for else "<label>"
    return f"{opening}{_input(widget)}\n {conditional_escape(widget['label'])}</label>"


def _textarea(widget) -> str:
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{text}</textarea>"
    )


class PlainInputsRenderer(BaseRenderer):
    """Django's default renderer, the plain inputs and the textarea written directly."""

    def get_template(self, template_name):
        return get_default_renderer().get_template(template_name)

    def render(self, template_name, context, request=None) -> SafeString:
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and "attrs" in widget:
            if template_name == INPUT:
                return mark_safe(_input(widget))
            if template_name in INCLUDING_INPUT:
                return mark_safe(_input(widget))
            if template_name in OPTIONS:
                return mark_safe(_option(widget))
            if template_name == TEXTAREA:
                return mark_safe(_textarea(widget))
        return get_default_renderer().render(template_name, context, request)


plain_inputs = PlainInputsRenderer()
