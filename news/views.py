"""The portal's pages: ACTUALITÉS, DOCUMENTATION (signed in), BESOIN D'AIDE (open to all)."""

from collections import defaultdict
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from attachments.services import storage_errors
from attachments.views import DOWNLOAD_CSP, private_file_response
from profiles.models import Caisse

from .forms import RegionFilterForm, alphabetical
from .models import Document, HelpQuestion, HelpTheme, NewsItem

NEWS_PER_PAGE = 12
HOME_NEWS = 3


def reader_required(view_func):
    """News and documentation are for the programme's people: a member of an
    establishment (request.establishment) or staff. A signed-in account with no
    active membership left (a withdrawn representative) is sent home."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if request.establishment is None and not request.user.is_staff:
            return redirect("home")
        return view_func(request, *args, **kwargs)

    return wrapper


def home_news(request) -> dict:
    """The home page's news panel: the three latest of the chosen region ("Toutes" by default)."""
    news_filter = RegionFilterForm(request)
    return {"news_filter": news_filter, "latest_news": list(news_filter.news()[:HOME_NEWS])}


@require_safe
@reader_required
def news_list(request):
    news_filter = RegionFilterForm(request)
    page = Paginator(news_filter.news(), NEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/list.html",
        {
            "news_filter": news_filter,
            "page": page,
            # Bounded however many pages: 1 2 … 7 8 9 … 40 41
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


def on_portal_item(pk) -> NewsItem:
    """A published, due item: a draft or a future one looks like a missing one.

    Another caisse's item is readable, as through "Filtrer par région"."""
    return get_object_or_404(NewsItem.objects.on_portal().select_related("caisse"), pk=pk)


@require_safe
@reader_required
def news_detail(request, pk):
    return render(request, "news/detail.html", {"item": on_portal_item(pk)})


@require_safe
@reader_required
def news_image(request, pk):
    item = on_portal_item(pk)
    if not item.image:
        raise Http404("Cette actualité n'a pas d'image.")
    try:
        response = FileResponse(item.image.open("rb"), content_type=item.image_type)
    except FileNotFoundError as error:
        raise Http404("Cette image n'est plus disponible.") from error
    except storage_errors():  # the object storage is down: the page shows the alt text
        return HttpResponse(status=503)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
@reader_required
def news_document(request, pk):
    item = on_portal_item(pk)
    if not item.document:
        raise Http404("Cette actualité n'a pas de document joint.")
    return private_file_response(request, item.document, item.document_name, item.document_type)


@require_safe
@reader_required
def documentation(request):
    """The documents that concern the reader (national and their caisse's), by category."""
    by_category = defaultdict(list)
    for document in Document.objects.concerning(request).select_related("caisse"):
        by_category[document.category].append(document)
    categories = [
        (label, by_category[value]) for value, label in Document.Category.choices
        if by_category[value]
    ]  # fmt: skip
    return render(request, "news/documentation.html", {"categories": categories})


@require_safe
@reader_required
def document_download(request, pk):
    """Signed-in readers it concerns only; another caisse's document is a 404."""
    document = get_object_or_404(Document.objects.concerning(request), pk=pk)
    return private_file_response(request, document.file, document.filename, document.content_type)


def every_caisse():
    return sorted(Caisse.objects.all(), key=lambda caisse: alphabetical(caisse.name))


@require_safe
@login_not_required
def help_page(request):
    """Questions and answers by theme, then the reader's caisse, or every caisse for a visitor."""
    themes = HelpTheme.objects.prefetch_related(
        Prefetch("questions", queryset=HelpQuestion.objects.order_by("order", "pk"))
    )
    establishment = getattr(request, "establishment", None)
    user = request.user
    if establishment is not None:
        caisse = establishment.caisse
    elif user.is_authenticated and user.is_preventeur:
        caisse = user.caisse
    else:
        caisse = None
    return render(
        request,
        "news/help.html",
        {
            "themes": [theme for theme in themes if theme.questions.all()],
            "caisse": caisse,
            "preventeur": establishment.preventeur if establishment else None,
            "caisses": [] if caisse else every_caisse(),
        },
    )
