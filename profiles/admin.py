from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import Http404

from accounts.siret import normalize_siret

from .models import Caisse, Establishment, Membership, visibility


class CaisseScopedMixin:
    """The admin on establishments' data, scoped by the one access rule
    (profiles.models.visibility): the national team sees everything, a
    préventeur their own caisse only, anyone else nothing."""

    # How the admin's model reaches its establishment ("" for Establishment itself).
    establishment_path = "establishment__"

    # The fields a préventeur may change (none unless said); the national team changes all.
    preventeur_editable_fields: list = []

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = visibility(request.user, prefix=self.establishment_path)
        return queryset.none() if allowed is None else queryset.filter(allowed)

    def response_action(self, request, queryset, **kwargs):
        """A forged, non-numeric id in an action's selection is dropped (no 500)."""
        from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        kept = [pk for pk in selected if pk.isdigit() and len(pk) < 19]
        if kept != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, kept)
        return super().response_action(request, queryset, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        """Someone else's object is a 404, as a missing one (never a hint it exists)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Cet objet n'existe pas.")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Foreign-key choices limited to what the reader may see."""
        user = request.user
        model = db_field.related_model
        if model is Establishment:
            kwargs["queryset"] = Establishment.objects.visible_to(user)
        elif model is Caisse and not user.is_national:
            kwargs["queryset"] = Caisse.objects.filter(pk=user.caisse_id)
        elif model is get_user_model() and db_field.name == "preventeur":
            kwargs["queryset"] = get_user_model().objects.preventeurs_for(user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if not request.user.is_national and formfield is not None:
            # No links to pages a préventeur may not open (accounts, caisses).
            for name in ("can_add_related", "can_change_related", "can_view_related",
                         "can_delete_related"):  # fmt: skip
                if hasattr(formfield.widget, name):
                    setattr(formfield.widget, name, False)
        return formfield

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_national:
            return readonly
        editable = set(self.preventeur_editable_fields)
        names = [f.name for f in self.model._meta.fields if f.editable and not f.primary_key]
        return list(dict.fromkeys(readonly + [n for n in names if n not in editable]))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national and super().has_delete_permission(request, obj)

    def get_list_filter(self, request):
        """No list of the 21 caisses for a préventeur: they see their own only."""
        filters = super().get_list_filter(request)
        if request.user.is_national:
            return filters
        return [f for f in filters if not (isinstance(f, str) and "caisse" in f)]


class MembershipForm(forms.ModelForm):
    """A membership: an existing one is (de)activated; a new one grants an
    establishment's own account access to this establishment (a group's head
    reaching its several SIRETs), found by its identifier."""

    identifier = forms.CharField(
        label="Identifiant (SIRET) du compte",
        required=False,
        help_text="Le compte d'un autre établissement (du même groupe) qui aura accès à celui-ci.",
    )

    class Meta:
        model = Membership
        fields = ["is_active"]

    def __init__(self, *args, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible
        if self.instance.pk:
            self.fields["identifier"].disabled = True
            self.fields["identifier"].initial = self.instance.user.username
            if self.instance.establishment.is_own_account(self.instance.user):
                # The establishment's own account is never switched off from here.
                self.fields["is_active"].disabled = True

    def clean_identifier(self):
        if self.instance.pk:
            return self.instance.user.username
        siret = normalize_siret(self.cleaned_data["identifier"])
        if not siret:
            return siret
        account = get_user_model().objects.filter(username=siret, kind="establishment").first()
        owner = (
            self.visible.filter(siret=siret).exists() if self.visible is not None else False
        )
        if account is None or not owner:
            raise forms.ValidationError(
                "Aucun compte d'établissement de votre caisse n'a cet identifiant."
            )
        return siret

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.has_changed() and not cleaned.get("identifier"):
            self.add_error("identifier", "Saisissez le SIRET du compte à rattacher.")
        return cleaned

    def save(self, commit=True):
        if not self.instance.pk:
            self.instance.user = get_user_model().objects.get(
                username=self.cleaned_data["identifier"]
            )
            self.instance.role = Membership.Role.ESTABLISHMENT
        return super().save(commit)


class MembershipInline(admin.TabularInline):
    """Who acts for the establishment; deactivated, never deleted."""

    model = Membership
    form = MembershipForm
    fields = ["identifier", "role", "is_active", "created_at", "updated_at", "updated_by"]
    readonly_fields = ["role", "created_at", "updated_at", "updated_by"]
    extra = 0
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        visible = Establishment.objects.visible_to(request.user)

        class ScopedFormSet(formset):
            def get_form_kwargs(self, index):
                return {**super().get_form_kwargs(index), "visible": visible}

        return ScopedFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "updated_by")


@admin.register(Caisse)
class CaisseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "email", "phone"]
    search_fields = ["name", "code", "region"]
    readonly_fields = ["code"]
    fields = ["code", "name", "region", "email", "phone", "address"]

    def has_add_permission(self, request):
        return False  # the 21 caisses come from the data migration

    def get_queryset(self, request):
        """A préventeur reads their own caisse (its contacts); the national team all."""
        queryset = super().get_queryset(request)
        if request.user.is_national:
            return queryset
        return queryset.filter(pk=request.user.caisse_id)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
