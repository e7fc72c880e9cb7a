from django.shortcuts import render

from profiles.decorators import establishment_required


@establishment_required
def index(request):
    return render(request, "attachments/index.html")
