import re
from functools import partial

from django.contrib import admin
from django.db import transaction

from .models import OutboxMessage

# Activation, password-reset and invitation links open an account: the admin
# shows where a link went, never the link itself.
LINK = re.compile(r"https?://[^\s<>\"']+")
MASKED_LINK = "[lien masqué]"


def mask_links(text: str) -> str:
    return LINK.sub(MASKED_LINK, text)


def is_national_team(request) -> bool:
    """Only the national team reads the outbox: its rows hold live links (activation, reset)."""
    return getattr(request.user, "is_national", False)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "status",
        "attempts",
        "error",
        "last_attempt_at",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["subject"]
    fields = [
        *(f.name for f in OutboxMessage._meta.fields if f.name not in {"id", "body", "html_body"}),
        "text",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description="texte (liens masqués)")
    def text(self, obj):
        return mask_links(obj.body)

    @admin.display(description="dernière erreur")
    def error(self, obj):
        return obj.last_error[:160]

    @admin.action(description="Renvoyer les courriels en échec sélectionnés")
    def send_again(self, request, queryset):
        """A failed message (SMTP refused it until MAX_ATTEMPTS) is pending again, then sent."""
        from .services import enqueue_delivery

        ids = list(queryset.filter(status=OutboxMessage.Status.FAILED).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.PENDING, attempts=0
        )
        for message_id in ids:
            transaction.on_commit(partial(enqueue_delivery, message_id))
        self.message_user(request, f"{len(ids)} courriel(s) en échec remis en file.")

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
