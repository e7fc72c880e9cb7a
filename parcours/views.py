from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attachments.models import Attachment
from attachments.services import MEGABYTE, limits_text, used_bytes
from profiles.decorators import establishment_required, profile_required
from profiles.permissions import Action

from . import export, services, versions
from .forms import StepForm
from .models import Block, Step
from .steps import HISTORY_VOICES, author_label, load_step
from .steps import comment_history as history_page

SAVED_MESSAGE = "Vos réponses ont été enregistrées."
COMMENTS_SAVED_MESSAGE = "Vos commentaires ont été enregistrés."
CONFLICT_MESSAGE = (
    "Cette étape a été modifiée entre-temps par une autre personne : vos réponses n'ont "
    "pas été enregistrées. Comparez les deux versions ci-dessous, corrigez si besoin "
    "puis enregistrez à nouveau."
)
# The largest primary key (BigAutoField); a posted id beyond it cannot exist.
MAX_ID = 2**63 - 1
DOCUMENTS_PER_PAGE = 50


@require_safe
@profile_required
def index(request):
    steps = services.steps_with_states(request.establishment)
    return render(request, "parcours/index.html", {"steps": steps})


@require_http_methods(["GET", "HEAD", "POST"])
@profile_required
def step(request, number):
    steps = list(Step.objects.order_by("number"))  # the page's menu holds all four
    step = next((s for s in steps if s.number == number), None)
    if step is None:
        raise Http404("Étape introuvable.")
    data = load_step(request.establishment, step)
    permissions = request.permissions
    form = StepForm(data, request.POST or None, request.FILES or None, permissions=permissions)
    if request.method == "POST" and not form.writes_anything:
        raise PermissionDenied("Vous pouvez consulter cette étape, pas la modifier.")
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(establishment=request.establishment, form=form, by=request.user)
        except services.StepConflict:
            data = load_step(request.establishment, step)
            saved = versions.state_of(data)
            conflict = versions.diff(saved, versions.with_typed(saved, data, form))
            posted = request.POST.copy()
            posted["version"] = data.progress.version
            form.carry_files_into(posted)
            form = StepForm(data, posted, permissions=permissions)
            form.is_valid()
        except ValidationError as error:
            # Beyond the space (two saves at once) or the storage down: nothing
            # is saved; the files that can be kept are, and the banner names
            # the others.
            form.add_error(None, error)
            form.keep_files(refused_for_space=set(getattr(error, "error_dict", {})))
        else:
            messages.success(
                request, SAVED_MESSAGE if form.writes_answers else COMMENTS_SAVED_MESSAGE
            )
            return redirect(step)
    return render(
        request,
        "parcours/step.html",
        {
            "step": step,
            "steps": services.steps_with_states(request.establishment, steps),
            "data": data,
            "progress": data.progress,
            "form": form,
            "conflict": conflict,
            "conflict_message": CONFLICT_MESSAGE if conflict is not None else "",
            "figures": figures(request.establishment) if step.number == 1 else None,
            "limits": limits_text(),
            "quota": settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE,
            "may_delete": Action.DELETE_DOCUMENT in permissions,
        },
        status=409 if conflict is not None else 200,
    )


@require_safe
@profile_required
def comment_history(request, number, block, voice):
    """Every version of one voice's comment on a block of the establishment's step,
    newest first, a page at a time (the step page shows the latest few)."""
    if voice not in HISTORY_VOICES or not 0 < block <= MAX_ID:
        raise Http404("Historique introuvable.")
    step = get_object_or_404(Step, number=number)
    block = get_object_or_404(Block, pk=block, step=step, retired_at__isnull=True)
    return render(
        request,
        "parcours/history.html",
        {
            "step": step,
            **history_page(request.establishment, block, voice, request.GET.get("page")),
        },
    )


@require_safe
@profile_required
def export_xlsx(request):
    content = export.workbook_bytes(request.establishment)
    filename = f"tms-pros-{request.establishment.siret}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def figures(establishment) -> dict:
    """Step 1's figures, written as the seed writes them (0.8, decimal point)."""
    return {
        "tms_days": establishment.days_lost_tms,
        "tms_fte": _plain(establishment.days_lost_tms_fte),
        "lumbago_days": establishment.days_lost_lumbago,
        "lumbago_fte": _plain(establishment.days_lost_lumbago_fte),
        "year": establishment.figures_year,
        "known": establishment.has_figures,
    }


def _plain(number) -> str:
    return "" if number is None else str(number)


# --- "Mes pièces jointes" ----------------------------------------------------------


@require_safe
@establishment_required
def documents(request):
    """ "Mes pièces jointes": every document, grouped by step and question, newest first,
    DOCUMENTS_PER_PAGE a page."""
    establishment = request.establishment
    ordered = (
        Attachment.objects.filter(establishment=establishment)
        .select_related("question__block__step", "uploaded_by")
        .order_by(
            "question__block__step__number",
            "question__block__order",
            "question__order",
            "question_id",
            "-uploaded_at",
            "-pk",
        )
    )
    page = Paginator(ordered, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    attachments = list(page.object_list)
    for attachment in attachments:
        attachment.depositor = author_label(attachment.uploaded_by, establishment)
    steps = []
    for step, in_step in groupby(attachments, key=lambda a: a.question.block.step):
        questions = [
            (question, list(documents))
            for question, documents in groupby(in_step, key=lambda a: a.question)
        ]
        steps.append((step, questions))
    used = used_bytes(establishment)
    quota = settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE
    return render(
        request,
        "attachments/index.html",
        {
            "steps": steps,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
            "limits": limits_text(),
            "used": used,
            "quota": quota,
            "used_percent": min(100, round(100 * used / quota)),
            "may_delete": Action.DELETE_DOCUMENT in request.permissions,
        },
    )


def next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("documents:index")


@require_POST
@establishment_required
def delete_documents(request):
    """Delete a selection of the establishment's documents, after a confirmation.

    Reached from "Mes pièces jointes" and from a step page (its "Supprimer la
    sélection" button posts the step form here). Without `confirm`, the
    selection is shown again for confirmation; a script asks in the page
    instead when JavaScript runs. Someone else's id is a 404 and deletes nothing.
    """
    if Action.DELETE_DOCUMENT not in request.permissions:
        raise PermissionDenied("Seul l'établissement supprime ses documents.")
    back = next_url(request)
    raw_ids = request.POST.getlist("delete")
    if not raw_ids:
        messages.warning(request, "Aucune pièce jointe n'est sélectionnée.")
        return redirect(back)
    try:
        ids = {int(pk) for pk in raw_ids}
    except ValueError as error:
        raise Http404("Pièce jointe introuvable.") from error
    if not all(0 < pk <= MAX_ID for pk in ids):  # the database would overflow: a 500
        raise Http404("Pièce jointe introuvable.")
    selection = list(
        Attachment.objects.filter(establishment=request.establishment, pk__in=ids).select_related(
            "question"
        )
    )
    if len(selection) != len(ids):
        raise Http404("Pièce jointe introuvable.")
    if request.POST.get("confirm") != "1":
        return render(
            request, "attachments/confirm_delete.html", {"selection": selection, "next": back}
        )
    try:
        names = services.delete_documents(
            establishment=request.establishment, ids=ids, by=request.user
        )
    except Attachment.DoesNotExist as error:  # deleted meanwhile by another tab
        raise Http404("Pièce jointe introuvable.") from error
    if len(names) == 1:
        messages.success(request, f"La pièce jointe « {names[0]} » a été supprimée.")
    else:
        messages.success(request, f"{len(names)} pièces jointes ont été supprimées.")
    return redirect(back)
