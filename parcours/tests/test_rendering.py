"""The step form's inputs, written in Python, are Django's own HTML to the byte."""

import pytest
from django import forms
from django.forms.renderers import get_default_renderer

from parcours.forms import StepForm
from parcours.models import Comment, Step
from parcours.rendering import plain_inputs
from parcours.steps import load_step
from profiles.permissions import allowed_actions

from .conftest import form_data


def every_piece(form):
    """Each field as the step page writes it: whole, and choice by choice."""
    pieces = []
    for bound in form:
        pieces.append(str(bound))
        if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            pieces += [choice.tag() for choice in bound]
            pieces += [str(choice) for choice in bound]  # the label-wrapped form
    return pieces


def both_renderings(data, *args, permissions):
    plain = StepForm(data, *args, permissions=permissions)
    assert plain.renderer is plain_inputs
    django = StepForm(data, *args, permissions=permissions, renderer=get_default_renderer())
    return every_piece(plain), every_piece(django)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_field_of_every_step_renders_as_django_renders_it(establishment_a, parcours, number):
    Comment.objects.create(
        establishment=establishment_a,
        block=Step.objects.get(number=number).blocks.first(),
        voice=Comment.Voice.ESTABLISHMENT,
        text='Un "commentaire" <b>avec</b> & des signes',
        author=establishment_a.account,
    )
    data = load_step(establishment_a, Step.objects.get(number=number))
    permissions = allowed_actions(establishment_a.account, establishment_a)
    plain, django = both_renderings(data, permissions=permissions)
    assert len(plain) > 5
    assert plain == django


def test_bound_fields_with_errors_render_as_django_renders_them(establishment_a, parcours):
    """A posted form: values typed (quotes, tags), errors and their aria attributes."""
    data = load_step(establishment_a, Step.objects.get(number=1))
    posted = {
        key: ('<script>"x"</script>' if not isinstance(value, list) else value)
        for key, value in form_data(establishment_a, 1).items()
    }
    permissions = allowed_actions(establishment_a.account, establishment_a)
    plain = StepForm(data, posted, permissions=permissions)
    django = StepForm(data, posted, permissions=permissions, renderer=get_default_renderer())
    assert not plain.is_valid() and not django.is_valid()
    assert "aria-invalid" in "".join(every_piece(plain))
    assert every_piece(plain) == every_piece(django)
