"""Merchandisers see which live carts a promotion would affect now, scheduled or not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mercato.cart.admin import CartAdmin
from mercato.cart.models import Cart
from mercato.cart.states import CartStatus
from mercato.pricing.models import Promotion
from tests.admin.helpers import count_queries
from tests.factories import (
    CartFactory,
    CartLineFactory,
    CategoryFactory,
    UserFactory,
    make_sellable_variant,
)
from tests.pricing.factories import CouponFactory, PromotionFactory, PromotionUsageFactory

pytestmark = pytest.mark.django_db


def preview_url(promotion: Promotion) -> str:
    return reverse("admin:cart_cart_affected_by_promotion", args=[promotion.pk])


def cart_with(*variants, quantity: int = 1, days_old: float = 0, **fields: object) -> Cart:
    cart = CartFactory(**fields)
    for variant in variants:
        CartLineFactory(cart=cart, variant=variant, quantity=quantity)
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - timedelta(days=days_old))
    return cart


def shown_carts(staff_client, promotion: Promotion) -> dict[int, str]:
    """{cart id: discount shown} of the page's rows."""
    response = staff_client.get(preview_url(promotion))
    assert response.status_code == 200
    return {row.cart.pk: row.discount for row in response.context["rows"]}


@pytest.fixture
def knitwear():
    return CategoryFactory(name="Knitwear", slug="knitwear", parent=CategoryFactory())


def sale_on(category, **fields: object) -> Promotion:
    promotion = PromotionFactory(name="Winter sale", scope="categories",
                                 percentage=Decimal(20), **fields)
    promotion.categories.add(category.parent)  # sub-categories are included
    return promotion


def test_lists_a_cart_holding_a_targeted_product_with_its_discount_and_not_others(
        staff_client, knitwear):
    jumper = make_sellable_variant(price="50.00", category=knitwear)
    sock = make_sellable_variant(price="5.00")
    promotion = sale_on(knitwear)
    matching = cart_with(jumper, sock)
    other = cart_with(sock)

    shown = shown_carts(staff_client, promotion)

    assert shown == {matching.pk: "€10.00"}
    assert other.pk not in shown


def test_a_scheduled_promotion_is_previewed_as_if_it_ran_now(staff_client, knitwear):
    jumper = make_sellable_variant(price="50.00", category=knitwear)
    starts = timezone.now() + timedelta(days=10)
    promotion = sale_on(knitwear, starts_at=starts, ends_at=starts + timedelta(days=2))
    cart = cart_with(jumper)

    response = staff_client.get(preview_url(promotion))

    assert [row.cart.pk for row in response.context["rows"]] == [cart.pk]
    assert "it is scheduled from" in response.content.decode()


def test_an_ended_or_switched_off_promotion_is_previewed_too(staff_client, knitwear):
    jumper = make_sellable_variant(price="50.00", category=knitwear)
    ended = sale_on(knitwear, starts_at=timezone.now() - timedelta(days=9),
                    ends_at=timezone.now() - timedelta(days=2))
    off = sale_on(knitwear, is_active=False)
    cart = cart_with(jumper)

    assert shown_carts(staff_client, ended) == {cart.pk: "€10.00"}
    assert shown_carts(staff_client, off) == {cart.pk: "€10.00"}


def test_a_coupon_promotion_is_previewed_as_if_its_code_were_entered(staff_client):
    promotion = CouponFactory(promotion__percentage=Decimal(10)).promotion
    cart = cart_with(make_sellable_variant(price="30.00"))

    assert shown_carts(staff_client, promotion) == {cart.pk: "€3.00"}


def test_order_promotion_respects_its_minimum_and_currency(staff_client):
    promotion = PromotionFactory(percentage=Decimal(10), min_order_value=Decimal(100),
                                 currency="EUR")
    big = cart_with(make_sellable_variant(price="60.00"), quantity=2)
    cart_with(make_sellable_variant(price="60.00"))
    cart_with(make_sellable_variant(price="80.00", currency="USD"), quantity=2, currency="USD")

    assert shown_carts(staff_client, promotion) == {big.pk: "€12.00"}


def test_a_promotion_that_does_not_stack_with_a_running_one_is_not_shown(staff_client):
    variant = make_sellable_variant(price="40.00")
    PromotionFactory(name="Running", percentage=Decimal(5), priority=10, stacks=False)
    blocked = PromotionFactory(name="Blocked", percentage=Decimal(10), priority=1,
                               starts_at=timezone.now() + timedelta(days=3))
    cart_with(variant)

    assert shown_carts(staff_client, blocked) == {}


def test_per_customer_limit_counts_each_cart_customers_own_uses(staff_client):
    variant = make_sellable_variant(price="20.00")
    promotion = PromotionFactory(percentage=Decimal(10), usage_limit_per_customer=1)
    used, fresh = UserFactory(), UserFactory()
    PromotionUsageFactory(promotion=promotion, customer_id=used.pk)
    cart_with(variant, customer=used)
    fresh_cart = cart_with(variant, customer=fresh)
    cart_with(variant)  # anonymous: a per-customer limit needs a logged-in customer

    assert shown_carts(staff_client, promotion) == {fresh_cart.pk: "€2.00"}


def test_only_live_carts_are_checked(staff_client, settings, knitwear):
    jumper = make_sellable_variant(price="50.00", category=knitwear)
    promotion = sale_on(knitwear)
    live = cart_with(jumper)
    cart_with(jumper, days_old=settings.MERCATO_CART_TTL.days + 1)
    cart_with(jumper, status=CartStatus.EXPIRED)
    cart_with(jumper, status=CartStatus.CONVERTED)

    assert set(shown_carts(staff_client, promotion)) == {live.pk}


def test_product_promotion_lists_carts_holding_one_of_its_products(staff_client):
    chosen, other = make_sellable_variant(price="10.00"), make_sellable_variant(price="10.00")
    promotion = PromotionFactory(scope="products", percentage=Decimal(50))
    promotion.products.add(chosen.product)
    with_chosen = cart_with(chosen, other)
    cart_with(other)

    assert shown_carts(staff_client, promotion) == {with_chosen.pk: "€5.00"}


def test_checks_at_most_the_limit_most_recent_carts_and_says_so(staff_client, monkeypatch):
    monkeypatch.setattr(CartAdmin, "promotion_preview_limit", 2)
    variant = make_sellable_variant(price="10.00")
    promotion = PromotionFactory(percentage=Decimal(10))
    carts = [cart_with(variant, days_old=days) for days in (3, 2, 1)]

    response = staff_client.get(preview_url(promotion))

    assert [row.cart.pk for row in response.context["rows"]] == [carts[2].pk, carts[1].pk]
    assert "Only the 2 most recently updated of 3 carts" in response.content.decode()


def test_query_count_does_not_grow_with_carts_or_lines(staff_client, knitwear):
    promotion = sale_on(knitwear)

    def make_carts(count: int) -> None:
        for index in range(count):
            variants = [make_sellable_variant(price="30.00", category=knitwear)
                        for _ in range(1 + index % 3)]
            cart_with(*variants, customer=UserFactory() if index % 2 else None)

    make_carts(2)
    few = count_queries(staff_client, preview_url(promotion))
    make_carts(20)
    many = count_queries(staff_client, preview_url(promotion))

    assert few == many
    assert many <= 20


def test_page_links_each_cart_and_back_to_the_promotion(staff_client, knitwear):
    promotion = sale_on(knitwear)
    cart = cart_with(make_sellable_variant(price="50.00", category=knitwear))

    content = staff_client.get(preview_url(promotion)).content.decode()

    assert reverse("admin:cart_cart_change", args=[cart.pk]) in content
    assert reverse("admin:pricing_promotion_change", args=[promotion.pk]) in content
    assert "€10.00 off in total" in content


def test_unknown_promotion_is_404(staff_client):
    response = staff_client.get(reverse("admin:cart_cart_affected_by_promotion", args=[999999]))

    assert response.status_code == 404


def test_staff_without_cart_view_permission_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    promotion = PromotionFactory()

    assert client.get(preview_url(promotion)).status_code == 403


def test_promotion_change_page_and_list_link_to_the_carts_it_would_affect(staff_client):
    promotion = PromotionFactory()
    url = preview_url(promotion)

    change = staff_client.get(reverse("admin:pricing_promotion_change", args=[promotion.pk]))
    listing = staff_client.get(reverse("admin:pricing_promotion_changelist"))

    assert url in change.content.decode()
    assert url in listing.content.decode()


def test_a_free_delivery_promotion_lists_carts_as_getting_free_delivery(staff_client):
    promotion = PromotionFactory(kind="free_delivery", percentage=None)
    cart = cart_with(make_sellable_variant(price="10.00"))

    response = staff_client.get(preview_url(promotion))

    assert [row.cart.pk for row in response.context["rows"]] == [cart.pk]
    assert "free delivery</td>" in response.content.decode()
