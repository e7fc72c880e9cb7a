from django.shortcuts import render

from .decorators import establishment_required


def home(request):
    return render(request, "profiles/home.html")


@establishment_required
def profile(request):
    return render(request, "profiles/profile.html", {"establishment": request.establishment})
