"""Shipment buttons of the back office (order and shipment pages): who may press which, and
running them through the orders services."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from mercato.core.admin import action_buttons, staff_actor
from mercato.core.events import Actor
from mercato.core.problems import Problem
from mercato.customers.models import User
from mercato.orders import services
from mercato.orders.models import Order, Shipment
from mercato.orders.states import shipment_moves_allowed

CHANGE_ORDER = "orders.change_order"  # moves an order or its money
CHANGE_SHIPMENT = "orders.change_shipment"  # warehouse moves of a shipment


@dataclass(frozen=True)
class ShipmentAction:
    """A button of a shipment: the permissions that allow it (any one) and its service."""

    name: str
    label: str
    permissions: tuple[str, ...]
    asks_reason: bool
    run: Callable[[Shipment, Actor, str], str]
    needs_reason: bool = False  # a shipment's reason is always optional


def _release_shipment(shipment: Shipment, by: Actor, reason: str) -> str:
    services.release_shipment(public_id=shipment.public_id, by=by)
    return f"Shipment {shipment.number} is released for shipping."


def _hold_shipment(shipment: Shipment, by: Actor, reason: str) -> str:
    services.hold_shipment(public_id=shipment.public_id, by=by, reason=reason)
    return f"Shipment {shipment.number} is on hold."


def _release_shipment_hold(shipment: Shipment, by: Actor, reason: str) -> str:
    services.release_shipment_hold(public_id=shipment.public_id, by=by)
    return f"Shipment {shipment.number} is released from hold."


def _cancel_shipment(shipment: Shipment, by: Actor, reason: str) -> str:
    services.cancel_shipment(public_id=shipment.public_id, by=by, reason=reason)
    return f"Shipment {shipment.number} is cancelled."


SHIPMENT_ACTIONS = {
    action.name: action for action in (
        # The warehouse and customer service both release and hold parcels.
        ShipmentAction("release", "Release for shipping", (CHANGE_SHIPMENT, CHANGE_ORDER),
                       asks_reason=False, run=_release_shipment),
        ShipmentAction("hold", "Hold shipment", (CHANGE_SHIPMENT, CHANGE_ORDER),
                       asks_reason=True, run=_hold_shipment),
        ShipmentAction("release_hold", "Release shipment hold", (CHANGE_SHIPMENT, CHANGE_ORDER),
                       asks_reason=False, run=_release_shipment_hold),
        # Cancelling may cancel the order and void or refund its payments: not warehouse work.
        ShipmentAction("cancel", "Cancel shipment", (CHANGE_ORDER,), asks_reason=True,
                       run=_cancel_shipment),
    )
}


def offered_shipment_actions(shipment: Shipment, user: User) -> list[ShipmentAction]:
    """The buttons the shipment's status allows (not releasing it while its order is on hold
    or cancelled: the service refuses that) and the user's role permits."""
    names = shipment_moves_allowed(shipment_status=shipment.status,
                                   order_status=shipment.order.status)
    return [action for name, action in SHIPMENT_ACTIONS.items()
            if name in names and may(user, action)]


def may(user: User, action: ShipmentAction) -> bool:
    return any(user.has_perm(permission) for permission in action.permissions)


def run_shipment_action(request: HttpRequest, shipment: Shipment, name: str) -> None:
    """Run one shipment button as the staff member; a refusal becomes the message."""
    action = SHIPMENT_ACTIONS.get(name)
    if action is None:
        messages.error(request, f"Unknown action “{name}”.")
        return
    if not may(request.user, action):
        raise PermissionDenied
    try:
        text = action.run(shipment, staff_actor(request), request.POST.get("reason", "").strip())
    except Problem as problem:
        messages.error(request, problem.detail)
    else:
        messages.success(request, text)


def packing_slip_url(shipment: Shipment, site_name: str) -> str | None:
    """The packing slip PDF (served by the Shipping/Receiving pages, when installed)."""
    try:
        return reverse(f"{site_name}:orders_shipment_packing_slip", args=[shipment.pk])
    except NoReverseMatch:
        return None


def shipment_rows(request: HttpRequest, order: Order, site_name: str) -> list[dict]:
    can_view = request.user.has_perm("orders.view_shipment")
    has_pages = can_view and _registered(site_name, "orders_shipment_change")
    rows = []
    for shipment in order.shipments.all():
        actions = offered_shipment_actions(shipment, request.user)
        rows.append({
            "shipment": shipment,
            "page_url": (reverse(f"{site_name}:orders_shipment_change", args=[shipment.pk])
                         if has_pages else None),
            "packing_slip_url": packing_slip_url(shipment, site_name) if can_view else None,
            "actions": action_buttons(actions, lambda name, pk=shipment.pk: reverse(
                f"{site_name}:orders_order_shipment_act", args=[order.pk, pk, name])),
        })
    return rows


def _registered(site_name: str, url_name: str) -> bool:
    try:
        reverse(f"{site_name}:{url_name}", args=[0])
    except NoReverseMatch:
        return False
    return True


# --- what the page shows below the inlines ------------------------------------------------------
