"""The préventeurs' back office in the admin: the establishments they follow.

"Établissements" is the list of the caisse's establishments with the state of
their four steps, the work queues and the filters a préventeur needs; "Suivi du
parcours" is one establishment's page, where the caisse comments, validates
and sends back steps. Everything is scoped by the one visibility rule
(profiles.admin.CaisseScopedMixin); the workflows are parcours.review's.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Prefetch, Q, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import LoginLock, User
from accounts.services import clear_login_failures, lock_identifier, send_activation_email
from profiles.admin import CaisseScopedMixin, MembershipInline
from profiles.models import PROFILE_FIELDS, Establishment, Membership, profile_complete_q

from . import review
from .models import Block, Step, StepProgress
from .review import ReviewError
from .steps import HISTORY_VOICES, comment_history, load_step

Status = StepProgress.Status


def progress_exists(**lookups):
    return Exists(StepProgress.objects.filter(establishment=OuterRef("pk"), **lookups))


WAITING = progress_exists(status=Status.COMPLETE)
MODIFIED = progress_exists(validated_at__isnull=False, modified_since_validation=True)
EVER_LOGGED_IN = Exists(
    Membership.objects.filter(
        establishment=OuterRef("pk"),
        role=Membership.Role.ESTABLISHMENT,
        user__last_login__isnull=False,
    )
)
PROFILE_INCOMPLETE = ~profile_complete_q()


def work_queues(queryset, user) -> dict:
    """The counts of the préventeur's work queues, in one query."""
    return queryset.aggregate(
        waiting=Count("pk", filter=Q(WAITING)),
        modified=Count("pk", filter=Q(MODIFIED)),
        mine=Count("pk", filter=Q(preventeur=user)),
        never_logged_in=Count("pk", filter=~Q(EVER_LOGGED_IN)),
    )


# --- Filters ----------------------------------------------------------------------------


class YesFilter(admin.SimpleListFilter):
    """A filter with one choice ("Oui"): the queue it names."""

    def lookups(self, request, model_admin):
        return [("1", "Oui")]

    def queryset(self, request, queryset):
        return queryset.filter(self.condition(request)) if self.value() == "1" else queryset


class MineFilter(YesFilter):
    title, parameter_name = "Mes établissements", "mes"

    def condition(self, request):
        return Q(preventeur=request.user)


class WaitingFilter(YesFilter):
    title, parameter_name = "En attente de validation", "attente"

    def condition(self, request):
        return Q(WAITING)


class ModifiedFilter(YesFilter):
    title, parameter_name = "Modifiée depuis la validation", "modifiee"

    def condition(self, request):
        return Q(MODIFIED)


class NeverLoggedInFilter(YesFilter):
    title, parameter_name = "Jamais connecté", "jamais_connecte"

    def condition(self, request):
        return ~Q(EVER_LOGGED_IN)


class ProfileIncompleteFilter(YesFilter):
    title, parameter_name = "Profil incomplet", "profil_incomplet"

    def condition(self, request):
        return PROFILE_INCOMPLETE


class PreventeurFilter(admin.SimpleListFilter):
    """The préventeurs the reader may see (their caisse's), and "Sans préventeur"."""

    title, parameter_name = "préventeur", "preventeur"

    def lookups(self, request, model_admin):
        choices = [
            (str(u.pk), preventeur_label(u, request.user))
            for u in User.objects.preventeurs_for(request.user)
        ]
        return [*choices, ("aucun", "Sans préventeur")]

    def queryset(self, request, queryset):
        if self.value() == "aucun":
            return queryset.filter(preventeur__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(preventeur_id=int(self.value()))
        return queryset


class StepStateFilter(admin.SimpleListFilter):
    title, parameter_name = "étape et état", "etape"

    def lookups(self, request, model_admin):
        return [
            (f"{number}-{status.value}", f"Étape {number} : {status.label}")
            for number in range(1, 5)
            for status in Status
        ]

    def queryset(self, request, queryset):
        number, _, status = (self.value() or "").partition("-")
        if not number.isdigit() or status not in Status.values:
            return queryset
        if status == Status.TO_COMPLETE:
            started = progress_exists(step__number=int(number), status__in=[
                s for s in Status.values if s != Status.TO_COMPLETE
            ])  # fmt: skip
            return queryset.filter(~Q(started))
        return queryset.filter(progress_exists(step__number=int(number), status=status))


def preventeur_label(preventeur, reader) -> str:
    """A préventeur's name, with their caisse for the national team (who sees all caisses)."""
    name = preventeur.get_full_name() or preventeur.username
    if reader.is_national and preventeur.caisse_id:
        return f"{name} ({preventeur.caisse.name})"
    return name


# --- The list ---------------------------------------------------------------------------


class EstablishmentAdmin(CaisseScopedMixin, admin.ModelAdmin):
    establishment_path = ""
    list_display = [
        "siret",
        "name",
        "follow_link",
        "steps",
        "preventeur_name",
        "account_state",
        "profile_complete",
        "town",
        "headcount",
    ]
    list_display_links = ["siret", "name"]
    list_per_page = 100
    search_fields = ["siret", "name", "town"]
    inlines = [MembershipInline]
    readonly_fields = ["created_at", "updated_at", "profile_updated_at"]
    # A préventeur follows: only the préventeur in charge changes (assignment).
    preventeur_editable_fields = ["preventeur"]
    fieldsets = [
        (
            "Établissement",
            {"fields": ["siret", "name", "address", "postcode", "town", "naf_code", "headcount"]},
        ),
        ("Suivi", {"fields": ["caisse", "preventeur"]}),
        ("Chiffres", {"fields": ["days_lost_tms", "days_lost_lumbago", "figures_year"]}),
        ("Mon profil", {"fields": [*PROFILE_FIELDS, "profile_updated_at"]}),
        ("Historique", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        "send_activation",
        "unlock_accounts",
        "assign_to_me",
        "assign_to_preventeur",
        "export_selection",
    ]
    change_list_template = "admin/parcours/establishment_change_list.html"
    change_form_template = "admin/parcours/establishment_change_form.html"

    def get_list_filter(self, request):
        filters = [
            MineFilter,
            WaitingFilter,
            ModifiedFilter,
            NeverLoggedInFilter,
            ProfileIncompleteFilter,
            PreventeurFilter,
            StepStateFilter,
        ]
        if request.user.is_national:
            filters.append("caisse")  # the caisses: for the national team only
        return filters

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return (
            queryset.select_related("caisse", "preventeur")
            .annotate(
                # What waits for the préventeur: a complete step, or a validated one
                # modified since (waiting since its last change).
                oldest_waiting=Min(
                    Case(
                        When(
                            step_progresses__status=Status.COMPLETE,
                            then=F("step_progresses__completed_at"),
                        ),
                        When(
                            step_progresses__validated_at__isnull=False,
                            step_progresses__modified_since_validation=True,
                            then=F("step_progresses__updated_at"),
                        ),
                    )
                )
            )
            .prefetch_related(
                Prefetch(
                    "step_progresses",
                    queryset=StepProgress.objects.select_related("step"),
                    to_attr="progresses",
                ),
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(
                        role=Membership.Role.ESTABLISHMENT
                    ).select_related("user"),
                    to_attr="own_memberships",
                ),
            )
        )

    def get_ordering(self, request):
        # What waits for the préventeur first: the oldest complete step not validated.
        return [F("oldest_waiting").asc(nulls_last=True), "name", "pk"]

    def get_search_results(self, request, queryset, search_term):
        # A SIRET is typed with spaces: "732 829 320 00074".
        digits = search_term.replace(" ", "").replace("\u00a0", "")
        if digits.isdigit():
            search_term = digits
        return super().get_search_results(request, queryset, search_term)

    def save_formset(self, request, form, formset, change):
        """Memberships record who changed them."""
        for membership in formset.save(commit=False):
            membership.updated_by = request.user
            membership.save()
        formset.save_m2m()

    # --- Columns ---
    @admin.display(description="préventeur", ordering="preventeur__last_name")
    def preventeur_name(self, obj):
        if obj.preventeur is None:
            return "sans préventeur"
        return obj.preventeur.get_full_name() or obj.preventeur.username

    @admin.display(description="compte")
    def account_state(self, obj):
        account = own_account(obj)
        state = "activé" if account is not None and account.activated_at else "non activé"
        if account is None or account.last_login is None:
            return f"{state}, jamais connecté"
        return f"{state}, connecté le {timezone.localtime(account.last_login):%d/%m/%Y}"

    @admin.display(boolean=True, description="profil complet")
    def profile_complete(self, obj):
        return obj.is_profile_complete

    @admin.display(description="étapes")
    def steps(self, obj):
        by_number = {progress.step.number: progress for progress in obj.progresses}
        return format_html_join(
            " ",
            '<span class="tms-admin-badge tms-admin-badge-{}" title="Étape {}">{}</span>',
            (badge(number, by_number.get(number)) for number in range(1, 5)),
        )

    @admin.display(description="suivi")
    def follow_link(self, obj):
        return format_html(
            '<a href="{}">Suivi du parcours</a>',
            reverse("admin:profiles_establishment_follow", args=[obj.pk]),
        )

    # --- Work queues, export of the list, follow-up page ---
    def changelist_view(self, request, extra_context=None):
        base = reverse("admin:profiles_establishment_changelist")
        counts = work_queues(Establishment.objects.visible_to(request.user), request.user)
        queues = [
            ("En attente de validation", counts["waiting"], f"{base}?attente=1"),
            ("Modifiées depuis la validation", counts["modified"], f"{base}?modifiee=1"),
            ("Mes établissements", counts["mine"], f"{base}?mes=1"),
            ("Jamais connectés", counts["never_logged_in"], f"{base}?jamais_connecte=1"),
        ]
        extra_context = {**(extra_context or {}), "work_queues": queues}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/suivi/",
                self.admin_site.admin_view(self.follow_view),
                name="{}_{}_follow".format(*info),
            ),
            path(
                "<path:object_id>/suivi/historique/<int:block>/<slug:voice>/",
                self.admin_site.admin_view(self.follow_history_view),
                name="{}_{}_follow_history".format(*info),
            ),
            path(
                "exporter/",
                self.admin_site.admin_view(self.export_list_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_list_view(self, request):
        if not request.user.has_perm("profiles.export_establishments"):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return export_response(changelist.get_queryset(request))

    def follow_history_view(self, request, object_id, block, voice):
        """Every version of one voice's comment on a block (the follow page shows
        the latest few), for whoever may follow the establishment; 404 otherwise."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if voice not in HISTORY_VOICES or not 0 < block < 2**63:
            raise Http404("Historique introuvable.")
        establishment = get_object_or_404(self.get_queryset(request), pk=_int(object_id))
        block = get_object_or_404(Block.objects.select_related("step"), pk=block)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Historique des commentaires – {establishment.name}",
            "establishment": establishment,
            "step": block.step,
            **comment_history(establishment, block, voice, request.GET.get("page")),
        }
        return TemplateResponse(request, "admin/parcours/history.html", context)

    def follow_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        establishment = get_object_or_404(self.get_queryset(request), pk=_int(object_id))
        if request.method == "POST":
            return self.follow_post(request, establishment)
        steps = []
        for step in Step.objects.order_by("number"):
            data = load_step(establishment, step)
            progress = data.progress
            steps.append(
                {
                    "step": step,
                    "data": data,
                    "progress": progress,
                    "changes": review.changes_since_validation(progress, data)
                    if progress.is_validated and progress.modified_since_validation
                    else [],
                    "validations": list(progress.validations.select_related("validated_by"))
                    if progress.pk
                    else [],
                }
            )
        account = own_account(establishment)
        lock = LoginLock.objects.filter(identifier=lock_identifier(establishment.siret)).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Suivi du parcours – {establishment.name}",
            "establishment": establishment,
            "account": account,
            "locked": lock is not None and lock.is_locked(),
            "profile": [
                (Establishment._meta.get_field(name).verbose_name, getattr(establishment, name))
                for name in PROFILE_FIELDS
            ],
            "steps": steps,
            "may_comment": request.user.has_perm("parcours.add_comment"),
            "may_validate": request.user.has_perm("parcours.validate_step"),
            "may_send_back": request.user.has_perm("parcours.send_back_step"),
            "focus_step": _int_or_none(request.GET.get("etape")),
        }
        return TemplateResponse(request, "admin/parcours/follow.html", context)

    def follow_post(self, request, establishment):
        """One form per step: the caisse's comments are saved with whatever
        button was pressed, then the action (validate, withdraw, send back)."""
        step = get_object_or_404(Step, number=_int(request.POST.get("step")))
        action = request.POST.get("action")
        user = request.user
        required = {
            "comments": "parcours.add_comment",
            "validate": "parcours.validate_step",
            "withdraw": "parcours.validate_step",
            "send_back": "parcours.send_back_step",
        }
        if action not in required:
            raise Http404("Action inconnue.")
        if not user.has_perm(required[action]):
            raise PermissionDenied
        texts = {
            int(key.removeprefix("caisse_comment_")): value
            for key, value in request.POST.items()
            if key.startswith("caisse_comment_") and key[15:].isdigit()
        }
        url = reverse("admin:profiles_establishment_follow", args=[establishment.pk])
        back = HttpResponseRedirect(f"{url}?etape={step.number}#etape-{step.number}")
        created = []
        if texts and user.has_perm("parcours.add_comment"):
            try:
                created = review.save_caisse_comments(
                    establishment=establishment, step=step, texts=texts, by=user
                )
            except ReviewError as error:
                messages.error(request, str(error))
                return back
        if created:
            messages.success(
                request,
                f"Commentaires de la caisse régionale de l'étape {step.number} enregistrés.",
            )
        elif action == "comments":
            messages.info(request, "Aucun commentaire n'a changé.")
        progress = load_step(establishment, step).progress
        try:
            if action == "validate":
                review.validate_step(progress=progress, by=user)
                messages.success(request, f"L'étape {step.number} est validée.")
            elif action == "withdraw":
                review.withdraw_validation(
                    progress=progress, by=user, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"La validation de l'étape {step.number} est retirée.")
            elif action == "send_back":
                review.send_back(
                    progress=progress, by=user, message=request.POST.get("message", "")
                )
                messages.success(request, f"L'étape {step.number} est renvoyée pour correction.")
        except ReviewError as error:
            messages.error(request, str(error))
        return back

    # --- Actions (the selection is already scoped: a forged id is simply not in it) ---
    @admin.action(description="Envoyer l'e-mail d'activation", permissions=["send_activation"])
    def send_activation(self, request, queryset):
        sent = skipped = 0
        for establishment in queryset:
            account = own_account(establishment)
            if account is None or account.activated_at is not None or not account.email:
                skipped += 1
                continue
            send_activation_email(account)
            sent += 1
        messages.success(
            request,
            f"{sent} e-mail(s) d'activation envoyé(s), {skipped} établissement(s) ignoré(s) "
            "(déjà activés ou sans adresse e-mail).",
        )

    @admin.action(description="Débloquer le compte", permissions=["unlock_account"])
    def unlock_accounts(self, request, queryset):
        sirets = [lock_identifier(e.siret) for e in queryset]
        locked = LoginLock.objects.filter(
            identifier__in=sirets, locked_until__gt=timezone.now()
        ).count()
        for siret in sirets:
            clear_login_failures(siret)
        messages.success(
            request,
            f"{locked} compte(s) débloqué(s) ; les {len(sirets) - locked} autre(s) "
            "n'étaient pas bloqués.",
        )

    @admin.action(description="M'attribuer", permissions=["assign_preventeur"])
    def assign_to_me(self, request, queryset):
        if not request.user.is_preventeur:
            messages.error(request, "Seul un préventeur peut se voir attribuer des établissements.")
            return
        count = queryset.filter(caisse_id=request.user.caisse_id).update(
            preventeur=request.user, updated_at=timezone.now()
        )
        messages.success(request, f"Établissements qui vous sont attribués : {count}.")

    @admin.action(description="Attribuer à un préventeur", permissions=["assign_preventeur"])
    def assign_to_preventeur(self, request, queryset):
        choices = User.objects.preventeurs_for(request.user)
        if request.POST.get("preventeur"):
            preventeur = choices.filter(pk=_int(request.POST["preventeur"])).first()
            if preventeur is None:
                messages.error(request, "Choisissez un préventeur de la caisse.")
                return None
            count = queryset.filter(caisse_id=preventeur.caisse_id).update(
                preventeur=preventeur, updated_at=timezone.now()
            )
            skipped = queryset.count() - count
            message = f"Établissements attribués à {preventeur.get_full_name()} : {count}."
            if skipped:
                message += f" {skipped} d'une autre caisse ignoré(s)."
            messages.success(request, message)
            return None
        return TemplateResponse(
            request,
            "admin/parcours/assign_preventeur.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Attribuer à un préventeur",
                "establishments": queryset,
                "preventeurs": choices,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Exporter la sélection (xlsx)", permissions=["export"])
    def export_selection(self, request, queryset):
        return export_response(queryset)

    def has_send_activation_permission(self, request):
        return request.user.has_perm("profiles.send_activation")

    def has_unlock_account_permission(self, request):
        return request.user.has_perm("profiles.unlock_account")

    def has_assign_preventeur_permission(self, request):
        return request.user.has_perm("profiles.assign_preventeur")

    def has_export_permission(self, request):
        return request.user.has_perm("profiles.export_establishments")


def export_response(queryset):
    from .exports import establishments_workbook_response

    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return establishments_workbook_response(queryset, filename=f"etablissements-{stamp}.xlsx")


def own_account(establishment):
    """The establishment's own account, from the prefetched memberships when present."""
    memberships = getattr(establishment, "own_memberships", None)
    if memberships is None:
        return establishment.account
    for membership in memberships:
        if establishment.is_own_account(membership.user):
            return membership.user
    return None


def badge(number, progress):
    """(css class, number, label) of a step's badge in the list."""
    if progress is None:
        return (Status.TO_COMPLETE, number, f"{number}. {Status.TO_COMPLETE.label}")
    label = progress.state_label
    if progress.status == Status.COMPLETE and progress.completed_at:
        label += f" depuis le {timezone.localtime(progress.completed_at):%d/%m/%Y}"
    label = f"{number}. {label}"
    css = (
        "modified"
        if progress.is_validated and progress.modified_since_validation
        else progress.status
    )
    return (css, number, label)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("Introuvable.") from None
    if not 0 < number < 2**63:
        raise Http404("Introuvable.")
    return number


def _int_or_none(value):
    return int(value) if value and value.isdigit() and len(value) < 3 else None
