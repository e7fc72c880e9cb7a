from django import template

from parcours.models import Step, StepProgress

register = template.Library()


@register.simple_tag
def step_states(establishment, steps):
    """`steps` (Step rows already loaded by the page) with their state, in one query.

    Returns [] when there is nothing to annotate (no establishment, or the
    programme not loaded yet and `steps` are placeholders).
    """
    steps = [step for step in steps or [] if isinstance(step, Step)]
    if establishment is None or not steps:
        return []
    statuses = dict(
        StepProgress.objects.filter(establishment=establishment).values_list("step_id", "status")
    )
    for step in steps:
        step.progress_status = statuses.get(step.pk, StepProgress.Status.TO_COMPLETE)
        step.progress_label = StepProgress.Status(step.progress_status).label
    return steps
