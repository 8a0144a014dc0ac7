"""Back office, Integrations: the systems that report to the shop and what they sent.

A connection's secret is made by the service and shown once, in the message after it is
created or rotated; no page shows it again (the sender keeps it). Rotating keeps the previous
secret valid for a day, so the sender can switch over without a refused message.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from mercato.core.admin import ViewOnlyAdmin
from mercato.integrations.models import IncomingConnection, IncomingMessage
from mercato.integrations.services.incoming import (
    DEFAULT_GRACE,
    create_incoming_connection,
    rotate_incoming_secret,
)


def _secret_message(connection: IncomingConnection, what: str) -> str:
    return format_html(
        "{} {}: its signing secret is <code>{}</code>. Copy it into the sender's settings "
        "now; it is not shown again.", what, connection, connection.secret)


@admin.register(IncomingConnection)
class IncomingConnectionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "public_id", "previous_secret_valid_until",
                    "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "=public_id")
    actions = ("rotate_secret",)
    readonly_fields = ("public_id", "kind", "previous_secret_valid_until", "created_at")

    def get_fields(self, request: HttpRequest, obj: IncomingConnection | None = None):
        if obj is None:
            return ("name", "kind")
        return ("name", "kind", "is_active", "public_id", "previous_secret_valid_until",
                "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: IncomingConnection | None = None):
        return () if obj is None else self.readonly_fields

    @admin.display(description="Previous secret valid until")
    def previous_secret_valid_until(self, connection: IncomingConnection) -> str:
        expires = connection.previous_secret_expires_at
        if not connection.previous_secret or expires is None or expires <= timezone.now():
            return "-"
        return f"{timezone.localtime(expires):%Y-%m-%d %H:%M}"

    def save_model(self, request: HttpRequest, obj: IncomingConnection, form,
                   change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # name and is_active only
            return
        created = create_incoming_connection(name=obj.name, kind=obj.kind)
        obj.pk, obj.public_id, obj.secret = created.pk, created.public_id, created.secret
        obj.created_at = created.created_at
        self.message_user(request, _secret_message(created, "Created"), messages.WARNING)

    @admin.action(description="Rotate the signing secret (the old one works for a day more)",
                  permissions=["change"])
    def rotate_secret(self, request: HttpRequest,
                      queryset: QuerySet[IncomingConnection]) -> None:
        for public_id in queryset.order_by("pk").values_list("public_id", flat=True):
            rotated = rotate_incoming_secret(public_id=public_id, grace=DEFAULT_GRACE)
            self.message_user(request, _secret_message(rotated, "Rotated"), messages.WARNING)


@admin.register(IncomingMessage)
class IncomingMessageAdmin(ViewOnlyAdmin):
    """What connections sent, newest first: applied or refused, and the answer they got."""

    list_display = ("received_at", "connection", "event_type", "webhook_id", "outcome",
                    "status_code")
    list_filter = ("outcome", "connection__kind", "event_type")
    search_fields = ("=webhook_id", "event_type", "connection__name")
    list_select_related = ("connection",)
    fields = ("connection", "webhook_id", "event_type", "outcome", "status_code",
              "received_at", "payload", "answer")
    readonly_fields = fields
    date_hierarchy = "received_at"
    list_per_page = 50
    show_full_result_count = False
