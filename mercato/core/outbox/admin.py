"""Back office of the outbox (System section): the event log, each event's deliveries and each
delivery's attempt log, read-only; retry a delivery, replay events (the selected ones, one from
its page, or every event of a type in a time range from a small form).

Redelivering needs the change permission on deliveries: seeing the log is not enough.
"""

import json
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from mercato.core.admin import ViewOnlyAdmin, action_buttons, staff_actor
from mercato.core.models import DeliveryAttempt, Event, EventDelivery
from mercato.core.outbox.services import replay_event, replay_events, retry_delivery
from mercato.core.outbox.table import handler_table
from mercato.core.problems import Problem

REDELIVER = "core.change_eventdelivery"


@dataclass(frozen=True)
class Button:
    """A page button drawn by admin/mercato/action_form.html."""

    name: str
    label: str
    asks_reason: bool = False
    needs_reason: bool = False


def may_redeliver(request: HttpRequest) -> bool:
    return request.user.has_perm(REDELIVER)


def run_and_report(model_admin: admin.ModelAdmin, request: HttpRequest, call, done: str) -> None:
    """Call a service; its refusal becomes the page's message instead of an error page."""
    try:
        result = call()
    except Problem as problem:
        model_admin.message_user(request, problem.detail, messages.ERROR)
    else:
        model_admin.message_user(request, done.format(result), messages.SUCCESS)


class DeliveryInline(admin.TabularInline):
    """An event's deliveries: one per handler of its type."""

    model = EventDelivery
    fields = ("delivery_link", "handler", "status", "attempts", "next_attempt_at", "done_at",
              "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Delivery")
    def delivery_link(self, obj: EventDelivery) -> str:
        url = reverse("admin:core_eventdelivery_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)


class DeliveryAttemptInline(admin.TabularInline):
    """The delivery log: every run of the handler, kept also when it failed."""

    model = DeliveryAttempt
    fields = ("started_at", "duration_ms", "outcome", "status_code", "error", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-id",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReplayForm(forms.Form):
    event_type = forms.ChoiceField(label="Event type")
    since = forms.DateTimeField(label="Recorded from", help_text="e.g. 2026-11-01 00:00")
    until = forms.DateTimeField(label="Recorded before", help_text="e.g. 2026-11-02 00:00")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [(name, name) for name in sorted(handler_table())]


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    list_display = ("id", "type", "aggregate", "actor", "created_at")
    list_filter = ("type", "aggregate_type")
    search_fields = ("=aggregate_id", "type", "actor")
    fields = ("type", "aggregate_type", "aggregate_id", "actor", "created_at", "payload_json")
    readonly_fields = fields
    inlines = (DeliveryInline,)
    list_per_page = 50
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("replay",)
    change_list_template = "admin/core/event/change_list.html"
    change_form_template = "admin/core/event/change_form.html"

    @admin.display(description="Aggregate", ordering="aggregate_type")
    def aggregate(self, obj: Event) -> str:
        return f"{obj.aggregate_type}:{obj.aggregate_id}"

    @admin.display(description="Payload")
    def payload_json(self, obj: Event) -> str:
        pretty = json.dumps(obj.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html("<pre>{}</pre>", pretty)

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return may_redeliver(request)

    @admin.action(description="Replay to their handlers", permissions=["redeliver"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        replayed = 0
        for event_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                replay_event(event_id=event_id, by=staff_actor(request))
            except Problem as problem:
                self.message_user(request, f"Event {event_id}: {problem.detail}",
                                  messages.WARNING)
            else:
                replayed += 1
        self.message_user(request, f"{replayed} event(s) replayed.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        replay_one = path("<path:object_id>/replay/",
                          self.admin_site.admin_view(require_POST(self.replay_view)),
                          name="core_event_replay")
        replay_range = path("replay/", self.admin_site.admin_view(self.replay_range_view),
                            name="core_event_replay_range")
        return [replay_range, replay_one, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        context = {**(extra_context or {}), "may_redeliver": may_redeliver(request)}
        return super().changelist_view(request, context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        buttons = [Button("replay", "Replay to its handlers")] if may_redeliver(request) else []
        context = {**(extra_context or {}), "event_actions": action_buttons(
            buttons, lambda name: reverse("admin:core_event_replay", args=[object_id]))}
        return super().change_view(request, object_id, form_url, context)

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_redeliver(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=object_id)
        run_and_report(self, request,
                       lambda: replay_event(event_id=event.pk, by=staff_actor(request)),
                       "Event replayed: {} delivery(ies) due now.")
        return HttpResponseRedirect(reverse("admin:core_event_change", args=[event.pk]))

    def replay_range_view(self, request: HttpRequest) -> HttpResponse:
        """Every event of one type recorded in a time range, delivered again."""
        if not may_redeliver(request):
            raise PermissionDenied
        form = ReplayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            run_and_report(self, request, lambda: replay_events(
                event_type=data["event_type"], since=data["since"], until=data["until"],
                by=staff_actor(request)), f"{{}} {data['event_type']} event(s) replayed.")
            return HttpResponseRedirect(reverse("admin:core_event_replay_range"))
        context = {**self.admin_site.each_context(request), "title": "Replay events",
                   "opts": self.opts, "form": form}
        return TemplateResponse(request, "admin/core/event/replay.html", context)


@admin.register(EventDelivery)
class EventDeliveryAdmin(ViewOnlyAdmin):
    """The outbox: each (event, handler) pair, its attempts, retries and dead letters."""

    list_display = ("id", "event", "handler", "status", "attempts", "next_attempt_at",
                    "short_error")
    list_filter = ("status", "handler")
    search_fields = ("=event__id", "handler", "event__type")
    list_select_related = ("event",)
    fields = ("event", "handler", "status", "attempts", "next_attempt_at", "last_error",
              "created_at", "done_at", "lease_until")
    readonly_fields = fields
    inlines = (DeliveryAttemptInline,)
    list_per_page = 50
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("retry_now",)
    change_form_template = "admin/core/eventdelivery/change_form.html"

    @admin.display(description="Last error")
    def short_error(self, obj: EventDelivery) -> str:
        return obj.last_error[:120]

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return may_redeliver(request)

    @admin.action(description="Retry now", permissions=["redeliver"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[EventDelivery]) -> None:
        retried = 0
        for delivery_id in queryset.values_list("pk", flat=True):
            try:
                retry_delivery(delivery_id=delivery_id, by=staff_actor(request))
            except Problem as problem:
                self.message_user(request, problem.detail, messages.WARNING)
            else:
                retried += 1
        self.message_user(request, f"{retried} delivery(ies) due now.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        retry = path("<path:object_id>/retry/",
                     self.admin_site.admin_view(require_POST(self.retry_view)),
                     name="core_eventdelivery_retry")
        return [retry, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        delivery = self.get_object(request, object_id)
        retryable = delivery is not None and delivery.status != EventDelivery.Status.DONE
        buttons = [Button("retry", "Retry now")] if retryable and may_redeliver(request) else []
        context = {**(extra_context or {}), "delivery_actions": action_buttons(
            buttons, lambda name: reverse("admin:core_eventdelivery_retry", args=[object_id]))}
        return super().change_view(request, object_id, form_url, context)

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_redeliver(request):
            raise PermissionDenied
        delivery = get_object_or_404(EventDelivery, pk=object_id)
        run_and_report(self, request,
                       lambda: retry_delivery(delivery_id=delivery.pk, by=staff_actor(request)),
                       "Delivery due now.")
        return HttpResponseRedirect(reverse("admin:core_eventdelivery_change", args=[delivery.pk]))
