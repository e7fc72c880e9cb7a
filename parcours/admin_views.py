"""Pages of the back office (the admin site) that are not a model's admin."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from profiles.models import Caisse, Establishment

from .stats import caisse_statistics, statistics_by_caisse

WAITING_LIST_LENGTH = 200


class StatisticsFilterForm(forms.Form):
    """The national team's choice of a caisse (none: every caisse)."""

    caisse = forms.ModelChoiceField(
        label="Caisse régionale",
        queryset=Caisse.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="Toutes",
        error_messages={"invalid_choice": "Choisissez une caisse de la liste."},
    )


def statistics(request):
    """ "Statistiques": a préventeur's caisse, or the caisse the national team chooses.

    Staff only (admin.site.admin_view, see urlpatterns).
    """
    establishments = Establishment.objects.visible_to(request.user)
    form = caisse = by_caisse = None
    if request.user.is_national:
        form = StatisticsFilterForm(request.GET or None)
        if form.is_valid():
            caisse = form.cleaned_data["caisse"]
    elif request.user.is_preventeur:
        caisse = request.user.caisse
    if form is not None and caisse is None:
        by_caisse, figures = statistics_by_caisse(establishments, waiting_limit=WAITING_LIST_LENGTH)
    else:
        if caisse is not None:
            establishments = establishments.filter(caisse=caisse)
        figures = caisse_statistics(
            establishments, caisse=caisse, waiting_limit=WAITING_LIST_LENGTH
        )
    context = {
        **admin.site.each_context(request),
        "title": "Statistiques",
        "form": form,
        "figures": figures,
        "by_caisse": by_caisse,
        "waiting_more": figures.waiting_count - len(figures.waiting),
    }
    return TemplateResponse(request, "admin/parcours/statistics.html", context)


# Mounted in the admin site's namespace by tmspros/urls.py.
urlpatterns = [
    path("statistiques/", admin.site.admin_view(statistics), name="statistics"),
]
