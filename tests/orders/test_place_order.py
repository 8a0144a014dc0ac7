from decimal import Decimal

import pytest
from django.db import transaction

from mercato.core.models import Event
from mercato.core.problems import InvalidInput
from mercato.orders.models import Order, OrderNumberSequence
from mercato.orders.services import place_order
from mercato.orders.states import OrderStatus
from tests.orders.builders import ADDRESS, SHOPPER, make_quote, place


@pytest.mark.django_db
def test_orders_take_sequential_unique_numbers():
    quote = make_quote()

    numbers = [place(quote).number for _ in range(3)]

    assert numbers == ["MRC-100001", "MRC-100002", "MRC-100003"]
    assert OrderNumberSequence.objects.get().next_value == 100004


@pytest.mark.django_db
def test_an_order_rolled_back_by_the_outer_transaction_gives_its_number_back():
    quote = make_quote()

    with pytest.raises(RuntimeError), transaction.atomic():
        place(quote)
        raise RuntimeError("payment failed")

    assert Order.objects.count() == 0
    assert place(quote).number == "MRC-100001"


@pytest.mark.django_db
def test_the_order_snapshots_the_quote():
    quote = make_quote()
    assert quote.discounts and quote.delivery is not None

    order = place(quote, email=" ada@example.com ")

    assert order.status == OrderStatus.IN_PROGRESS
    assert order.email == "ada@example.com"
    assert (order.currency, order.prices_include_tax) == ("EUR", quote.prices_include_tax)
    assert order.subtotal == quote.subtotal.amount
    assert order.discount_total == quote.discount_total.amount
    assert order.delivery_total == quote.delivery.amount.amount
    assert order.tax_total == quote.tax_total.amount
    assert order.total == quote.total.amount
    assert order.delivery_method_code == quote.delivery.code
    lines = list(order.lines.all())
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.discount_amount, ln.net, ln.tax_rate, ln.tax,
             ln.gross) for ln in lines] == [
        (q.sku, q.quantity, q.unit_price.amount, q.discount_total.amount, q.net.amount,
         q.tax_rate, q.tax.amount, q.gross.amount) for q in quote.lines]
    assert [(ln.product_title, ln.variant_name) for ln in lines] == [("Shirt", "Red / M"),
                                                                       ("Mug", "")]
    assert [(d.name, d.amount, d.promotion_id) for d in order.discounts.all()] == [
        (d.name, d.amount.amount, d.promotion_id) for d in quote.discounts]


@pytest.mark.django_db
def test_the_order_snapshots_both_addresses():
    order = place(make_quote())

    addresses = {a.kind: a for a in order.addresses.all()}

    assert addresses["shipping"].city == "BERLIN"
    assert addresses["billing"].city == "Potsdam"
    assert addresses["shipping"].country == "DE"


@pytest.mark.django_db
def test_placing_an_order_records_order_placed():
    order = place(make_quote())

    events = list(Event.objects.filter(aggregate_type="order").order_by("id"))
    assert [e.type for e in events] == ["OrderPlaced", "ShipmentCreated"]
    event = events[0]

    assert (event.type, event.aggregate_id, event.actor) == (
        "OrderPlaced", order.public_id, "customer:ada@example.com")
    assert event.payload["number"] == order.number
    assert Decimal(event.payload["total"]) == order.total


@pytest.mark.django_db
def test_a_line_keeps_its_snapshot_when_the_variant_is_deleted():
    order = place(make_quote())
    line = order.lines.first()

    line.variant.delete()
    line.refresh_from_db()

    assert (line.variant_id, line.product_title) == (None, "Shirt")


@pytest.mark.django_db
def test_an_address_missing_required_fields_places_nothing():
    quote = make_quote()

    with pytest.raises(InvalidInput) as raised:
        place_order(quote=quote, customer_id=None, email="ada@example.com",
                    shipping_address=ADDRESS | {"street_address_1": "", "colour": "red"},
                    billing_address=ADDRESS, by=SHOPPER)

    assert set(raised.value.errors) == {"shipping_address.street_address_1",
                                        "shipping_address.colour"}
    assert Order.objects.count() == 0
    assert not Event.objects.filter(aggregate_type="order").exists()
