"""Back office, Integrations: webhook subscriptions (the secret shown once when made or rotated,
why the shop switched one off, replay since a time) and each message with its delivery log
(every attempt's request and response), sent again on demand."""

import json
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from mercato.core.admin import ProblemsAsMessages, ViewOnlyAdmin, action_buttons, staff_actor
from mercato.core.outbox.admin import Button
from mercato.core.problems import Problem
from mercato.integrations import selectors
from mercato.integrations.models import WebhookMessage, WebhookSubscription
from mercato.integrations.rules import EVENT_TYPES
from mercato.integrations.services import delivery, subscriptions
from mercato.integrations.services.urls import check_url

CHANGE = "integrations.change_webhooksubscription"
RECENT_MESSAGES = 20


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label="Events", choices=[(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ("url", "event_types", "description", "is_active")
        field_classes = {"url": partial(forms.URLField, assume_scheme="https")}

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except Problem as problem:
            raise ValidationError(problem.detail) from None
        return url


class ReplayForm(forms.Form):
    since = forms.DateTimeField(label="Send every event since",
                                help_text="e.g. 2026-11-01 00:00")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ProblemsAsMessages, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("__str__", "url", "events", "is_active", "disabled_reason", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    readonly_fields = ("public_id", "disabled_reason", "disabled_at",
                       "previous_secret_expires_at", "created_at", "recent_messages")
    change_form_template = "admin/integrations/webhooksubscription/change_form.html"

    @admin.display(description="Events")
    def events(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.event_types)

    def get_fieldsets(self, request, obj=None):
        main = ("url", "event_types", "description", "is_active")
        if obj is None:
            return [(None, {"fields": main})]
        return [(None, {"fields": ("public_id", *main)}),
                ("State", {"fields": ("disabled_reason", "disabled_at",
                                      "previous_secret_expires_at", "created_at")}),
                ("Messages", {"fields": ("recent_messages",)})]

    @admin.display(description=f"The newest {RECENT_MESSAGES}")
    def recent_messages(self, obj: WebhookSubscription) -> str:
        rows = format_html_join("", "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td>"
                                "<td>{}</td></tr>", (
            (reverse("admin:integrations_webhookmessage_change", args=[m.pk]), m.public_id,
             m.event_type, m.get_status_display(), f"{m.created_at:%Y-%m-%d %H:%M:%S}")
            for m in selectors.messages(obj, limit=RECENT_MESSAGES)))
        every = (reverse("admin:integrations_webhookmessage_changelist")
                 + f"?subscription__id__exact={obj.pk}")
        return format_html('<table class="webhook-messages">{}</table><a href="{}">Every '
                           "message to it, with filters</a>", rows, every)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        by = staff_actor(request)
        if change:
            subscriptions.update_subscription(
                public_id=obj.public_id, url=data["url"], event_types=data["event_types"],
                description=data["description"], is_active=data["is_active"], by=by)
            return
        made = subscriptions.create_subscription(
            url=data["url"], event_types=data["event_types"], description=data["description"],
            is_active=data["is_active"], by=by)
        for name in ("pk", "public_id", "secret", "event_types", "created_at"):
            setattr(obj, name, getattr(made.subscription, name))  # the admin's object is saved
        obj._state.adding = False
        self.message_user(request, format_html(
            "Signing secret: <code class=\"webhook-secret\">{}</code> — copy it now to the "
            "receiver; it is not shown again.", made.secret), messages.WARNING)

    def delete_model(self, request, obj) -> None:
        subscriptions.delete_subscription(public_id=obj.public_id, by=staff_actor(request))

    def get_urls(self) -> list[URLPattern]:
        rotate = path("<path:object_id>/rotate-secret/",
                      self.admin_site.admin_view(require_POST(self.rotate_view)),
                      name="integrations_webhooksubscription_rotate")
        replay = path("<path:object_id>/replay/",
                      self.admin_site.admin_view(require_POST(self.replay_view)),
                      name="integrations_webhooksubscription_replay")
        return [rotate, replay, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        may = request.user.has_perm(CHANGE)
        buttons = [Button("rotate", "Rotate the signing secret")] if may else []
        context = {**(extra_context or {}), "may_change": may, "replay_form": ReplayForm(),
                   "subscription_actions": action_buttons(buttons, lambda name: reverse(
                       "admin:integrations_webhooksubscription_rotate", args=[object_id]))}
        return super().change_view(request, object_id, form_url, context)

    def _back(self, subscription: WebhookSubscription) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:integrations_webhooksubscription_change",
                                            args=[subscription.pk]))

    def rotate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        subscription = get_object_or_404(WebhookSubscription, pk=object_id)
        made = subscriptions.rotate_secret(public_id=subscription.public_id,
                                           by=staff_actor(request))
        self.message_user(request, format_html(
            "New signing secret: <code class=\"webhook-secret\">{}</code> — copy it now; the "
            "previous one signs too until {} UTC.", made.secret,
            f"{made.subscription.previous_secret_expires_at:%Y-%m-%d %H:%M}"), messages.WARNING)
        return self._back(subscription)

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        subscription = get_object_or_404(WebhookSubscription, pk=object_id)
        form = ReplayForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Enter the time to replay from, e.g. 2026-11-01 00:00.",
                              messages.ERROR)
            return self._back(subscription)
        try:
            events = subscriptions.request_replay(public_id=subscription.public_id,
                                                  since=form.cleaned_data["since"],
                                                  by=staff_actor(request))
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
        else:
            self.message_user(request, f"Replay asked: the worker sends {events} event(s); "
                                       "watch the messages below.", messages.SUCCESS)
        return self._back(subscription)


@admin.register(WebhookMessage)
class WebhookMessageAdmin(ViewOnlyAdmin):
    """One event sent to one subscription: its body and every attempt (the delivery log)."""

    list_display = ("public_id", "event_type", "subscription", "status", "created_at",
                    "delivered_at")
    list_filter = ("status", "event_type", "subscription")
    search_fields = ("=public_id",)
    list_select_related = ("subscription",)
    fields = ("public_id", "subscription", "event_type", "status", "created_at",
              "delivered_at", "last_status_code", "body_json", "delivery_log")
    readonly_fields = fields
    ordering = ("-id",)
    show_full_result_count = False
    change_form_template = "admin/integrations/webhookmessage/change_form.html"

    @admin.display(description="Body")
    def body_json(self, obj: WebhookMessage) -> str:
        return format_html("<pre>{}</pre>", json.dumps(json.loads(obj.body), indent=2))

    @admin.display(description="Delivery log")
    def delivery_log(self, obj: WebhookMessage) -> str:
        attempts = selectors.attempts_of([obj.public_id]).get(obj.public_id, [])
        if not attempts:
            return "No attempt yet."
        rows = format_html_join("", "<tr><td>{}</td><td>{} ms</td><td>{}</td><td>{}</td><td>{}</td>"
                                "<td><pre>{}</pre></td></tr>", (
            (f"{a.started_at:%Y-%m-%d %H:%M:%S}", a.duration_ms, a.get_outcome_display(),
             a.status_code or "—", a.error[:300], json.dumps(a.exchange, indent=2))
            for a in attempts))
        return format_html(
            '<table class="webhook-attempts"><tr><th>Started</th><th>Took</th><th>Outcome</th>'
            "<th>Status</th><th>Error</th><th>Request and response</th></tr>{}</table>", rows)

    def get_urls(self) -> list[URLPattern]:
        again = path("<path:object_id>/send-again/",
                     self.admin_site.admin_view(require_POST(self.send_again_view)),
                     name="integrations_webhookmessage_send_again")
        return [again, *super().get_urls()]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("integrations.view_webhooksubscription")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        buttons = ([Button("send_again", "Send again")] if request.user.has_perm(CHANGE)
                   else [])
        context = {**(extra_context or {}), "message_actions": action_buttons(
            buttons, lambda name: reverse("admin:integrations_webhookmessage_send_again",
                                          args=[object_id]))}
        return super().change_view(request, object_id, form_url, context)

    def send_again_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        message = get_object_or_404(WebhookMessage, pk=object_id)
        try:
            delivery.send_again(message_public_id=message.public_id, by=staff_actor(request))
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
        else:
            self.message_user(request, "Queued: it is sent again under the same webhook-id.",
                              messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:integrations_webhookmessage_change",
                                            args=[message.pk]))
