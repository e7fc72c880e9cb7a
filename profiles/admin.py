from django.contrib import admin

from .models import PROFILE_FIELDS, Caisse, Establishment, Membership, visibility


class CaisseScopedMixin:
    """The admin on establishments' data, scoped by the one access rule
    (profiles.models.visibility): the national team sees everything, a
    préventeur their own caisse only, anyone else nothing."""

    # How the admin's model reaches its establishment ("" for Establishment itself).
    establishment_path = "establishment__"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = visibility(request.user, prefix=self.establishment_path)
        return queryset.none() if allowed is None else queryset.filter(allowed)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "is_active", "created_at", "updated_at", "updated_by"]
    readonly_fields = ["user", "role", "created_at", "updated_at", "updated_by"]
    extra = 0
    can_delete = False  # deactivated, never deleted

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Caisse)
class CaisseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "email", "phone"]
    search_fields = ["name", "code", "region"]
    readonly_fields = ["code"]
    fields = ["code", "name", "region", "email", "phone", "address"]

    def has_add_permission(self, request):
        return False  # the 21 caisses come from the data migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Establishment)
class EstablishmentAdmin(CaisseScopedMixin, admin.ModelAdmin):
    establishment_path = ""

    list_display = ["name", "siret", "town", "caisse", "preventeur", "profile_complete"]
    list_filter = ["caisse"]
    search_fields = ["name", "siret", "town", "head_last_name", "head_email"]
    list_select_related = ["caisse", "preventeur"]
    inlines = [MembershipInline]
    readonly_fields = ["created_at", "updated_at", "profile_updated_at"]
    fieldsets = [
        (
            "Établissement",
            {
                "fields": [
                    "siret",
                    "name",
                    "address",
                    "postcode",
                    "town",
                    "naf_code",
                    "headcount",
                ]
            },
        ),
        ("Suivi", {"fields": ["caisse", "preventeur"]}),
        ("Chiffres", {"fields": ["days_lost_tms", "days_lost_lumbago", "figures_year"]}),
        ("Mon profil", {"fields": [*PROFILE_FIELDS, "profile_updated_at"]}),
        ("Historique", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="profil complet")
    def profile_complete(self, obj):
        return obj.is_profile_complete
