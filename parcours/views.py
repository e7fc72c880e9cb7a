from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from profiles.decorators import profile_required

from . import export, services
from .forms import StepForm, display_value
from .models import Comment, Question, Step

SAVED_MESSAGE = "Vos réponses ont été enregistrées."
CONFLICT_MESSAGE = (
    "Cette étape a été modifiée entre-temps par une autre personne : vos réponses n'ont "
    "pas été enregistrées. Comparez les deux versions ci-dessous, corrigez si besoin "
    "puis enregistrez à nouveau."
)


@profile_required
def index(request):
    steps = services.steps_with_states(request.establishment)
    return render(request, "parcours/index.html", {"steps": steps})


@profile_required
def step(request, number):
    step = get_object_or_404(Step, number=number)
    data = services.load_step(request.establishment, step)
    form = StepForm(data, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(
                progress=data.progress, form=form, by=request.user, files=request.FILES
            )
        except services.StepConflict:
            data = services.load_step(request.establishment, step)
            conflict = compare_versions(data, form)
            posted = request.POST.copy()
            posted["version"] = data.progress.version
            form = StepForm(data, posted)
            form.is_valid()
        except ValidationError as error:
            form.add_hook_errors(error)
        else:
            messages.success(request, SAVED_MESSAGE)
            return redirect(step)
    return render(
        request,
        "parcours/step.html",
        {
            "step": step,
            "steps": services.steps_with_states(request.establishment),
            "progress": data.progress,
            "form": form,
            "blocks": page_blocks(data, form),
            "conflict": conflict,
            "conflict_message": CONFLICT_MESSAGE if conflict is not None else "",
            "figures": figures(request.establishment) if step.number == 1 else None,
            # For attachments/_question_files.html: prefetched by load_step, no
            # query per question; refused files are reported under their question.
            "establishment": request.establishment,
            "attachments_by_question": {q.pk: q.documents for q in data.questions},
            "templates_by_question": {q.pk: q.document_templates for q in data.questions},
            "attachment_errors": form.hook_errors,
        },
        status=409 if conflict is not None else 200,
    )


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


def page_blocks(data, form) -> list:
    """What the template walks through: blocks, their questions and three voices."""
    establishment = data.progress.establishment
    # Earlier versions of the establishment's comments, newest first (one query).
    history = {}
    for comment in (
        Comment.objects.filter(
            establishment=establishment,
            block__in=[block.pk for block in data.blocks],
            voice=Comment.Voice.ESTABLISHMENT,
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
    ):
        history.setdefault(comment.block_id, []).append(comment)
    blocks = []
    for block in data.blocks:
        questions = []
        for question in block.active_questions:
            name = form.question_field_name(question)
            questions.append(
                {
                    "question": question,
                    "field": form[name] if name in form.fields else None,
                    "extra_errors": form.hook_errors.get(name, []),
                    "has_files": question.accepts_files or question.kind == Question.Kind.DOCUMENTS,
                    "answered": services.is_answered(
                        question,
                        data.answers[question.pk].value if question.pk in data.answers else None,
                        data.documents,
                    ),
                }
            )
        voices = {}
        for voice in Comment.Voice:
            comment = data.comments.get((block.pk, voice))
            voices[voice.name.lower()] = (
                {
                    "text": comment.text,
                    "author": services.author_label(comment.author, establishment),
                    "created_at": comment.created_at,
                }
                if comment is not None and comment.text
                else None
            )
        earlier = history.get(block.pk, [])[1:]
        blocks.append(
            {
                "block": block,
                "earlier_comments": [
                    {
                        "text": comment.text,
                        "author": services.author_label(comment.author, establishment),
                        "created_at": comment.created_at,
                    }
                    for comment in earlier
                ],
                "questions": questions,
                "comment_field": form[form.comment_field_name(block)],
                "voices": voices,
            }
        )
    return blocks


def compare_versions(data, stale_form) -> list:
    """The saved (theirs) and the typed (yours) values that differ."""
    rows = []
    for question in data.questions:
        name = stale_form.question_field_name(question)
        if name not in stale_form.cleaned_data:
            continue
        saved = data.answers[question.pk].value if question.pk in data.answers else None
        typed = stale_form.cleaned_data[name]
        if saved != typed:
            rows.append(
                {
                    "label": f"{question.code} – {question.text}",
                    "theirs": display_value(question, saved),
                    "yours": display_value(question, typed),
                }
            )
    for block in data.blocks:
        current = data.comments.get((block.pk, Comment.Voice.ESTABLISHMENT))
        saved = current.text if current else ""
        typed = stale_form.cleaned_data.get(stale_form.comment_field_name(block), "")
        if saved != typed:
            rows.append(
                {
                    "label": f"{Comment.Voice.ESTABLISHMENT.label} – {block.title}",
                    "theirs": saved,
                    "yours": typed,
                }
            )
    return rows


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
