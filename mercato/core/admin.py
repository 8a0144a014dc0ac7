"""The small pieces every app's admin shares: money display, the staff actor, the action
buttons of the order, shipment and return pages (with admin/mercato/action_form.html), and
turning a domain error raised during a save into a message. The System section's event log
and outbox pages are in mercato/core/outbox/admin.py.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Protocol

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from moneyed.l10n import format_money

from mercato.core.events import Actor
from mercato.core.money import round_money, to_money
from mercato.core.problems import Problem

ADMIN_LOCALE = "en_US"


def money_display(amount: Decimal | None, currency: str) -> str:
    """An amount as staff read it ("€19.90"), rounded to the currency's minor unit."""
    return format_money(round_money(to_money(amount or 0, currency)), locale=ADMIN_LOCALE)


def staff_actor(request: HttpRequest) -> Actor:
    """Who is acting when a service is called from the back office."""
    return Actor("staff", request.user.get_username())


class PageAction(Protocol):
    """What a page's button needs to be drawn (OrderAction, ShipmentAction, ReturnAction)."""

    name: str
    label: str
    asks_reason: bool
    needs_reason: bool


def action_buttons(actions: Iterable[PageAction], url_of: Callable[[str], str]) -> list[dict]:
    """The context of a page's buttons: each action with the URL its own form posts to (drawn
    by admin/mercato/action_form.html, outside the change form)."""
    return [{"action": action, "url": url_of(action.name)} for action in actions]


class AmountBandFilter(admin.SimpleListFilter):
    """An amount in its row's own currency, in three bands; subclasses name the `field`."""

    field = "amount"
    bands = {"lt50": ("lt", "< 50"), "50-200": ("range", "50-200"), "gt200": ("gt", "> 200")}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(key, label) for key, (_, label) in self.bands.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        lookup = {"lt50": {f"{self.field}__lt": 50},
                  "50-200": {f"{self.field}__gte": 50, f"{self.field}__lte": 200},
                  "gt200": {f"{self.field}__gt": 200}}.get(self.value() or "")
        return queryset.filter(**lookup) if lookup else queryset


class ViewOnlyAdmin(admin.ModelAdmin):
    """Shown, never edited here: its rows change only through services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProblemsAsMessages:
    """Mixin for a ModelAdmin whose saves call services: a domain error raised while saving
    (after the forms validated, e.g. a concurrent change) rolls the whole save back and comes
    back to the same page with the error as a message instead of a server error."""

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# The outbox's pages (events, deliveries, attempts; retry and replay) register themselves.
from mercato.core.outbox import admin as outbox_admin  # noqa: E402, F401
