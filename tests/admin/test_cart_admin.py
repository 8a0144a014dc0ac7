from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mercato.cart.models import Cart
from mercato.cart.states import CartStatus
from tests.admin.helpers import count_queries
from tests.factories import CartFactory, CartLineFactory, ProductVariantFactory, UserFactory

CHANGELIST = reverse("admin:cart_cart_changelist")


def cart_worth(amount: str, *, days_old: float = 0, **fields: object) -> Cart:
    cart = CartFactory(**fields)
    CartLineFactory(cart=cart, quantity=2, seen_unit_amount=Decimal(amount) / 2)
    Cart.objects.filter(pk=cart.pk).update(
        updated_at=timezone.now() - timedelta(days=days_old)
    )
    return cart


def listed(staff_client, **params: str) -> set[int]:
    response = staff_client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {cart.pk for cart in response.context["cl"].result_list}


@pytest.mark.django_db
def test_changelist_shows_token_prefix_never_the_whole_token(staff_client):
    cart = cart_worth("10.00")

    response = staff_client.get(CHANGELIST)

    assert cart.token[:8].encode() in response.content
    assert cart.token.encode() not in response.content


@pytest.mark.django_db
def test_change_page_never_shows_the_whole_token(staff_client):
    cart = cart_worth("10.00")

    response = staff_client.get(reverse("admin:cart_cart_change", args=[cart.pk]))

    assert response.status_code == 200
    assert cart.token.encode() not in response.content


@pytest.mark.django_db
def test_changelist_shows_customer_email_or_anonymous(staff_client):
    customer = UserFactory(email="shopper@example.com")
    cart_worth("10.00", customer=customer)
    cart_worth("10.00")

    content = staff_client.get(CHANGELIST).content.decode()

    assert "shopper@example.com" in content
    assert "anonymous" in content


@pytest.mark.django_db
def test_changelist_annotates_lines_items_and_value(staff_client):
    cart = CartFactory(currency="EUR")
    CartLineFactory(cart=cart, quantity=3, seen_unit_amount=Decimal("10.00"))
    CartLineFactory(cart=cart, quantity=1, seen_unit_amount=Decimal("4.50"))
    CartFactory()

    response = staff_client.get(CHANGELIST)

    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert (rows[cart.pk].line_count, rows[cart.pk].item_count) == (2, 4)
    assert rows[cart.pk].value == Decimal("34.50")
    assert "€34.50" in response.content.decode()
    empty = next(row for pk, row in rows.items() if pk != cart.pk)
    assert (empty.line_count, empty.item_count, empty.value) == (0, 0, Decimal(0))


@pytest.mark.django_db
def test_changelist_lists_active_expired_and_converted_carts(staff_client):
    carts = {status: cart_worth("10.00", status=status) for status in CartStatus.values}

    assert listed(staff_client) == {cart.pk for cart in carts.values()}
    assert listed(staff_client, status="Expired") == {carts["Expired"].pk}


@pytest.mark.django_db
def test_active_cart_past_its_time_to_live_says_so(staff_client, settings):
    cart_worth("10.00", days_old=settings.MERCATO_CART_TTL.days + 1)

    content = staff_client.get(CHANGELIST).content.decode()

    assert "past its time to live" in content


@pytest.mark.django_db
def test_age_filter_buckets_carts_by_last_update(staff_client):
    fresh = cart_worth("10.00", days_old=0.5)
    days = cart_worth("10.00", days_old=3)
    weeks = cart_worth("10.00", days_old=12)
    old = cart_worth("10.00", days_old=45)

    assert listed(staff_client, age="lt1") == {fresh.pk}
    assert listed(staff_client, age="1-7") == {days.pk}
    assert listed(staff_client, age="7-30") == {weeks.pk}
    assert listed(staff_client, age="gt30") == {old.pk}


@pytest.mark.django_db
def test_age_column_is_humanized(staff_client):
    cart_worth("10.00", days_old=3)

    content = staff_client.get(CHANGELIST).content.decode()

    assert "3\xa0days" in content


@pytest.mark.django_db
def test_value_filter_buckets_carts_by_value(staff_client):
    small = cart_worth("49.99")
    edge_low = cart_worth("50.00")
    medium = cart_worth("120.00")
    edge_high = cart_worth("200.00")
    large = cart_worth("200.02")
    empty = CartFactory()

    assert listed(staff_client, value="lt50") == {small.pk, empty.pk}
    assert listed(staff_client, value="50-200") == {edge_low.pk, medium.pk, edge_high.pk}
    assert listed(staff_client, value="gt200") == {large.pk}


@pytest.mark.django_db
def test_filters_combine(staff_client):
    cart_worth("10.00", days_old=3)
    wanted = cart_worth("300.00", days_old=3)
    cart_worth("300.00", days_old=40)

    assert listed(staff_client, age="1-7", value="gt200") == {wanted.pk}


@pytest.mark.django_db
def test_changelist_query_count_does_not_grow_with_carts(staff_client):
    def make_carts(count: int) -> None:
        for index in range(count):
            customer = UserFactory() if index % 2 else None
            cart = CartFactory(customer=customer)
            CartLineFactory(cart=cart, quantity=2)
            CartLineFactory(cart=cart, variant=ProductVariantFactory())

    make_carts(3)
    with_three = count_queries(staff_client, CHANGELIST)
    make_carts(27)
    with_thirty = count_queries(staff_client, CHANGELIST)

    assert with_three == with_thirty
    assert with_thirty <= 8


@pytest.mark.django_db
def test_change_page_shows_lines_read_only_with_totals(staff_client):
    cart = CartFactory(currency="EUR")
    line = CartLineFactory(cart=cart, quantity=3, seen_unit_amount=Decimal("10.00"))
    CartLineFactory(cart=cart, quantity=1, seen_unit_amount=Decimal("4.50"))
    url = reverse("admin:cart_cart_change", args=[cart.pk])

    response = staff_client.get(url)

    content = response.content.decode()
    assert line.variant.sku in content
    assert line.variant.product.title in content
    assert "€30.00" in content
    assert "€34.50" in content
    assert 'name="lines-0-quantity"' not in content
    assert 'name="_save"' not in content


@pytest.mark.django_db
def test_carts_cannot_be_added_changed_or_deleted(staff_client):
    cart = cart_worth("10.00")
    change = reverse("admin:cart_cart_change", args=[cart.pk])

    assert staff_client.get(reverse("admin:cart_cart_add")).status_code == 403
    assert staff_client.post(change, {"currency": "USD"}).status_code == 403
    delete = reverse("admin:cart_cart_delete", args=[cart.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    cart.refresh_from_db()
    assert (cart.currency, cart.status) == ("EUR", CartStatus.ACTIVE)
