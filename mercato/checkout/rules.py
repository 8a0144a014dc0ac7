"""Pure rules of checkout: what the shopper asked for, how lines split into shipments, how the
total splits over tenders, and the request fingerprint behind Idempotency-Key."""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from mercato.checkout.errors import InvalidPayments, InvalidShipments
from mercato.pricing.rules import Address

# Tenders that cannot carry "the rest" of a split: a gift card pays what its amount says.
GIFT_CARD = "gift_card"
CASH_ON_DELIVERY = "cash_on_delivery"


@dataclass(frozen=True)
class AddressChoice:
    """A saved address of the customer (its public id) or one typed in (its fields)."""

    address_id: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ShipmentChoice:
    address: AddressChoice
    delivery_method: str
    # (sku, quantity); empty: whatever the other shipments leave of every line.
    lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PaymentChoice:
    method: str  # card, paypal, cash_on_delivery, gift_card
    token: str = ""  # card token, PayPal approval token, or the gift card code
    amount: Decimal | None = None  # None: the rest of the total


@dataclass(frozen=True)
class CheckoutRequest:
    email: str
    billing_address: AddressChoice
    shipments: tuple[ShipmentChoice, ...]
    payments: tuple[PaymentChoice, ...] = ()
    expected_total: Decimal | None = None  # what the shopper saw on the review page
    save_addresses: bool = False


def fingerprint(request: CheckoutRequest, *, cart_token: str) -> str:
    """The same request for the same cart gives the same digest, whatever the key order."""
    body = asdict(request) | {"cart": cart_token}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def split_lines(cart_lines: Sequence[tuple[str, int]],
                shipments: Sequence[ShipmentChoice]) -> list[tuple[tuple[int, int], ...]]:
    """For each shipment, (index into cart_lines, quantity): every unit of every line goes in
    exactly one shipment. A shipment listing no lines takes what the others leave."""
    index_of = {sku: index for index, (sku, _) in enumerate(cart_lines)}
    left = [quantity for _, quantity in cart_lines]
    errors: dict[str, list[str]] = {}
    plans: list[list[tuple[int, int]]] = []
    for number, shipment in enumerate(shipments):
        plan = []
        for sku, quantity in shipment.lines:
            where = f"shipments.{number}.lines"
            if sku not in index_of:
                errors.setdefault(where, []).append(f"{sku} is not in the cart.")
            elif quantity <= 0:
                errors.setdefault(where, []).append(f"{sku}: the quantity must be positive.")
            else:
                left[index_of[sku]] -= quantity
                plan.append((index_of[sku], quantity))
        plans.append(plan)
    open_ones = [n for n, shipment in enumerate(shipments) if not shipment.lines]
    if len(open_ones) > 1:
        errors["shipments"] = ["Only one shipment may leave out its lines (it takes the rest)."]
    if any(quantity < 0 for quantity in left):
        over = [cart_lines[i][0] for i, quantity in enumerate(left) if quantity < 0]
        errors["shipments"] = [f"More units than the cart holds are sent of {', '.join(over)}."]
    if errors:
        raise InvalidShipments("The shipments do not match the cart.", errors=errors)
    if open_ones:
        plans[open_ones[0]] = [(i, quantity) for i, quantity in enumerate(left) if quantity > 0]
    elif any(left):
        missing = [cart_lines[i][0] for i, quantity in enumerate(left) if quantity > 0]
        raise InvalidShipments("Some units are in no shipment.",
                               errors={"shipments": [f"Not sent: {', '.join(missing)}."]})
    return [_merged(plan) for plan in plans]


def _merged(plan: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    quantities: dict[int, int] = {}
    for index, quantity in plan:
        quantities[index] = quantities.get(index, 0) + quantity
    if not quantities:
        raise InvalidShipments("A shipment sends nothing.",
                               errors={"shipments": ["Every shipment must send something."]})
    return tuple(sorted(quantities.items()))


def tax_destination(addresses: Sequence[Mapping[str, str]]) -> Address:
    """The one tax jurisdiction of an order's shipments (country and region)."""
    places = {(a["country"].upper(), a.get("country_area", "").strip().upper())
              for a in addresses}
    if len(places) > 1:
        raise InvalidShipments(
            "All shipments of one order must go to the same country (and state or province): "
            "tax is charged by destination. Place a separate order for another country.",
            errors={"shipments": ["Shipments go to different tax destinations."]})
    country, region = places.pop()
    return Address(country=country, region=region)


def payment_amounts(payments: Sequence[PaymentChoice], total: Decimal) -> list[Decimal]:
    """What each tender pays: stated amounts, and at most one tender without an amount takes
    the rest. Together exactly the total, each more than zero."""
    if not payments:
        raise InvalidPayments("Choose how to pay.", errors={"payments": ["Choose how to pay."]})
    open_ones = [n for n, payment in enumerate(payments) if payment.amount is None]
    errors: dict[str, list[str]] = {}
    if len(open_ones) > 1:
        errors["payments"] = ["Only one payment may leave out its amount (it pays the rest)."]
    for number, payment in enumerate(payments):
        if payment.amount is None and payment.method == GIFT_CARD:
            errors[f"payments.{number}.amount"] = ["Say how much the gift card pays."]
        if payment.amount is not None and payment.amount <= 0:
            errors[f"payments.{number}.amount"] = ["The amount must be more than zero."]
    if sum(1 for p in payments if p.method == CASH_ON_DELIVERY) > 1:
        errors["payments"] = ["Cash on delivery can be chosen once."]
    if errors:
        raise InvalidPayments("The payments are not valid.", errors=errors)
    stated = sum((p.amount for p in payments if p.amount is not None), Decimal(0))
    amounts = [p.amount if p.amount is not None else total - stated for p in payments]
    if sum(amounts, Decimal(0)) != total or any(amount <= 0 for amount in amounts):
        raise InvalidPayments(
            f"The payments must add up to the total of {total}; they add up to "
            f"{sum(amounts, Decimal(0))}.", errors={"payments": ["Amounts do not match."]})
    return amounts
