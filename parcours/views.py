from django.shortcuts import render

from profiles.decorators import profile_required


@profile_required
def index(request):
    return render(request, "parcours/index.html")


@profile_required
def step(request, number):
    return render(request, "parcours/index.html")
