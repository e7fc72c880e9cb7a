"""Staff accounts in the admin: the national team manages préventeurs; a
préventeur sees (only) the préventeurs of their own caisse, to assign them.

Establishments' and representatives' accounts are not managed here: they
come from the import and hang from their establishment (memberships).
"""

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from . import services
from .models import User


def staff_accounts(user):
    """The staff accounts `user` may see: all for the national team, their
    caisse's préventeurs for a préventeur, none for anyone else."""
    accounts = User.objects.filter(
        Q(is_staff=True)
        | Q(is_superuser=True)
        | Q(kind__in=[User.Kind.PREVENTEUR, User.Kind.NATIONAL])
    )
    if user.is_national:
        return accounts
    if user.is_preventeur and user.caisse_id:
        return accounts.filter(kind=User.Kind.PREVENTEUR, caisse_id=user.caisse_id)
    return accounts.none()


class StaffKindFilter(admin.SimpleListFilter):
    """The kinds of login this admin lists (not the establishments')."""

    title = "type de compte"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(User.Kind.PREVENTEUR, "Préventeur"), (User.Kind.NATIONAL, "Équipe nationale")]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class PreventeurCreationForm(forms.ModelForm):
    """A new préventeur: identifier = e-mail address; no password (they choose it on activation)."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "caisse"]
        labels = {"email": "Adresse e-mail (identifiant)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True
        self.fields["caisse"].help_text = "La caisse dont il suivra les établissements."

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cet identifiant.")
        return email


class StaffChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "caisse", "is_active"]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.is_preventeur and not cleaned_data.get("caisse"):
            self.add_error("caisse", "Un préventeur appartient à une caisse régionale.")
        return cleaned_data


@admin.register(User)
class StaffAdmin(admin.ModelAdmin):
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["caisse__name", "last_name", "first_name", "username"]
    list_select_related = ["caisse"]
    list_per_page = 100
    readonly_fields = [
        "username",
        "email",
        "kind",
        "second_factor",
        "activation_sent_at",
        "activated_at",
        "last_login",
        "date_joined",
    ]
    actions = ["send_activation", "reset_second_factor", "deactivate"]

    # --- Who sees what ------------------------------------------------------------
    def get_queryset(self, request):
        return (
            staff_accounts(request.user)
            .select_related("caisse")
            .annotate(
                has_totp=Exists(
                    Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
                )
            )
        )

    def get_object(self, request, object_id, from_field=None):
        """An account outside the reader's staff accounts is a 404, as a missing one."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Ce compte n'existe pas.")
        return obj

    def has_view_permission(self, request, obj=None):
        # A préventeur reads the list (their caisse's préventeurs), never an account's page.
        if obj is not None and not request.user.is_national:
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_national and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivated, never deleted: their history stays

    # --- The list -----------------------------------------------------------------------
    def get_list_display(self, request):
        if request.user.is_national:
            return [
                "username",
                "full_name",
                "kind",
                "caisse",
                "is_active",
                "activated",
                "second_factor",
                "last_login",
            ]
        return ["full_name", "username", "caisse", "is_active"]

    def get_list_display_links(self, request, list_display):
        return ["username"] if request.user.is_national else None

    def get_list_filter(self, request):
        if request.user.is_national:
            return [StaffKindFilter, "caisse", "is_active"]
        return ["is_active"]

    @admin.display(description="nom", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(boolean=True, description="activé", ordering="activated_at")
    def activated(self, obj):
        return obj.activated_at is not None

    @admin.display(boolean=True, description="double authentification")
    def second_factor(self, obj):
        if hasattr(obj, "has_totp"):
            return obj.has_totp
        return Authenticator.objects.filter(user=obj, type=Authenticator.Type.TOTP).exists()

    # --- Create and change ------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StaffChangeForm if obj is not None else PreventeurCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    "Nouveau préventeur",
                    {
                        "fields": ["email", "first_name", "last_name", "caisse"],
                        "description": (
                            "L'identifiant est l'adresse e-mail. Le préventeur reçoit un e-mail "
                            "d'activation pour choisir son mot de passe, puis configure sa double "
                            "authentification à sa première connexion."
                        ),
                    },
                )
            ]
        return [
            ("Compte", {"fields": ["username", "email", "kind", "first_name", "last_name"]}),
            ("Caisse", {"fields": ["caisse"]}),
            (
                "Accès",
                {
                    "fields": [
                        "is_active",
                        "second_factor",
                        "activation_sent_at",
                        "activated_at",
                        "last_login",
                        "date_joined",
                    ],
                    "description": (
                        "Un compte désactivé ne peut plus se connecter ; ses établissements "
                        "restent sans préventeur."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        return services.create_preventeur(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            caisse=form.cleaned_data["caisse"],
        )

    def save_model(self, request, obj, form, change):
        if not change:
            self.message_user(
                request, f"E-mail d'activation envoyé à {obj.email}.", messages.SUCCESS
            )
            return  # created (and its e-mail sent) by save_form
        super().save_model(request, obj, form, change)
        released = services.release_establishments(obj)
        if released:
            self.message_user(
                request,
                f"{released} établissement(s) désormais sans préventeur.",
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        if change:  # a new préventeur's groups are set by create_preventeur
            super().save_related(request, form, formsets, change)

    # --- Actions -------------------------------------------------------------------------
    @admin.action(description="Envoyer l'e-mail d'activation", permissions=["change"])
    def send_activation(self, request, queryset):
        sent = skipped = 0
        for user in queryset:
            if user.activated_at is None and user.is_active and user.email:
                services.send_activation_email(user)
                sent += 1
            else:
                skipped += 1
        self.message_user(
            request,
            f"{sent} e-mail(s) d'activation envoyé(s), {skipped} compte(s) déjà activé(s) "
            "ou inactif(s) ignoré(s).",
            messages.SUCCESS,
        )

    @admin.action(description="Réinitialiser la double authentification", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        count = 0
        for user in queryset:
            services.reset_second_factor(user=user, by=request.user)
            count += 1
        self.message_user(
            request,
            f"Double authentification réinitialisée pour {count} compte(s) : chacun a été "
            "prévenu par e-mail et en configurera une nouvelle à sa prochaine connexion.",
            messages.SUCCESS,
        )

    @admin.action(description="Désactiver les comptes sélectionnés", permissions=["change"])
    def deactivate(self, request, queryset):
        accounts = released = 0
        for user in queryset.exclude(pk=request.user.pk):
            released += services.deactivate_staff(user=user)
            accounts += 1
        self.message_user(
            request,
            f"{accounts} compte(s) désactivé(s) ; {released} établissement(s) désormais "
            "sans préventeur.",
            messages.SUCCESS,
        )
