import pytest

from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.orders.errors import OrderNotFound
from mercato.orders.selectors import (
    order_detail,
    order_for_guest,
    order_history,
    orders_for_customer,
)
from mercato.orders.services import cancel_order, hold_order
from mercato.payments.services import create_payment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place

STAFF = Actor("staff", "boss@example.com")


@pytest.mark.django_db
def test_order_detail_reads_lines_addresses_discounts_shipments_and_payments_in_8_queries(
        django_assert_num_queries):
    order = place(make_quote())
    create_payment(reference=order.number, method="cash_on_delivery",
                   amount=Money(order.total, order.currency))

    with django_assert_num_queries(8):
        found = order_detail(public_id=order.public_id)
        assert len(found.lines.all()) == 2
        assert len(found.addresses.all()) == 2
        assert len(found.discounts.all()) == 1
        assert [len(s.lines.all()) for s in found.shipments.all()] == [2]
        assert [s.lines.all()[0].order_line.sku for s in found.shipments.all()] == [
            found.lines.all()[0].sku]
        assert [len(p.transactions.all()) for p in found.payments] == [0]


@pytest.mark.django_db
def test_a_customer_sees_their_own_order():
    customer = UserFactory()
    order = place(make_quote(), customer_id=customer.pk)

    assert order_detail(public_id=order.public_id, customer_id=customer.pk) == order


@pytest.mark.django_db
def test_another_customers_order_is_not_found():
    owner, other = UserFactory(), UserFactory()
    order = place(make_quote(), customer_id=owner.pk)

    with pytest.raises(OrderNotFound):
        order_detail(public_id=order.public_id, customer_id=other.pk)


@pytest.mark.django_db
def test_an_unknown_public_id_is_not_found():
    with pytest.raises(OrderNotFound):
        order_detail(public_id="unknown")


@pytest.mark.django_db
def test_orders_for_customer_lists_only_theirs_newest_first(django_assert_num_queries):
    customer = UserFactory()
    quote = make_quote()
    first = place(quote, customer_id=customer.pk)
    second = place(quote, customer_id=customer.pk)
    place(quote, customer_id=UserFactory().pk)
    place(quote)

    with django_assert_num_queries(2):
        orders = list(orders_for_customer(customer_id=customer.pk))
        assert [len(o.lines.all()) for o in orders] == [2, 2]

    assert orders == [second, first]


@pytest.mark.django_db
def test_a_guest_finds_their_order_by_number_and_email_in_any_case():
    order = place(make_quote(), email="Ada@Example.com")

    assert order_for_guest(number=order.number, email="ada@EXAMPLE.com ") == order


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "email"), [
    ("MRC-100001", "eve@example.com"),
    ("MRC-999999", "ada@example.com"),
])
def test_a_guest_lookup_with_a_wrong_number_or_email_is_not_found(number, email):
    place(make_quote(), email="ada@example.com")

    with pytest.raises(OrderNotFound):
        order_for_guest(number=number, email=email)


@pytest.mark.django_db
def test_order_history_lists_the_orders_events_oldest_first(django_assert_num_queries):
    quote = make_quote()
    order = place(quote)
    other = place(quote)
    hold_order(public_id=order.public_id, by=STAFF)
    cancel_order(public_id=other.public_id, by=STAFF)
    cancel_order(public_id=order.public_id, by=STAFF)

    with django_assert_num_queries(1):
        history = order_history(order=order)

    assert [e.type for e in history] == ["OrderPlaced", "ShipmentCreated", "OrderPutOnHold",
                                         "ShipmentCancelled", "OrderCancelled"]
