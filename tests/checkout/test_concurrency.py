"""Buyers racing at completion (PostgreSQL: real row locks, one connection per buyer).

50 buyers for 10 units: exactly 10 orders, 10 units allocated, 40 clear out-of-stock answers,
no deadlock, and no buyer left with an authorization. Two orders on one gift card: the balance
pays one of them, never below zero.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from mercato.cart.services import add_line
from mercato.checkout.rules import AddressChoice, CheckoutRequest, PaymentChoice, ShipmentChoice
from mercato.checkout.services import complete_checkout
from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.payments.models import GiftCard, Payment
from mercato.payments.services import issue_gift_card
from tests.cart.pricing_data import german_vat, standard_delivery
from tests.checkout.conftest import BERLIN, card_token
from tests.factories import make_sellable_variant

BUYERS = 50
UNITS = 10
GUEST = Actor("guest")


def buyer_request(payments: tuple[PaymentChoice, ...], total: str) -> CheckoutRequest:
    address = AddressChoice(fields=BERLIN)
    return CheckoutRequest(
        email="buyer@example.com", billing_address=address,
        shipments=(ShipmentChoice(address=address, delivery_method="standard"),),
        payments=payments, expected_total=Decimal(total))


def outcome(cart_token: str, request: CheckoutRequest) -> str:
    from mercato.cart.models import Cart

    try:
        cart = Cart.objects.get(token=cart_token)
        completion = complete_checkout(cart=cart, customer=None, request=request,
                                       idempotency_key=str(uuid.uuid4()), by=GUEST)
        return completion.order.number
    except Problem as problem:
        return problem.slug
    finally:
        connection.close()


@pytest.fixture
def postgres_only(on_postgres) -> None:
    if not on_postgres:
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_ten_units_make_exactly_ten_orders(postgres_only):
    german_vat()
    standard_delivery(code="standard", price="4.90", free_over=None)
    variant = make_sellable_variant(price="20.00", on_hand=UNITS)
    carts = [add_line(customer_id=None, token=None, sku=variant.sku, quantity=1).token
             for _ in range(BUYERS)]
    requests = [buyer_request((PaymentChoice("card", card_token()),), "24.90")
                for _ in range(BUYERS)]

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        results = list(pool.map(outcome, carts, requests))

    orders = [r for r in results if r.startswith("MRC-")]
    assert len(orders) == UNITS and len(set(orders)) == UNITS
    assert results.count("out-of-stock") == BUYERS - UNITS, results
    assert Order.objects.count() == UNITS
    stock = Stock.objects.get(variant=variant)
    assert (stock.on_hand, stock.allocated) == (UNITS, UNITS)
    assert Payment.objects.filter(status="Authorized").count() == UNITS
    assert not Payment.objects.exclude(status__in=["Authorized", "Voided"]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_orders_racing_on_one_gift_card_never_overdraw_it(postgres_only):
    german_vat()
    standard_delivery(code="standard", price="0.00", free_over=None)
    variant = make_sellable_variant(price="30.00", on_hand=10)
    issue_gift_card(code="RACE-40", amount=Money(Decimal("40.00"), "EUR"))
    carts = [add_line(customer_id=None, token=None, sku=variant.sku, quantity=1).token
             for _ in range(2)]
    request = buyer_request((PaymentChoice("gift_card", "RACE-40", Decimal("30.00")),), "30.00")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(outcome, carts, [request, request]))

    assert sorted(r.startswith("MRC-") for r in results) == [False, True]
    assert "payment-declined" in results
    assert GiftCard.objects.get().balance == Decimal("10.0000")
    assert Order.objects.count() == 1
