"""System section: the emails sent for events, read-only (the handlers' idempotency record)."""

from django.contrib import admin

from mercato.core.admin import ViewOnlyAdmin
from mercato.notifications.models import SentEmail


@admin.register(SentEmail)
class SentEmailAdmin(ViewOnlyAdmin):
    list_display = ("id", "kind", "to", "subject", "event", "sent_at")
    list_filter = ("kind",)
    search_fields = ("to", "subject", "=event__aggregate_id")
    list_select_related = ("event",)
    fields = ("kind", "to", "subject", "event", "sent_at")
    readonly_fields = fields
    date_hierarchy = "sent_at"
    list_per_page = 50
    show_full_result_count = False
