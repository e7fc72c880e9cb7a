from django.contrib import admin

from .models import OutboxMessage


def is_national_team(request) -> bool:
    """Only the national team reads the outbox: its rows hold live links (activation, reset)."""
    return getattr(request.user, "is_national", False)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_module_permission(self, request):
        return is_national_team(request)

    def has_view_permission(self, request, obj=None):
        return is_national_team(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_national_team(request) and super().has_delete_permission(request, obj)
