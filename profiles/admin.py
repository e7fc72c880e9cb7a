from django.contrib import admin

from .models import Caisse, Establishment


class CaisseScopedMixin:
    """The admin's one access rule on establishments' data: the national team
    sees everything, a préventeur their own caisse only, anyone else nothing."""

    caisse_lookup = "establishment__caisse_id"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or user.kind == user.Kind.NATIONAL:
            return queryset
        if user.caisse_id is None:
            return queryset.none()
        return queryset.filter(**{self.caisse_lookup: user.caisse_id})


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
    caisse_lookup = "caisse_id"

    list_display = ["name", "siret", "town", "caisse", "preventeur", "profile_complete"]
    list_filter = ["caisse"]
    search_fields = ["name", "siret", "town", "head_last_name", "head_email"]
    list_select_related = ["caisse", "preventeur"]
    raw_id_fields = ["user"]
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
                    "user",
                ]
            },
        ),
        ("Suivi", {"fields": ["caisse", "preventeur"]}),
        ("Chiffres", {"fields": ["days_lost_tms", "days_lost_lumbago", "figures_year"]}),
        (
            "Mon profil",
            {
                "fields": [
                    "head_last_name",
                    "head_first_name",
                    "head_function",
                    "head_email",
                    "head_phone",
                    "head_address",
                    "is_space_manager",
                    "belongs_to_group",
                    "has_staff_representative",
                    "profile_updated_at",
                ]
            },
        ),
        ("Historique", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="profil complet")
    def profile_complete(self, obj):
        return obj.is_profile_complete
