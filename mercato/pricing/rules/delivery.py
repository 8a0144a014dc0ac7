"""Delivery: which methods are offered for an address and a cart, and at what fee.

A method is offered when one of its rates in the quote's currency covers the address's zone,
the cart's weight and the order value, and no line is in one of its excluded categories (or
below one). Weight and value bands are half-open (min <= value < max) so adjacent bands do not
overlap. The order value is the goods subtotal after discounts, in the price mode (gross in a
tax-inclusive shop, net otherwise). Several matching rates: the cheapest wins. From a rate's
free_over value on, the fee is zero.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from mercato.core.money import Money, zero
from mercato.pricing.rules.types import (
    Address,
    DeliveryMethodRule,
    DeliveryOption,
    DeliveryRateRule,
    DeliveryZoneRule,
    PricingLine,
)


@dataclass(frozen=True)
class Shipment:
    """What delivery rates are chosen by."""

    address: Address
    weight_grams: int
    order_value: Money
    category_ids: frozenset[int]


def shipment_of(*, address: Address, lines: Sequence[PricingLine], order_value: Money) -> Shipment:
    return Shipment(
        address=address,
        weight_grams=sum(line.weight_grams * line.quantity for line in lines),
        order_value=order_value,
        category_ids=frozenset().union(*(line.category_ids for line in lines)),
    )


def zone_covers(zone: DeliveryZoneRule, address: Address) -> bool:
    if address.country.upper() not in zone.countries:
        return False
    return not zone.regions or address.region.strip().upper() in zone.regions


def _in_band(value: object, low: object, high: object) -> bool:
    return (low is None or low <= value) and (high is None or value < high)


def rate_matches(rate: DeliveryRateRule, shipment: Shipment) -> bool:
    currency = shipment.order_value.currency
    return (
        rate.price.currency == currency
        and zone_covers(rate.zone, shipment.address)
        and _in_band(shipment.weight_grams, rate.min_weight_grams, rate.max_weight_grams)
        and _in_band(shipment.order_value, rate.min_order_value, rate.max_order_value)
    )


def fee_of(rate: DeliveryRateRule, order_value: Money) -> Money:
    if rate.free_over is not None and order_value >= rate.free_over:
        return zero(order_value.currency.code)
    return rate.price


def method_fee(method: DeliveryMethodRule, shipment: Shipment) -> Money | None:
    """The fee of the method for this shipment, or None when the method is not offered."""
    if method.excluded_category_ids & shipment.category_ids:
        return None
    fees = [fee_of(rate, shipment.order_value)
            for rate in method.rates if rate_matches(rate, shipment)]
    return min(fees, key=lambda fee: fee.amount) if fees else None


def offered_methods(methods: Sequence[DeliveryMethodRule],
                    shipment: Shipment) -> list[tuple[DeliveryMethodRule, Money]]:
    """(method, fee) for every method offered, in the configured order."""
    offered = []
    for method in methods:
        fee = method_fee(method, shipment)
        if fee is not None:
            offered.append((method, fee))
    return offered


def delivery_option(method: DeliveryMethodRule, fee: Money) -> DeliveryOption:
    return DeliveryOption(
        method_id=method.id, code=method.code, name=method.name, description=method.description,
        fee=fee, estimated_days_min=method.estimated_days_min,
        estimated_days_max=method.estimated_days_max,
    )
