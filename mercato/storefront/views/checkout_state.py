"""What the checkout steps remember between pages: kept in the session (JSON), turned into the
checkout app's CheckoutRequest when a step prices or places the order. The cart stays the cart."""

import uuid
from decimal import Decimal
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from mercato.checkout.rules import AddressChoice, CheckoutRequest, PaymentChoice, ShipmentChoice

KEY = "checkout"
PLACED = "checkout_placed"  # idempotency key -> order number, for a second "Place order"
ORDERS = "checkout_orders"  # order number -> email: the confirmations this session may see
KEEP_ORDERS = 10


def state(session: SessionBase) -> dict[str, Any]:
    return dict(session.get(KEY) or {})


def save(session: SessionBase, **changes: Any) -> dict[str, Any]:
    current = state(session) | changes
    session[KEY] = current
    return current


def address_choice(stored: dict[str, Any] | None) -> AddressChoice:
    stored = stored or {}
    if stored.get("address_id"):
        return AddressChoice(address_id=stored["address_id"])
    return AddressChoice(fields=dict(stored.get("fields") or {}))


def shipment_choices(current: dict[str, Any]) -> tuple[ShipmentChoice, ...]:
    return tuple(
        ShipmentChoice(address=address_choice(shipment.get("address")),
                       delivery_method=shipment.get("method") or "",
                       lines=tuple((sku, int(quantity)) for sku, quantity in shipment["lines"]))
        for shipment in current.get("shipments") or [])


def payment_choices(current: dict[str, Any]) -> tuple[PaymentChoice, ...]:
    return tuple(
        PaymentChoice(method=payment["method"], token=payment.get("token", ""),
                      amount=None if payment.get("amount") is None
                      else Decimal(payment["amount"]))
        for payment in current.get("payments") or [])


def checkout_request(current: dict[str, Any], *,
                     expected_total: Decimal | None = None) -> CheckoutRequest:
    """The session's choices as the checkout app's request; the billing address is the one
    chosen for it, or (none chosen: "same as shipping") the first shipment's."""
    shipments = shipment_choices(current)
    if current.get("billing_address"):
        billing = address_choice(current["billing_address"])
    else:
        billing = shipments[0].address if shipments else AddressChoice()
    return CheckoutRequest(
        email=current.get("email", ""), billing_address=billing, shipments=shipments,
        payments=payment_choices(current), expected_total=expected_total,
        save_addresses=bool(current.get("save_address")))


def key_for(session: SessionBase, digest: str) -> str:
    """The Idempotency-Key of this exact request: the same one again (a retry after 3-D
    Secure or a double submit), a new one when the request changed."""
    current = state(session)
    if current.get("key") and current.get("key_digest") == digest:
        return current["key"]
    key = str(uuid.uuid4())
    save(session, key=key, key_digest=digest)
    return key


def forget_key(session: SessionBase) -> None:
    save(session, key="", key_digest="")


def remember_order(session: SessionBase, *, key: str, number: str, email: str) -> None:
    """The order is placed: the steps start afresh, the confirmation stays viewable."""
    orders = dict(session.get(ORDERS) or {})
    orders[number] = email
    session[ORDERS] = dict(list(orders.items())[-KEEP_ORDERS:])
    placed = dict(session.get(PLACED) or {})
    placed[key] = number
    session[PLACED] = dict(list(placed.items())[-KEEP_ORDERS:])
    session.pop(KEY, None)


def placed_order(session: SessionBase, key: str) -> str | None:
    return (session.get(PLACED) or {}).get(key)


def order_email(session: SessionBase, number: str) -> str | None:
    return (session.get(ORDERS) or {}).get(number)
