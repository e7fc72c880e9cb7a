from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from news.views import home_news

from .decorators import establishment_required
from .forms import ProfileForm, profile_form_helper


def home(request):
    """The establishment's home page; staff are pointed to the administration."""
    establishment = request.establishment
    if establishment is None:
        template = (
            "profiles/staff_home.html"
            if request.user.is_staff
            else "profiles/no_establishment.html"
        )
        return render(request, template)
    from parcours.models import Step  # the parcours app adds the states of the steps

    steps = list(Step.objects.order_by("number"))
    return render(
        request,
        "profiles/home.html",
        {
            "establishment": establishment,
            "caisse": establishment.caisse,
            "preventeur": establishment.preventeur,
            "steps": steps,
            **home_news(request),
        },
    )


def profile(request):
    """ "Mon profil": always the logged-in establishment's own (no id in the URL)."""
    if request.establishment is None:
        # A préventeur following the menu: no establishment of their own, nothing to hide.
        messages.info(request, "« Mon profil » est la page des établissements.")
        return redirect("home")
    return _establishment_profile(request)


@establishment_required
def _establishment_profile(request):
    establishment = request.establishment
    was_complete = establishment.is_profile_complete
    form = ProfileForm(request.POST or None, instance=establishment)
    if form.is_valid():
        establishment = form.save(commit=False)
        establishment.profile_updated_at = timezone.now()
        establishment.save()
        if was_complete:
            messages.success(request, "Votre profil a été enregistré.")
        else:
            messages.success(
                request,
                "Votre profil a été enregistré. Il est complet : "
                "vous pouvez maintenant accéder à votre parcours.",
            )
        return redirect("profiles:profile")
    if form.is_bound:
        messages.error(request, "Le profil n'a pas été enregistré : corrigez les champs signalés.")
    return render(
        request,
        "profiles/profile.html",
        {
            "establishment": establishment,
            "form": form,
            "helper": profile_form_helper(),
            "was_complete": was_complete,
        },
    )
