"""Split shipments: one quote, a delivery fee per shipment chosen on that shipment's goods."""

from dataclasses import replace

import pytest

from mercato.pricing.rules import ShipmentRequest, price_quote
from tests.pricing.builders import (
    GERMANY,
    config,
    free_delivery,
    line,
    method,
    money,
    percent_off,
    rate,
    request,
)

STANDARD = method("standard", rate("4.90", free_over="50.00"))
EXPRESS = method("express", rate("9.90"), id=2)
METHODS = {"delivery_methods": (STANDARD, EXPRESS)}


def split(*shipments: tuple[str, tuple[tuple[int, int], ...]]) -> tuple[ShipmentRequest, ...]:
    return tuple(ShipmentRequest(GERMANY, code, quantities) for code, quantities in shipments)


def quote_split(*lines, shipments, promotions=()):
    base = request(*lines, address=GERMANY)
    return price_quote(replace(base, shipments=shipments),
                       config(promotions=promotions, **METHODS))


def test_each_shipment_pays_its_own_fee_and_the_total_adds_them():
    result = quote_split(line(price="30.00", quantity=2), line("B", price="5.00"),
                         shipments=split(("standard", ((0, 1),)),
                                         ("express", ((0, 1), (1, 1)))))

    fees = [d.amount for d in result.shipment_deliveries]
    assert fees == [money("4.90"), money("9.90")]
    assert result.deliveries == result.shipment_deliveries
    assert result.delivery is None
    assert result.total == money("65.00") + money("4.90") + money("9.90")
    assert result.net_total + result.tax_total == result.total


def test_the_free_over_threshold_looks_at_the_shipments_own_value():
    # 60.00 of goods in one shipment: free; 2 x 30 split over two shipments: each pays.
    together = quote_split(line(price="30.00", quantity=2),
                           shipments=split(("standard", ((0, 2),))))
    apart = quote_split(line(price="30.00", quantity=2),
                        shipments=split(("standard", ((0, 1),)), ("standard", ((0, 1),))))

    assert together.shipment_deliveries[0].amount == money("0.00")
    assert [d.amount for d in apart.shipment_deliveries] == [money("4.90"), money("4.90")]


def test_discounted_value_decides_the_threshold():
    result = quote_split(line(price="30.00", quantity=2),
                         shipments=split(("standard", ((0, 2),))),
                         promotions=(percent_off(50),))

    assert result.shipment_deliveries[0].amount == money("4.90")  # 30.00 after the discount


def test_a_free_delivery_promotion_waives_every_shipment_and_reports_the_sum():
    result = quote_split(line(price="10.00", quantity=2),
                         shipments=split(("standard", ((0, 1),)), ("express", ((0, 1),))),
                         promotions=(free_delivery(id=7),))

    assert [d.amount for d in result.deliveries] == [money("0.00"), money("0.00")]
    assert [(d.promotion_id, d.amount) for d in result.discounts] == [(7, money("14.80"))]


def test_a_method_not_offered_for_a_shipment_is_a_message_naming_it():
    result = quote_split(line(price="10.00", quantity=2),
                         shipments=split(("standard", ((0, 1),)), ("drone", ((0, 1),))))

    assert result.shipment_deliveries[1] is None
    assert any("shipment 2" in message.text for message in result.messages)


def test_shipments_must_send_each_line_exactly():
    with pytest.raises(ValueError, match="exactly"):
        quote_split(line(price="10.00", quantity=2), shipments=split(("standard", ((0, 1),))))
