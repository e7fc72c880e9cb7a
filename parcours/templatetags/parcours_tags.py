from django import template

from parcours.models import Step
from parcours.services import steps_with_states

register = template.Library()


@register.simple_tag
def step_states(establishment, steps):
    """`steps` (Step rows already loaded by the page) with their state, in one query.

    Returns [] when there is nothing to annotate (no establishment, or the
    programme not loaded yet).
    """
    steps = [step for step in steps or [] if isinstance(step, Step)]
    if establishment is None or not steps:
        return []
    return steps_with_states(establishment, steps)
