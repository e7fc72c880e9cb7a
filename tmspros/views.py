"""Error pages in the portal's layout (never a stack trace when DEBUG is off)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from tmspros.health import health_checks


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # No context processors: the failure may come from them.
    return HttpResponseServerError(loader.get_template("500.html").render())


@require_safe
@login_not_required
def legal_notice(request):
    return render(request, "legal_notice.html")


@login_not_required
@require_safe
def health(request):
    """For load balancers and the benchmarks: do the database, the cache and
    the broker answer? No data, no login; 200 when all answer, 503 otherwise."""
    checks = health_checks()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
