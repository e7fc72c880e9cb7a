"""The password rules' checklist of the pages where a password is chosen."""

from django import template

from accounts.forms import live_password_rules

register = template.Library()


@register.simple_tag
def password_checklist():
    return live_password_rules()
