"""A priced cart read takes the same number of queries whatever its lines and promotions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cart.conftest import token_header
from tests.cart.pricing_data import amount_off, german_vat, percent_off, read, standard_delivery
from tests.factories import CategoryFactory, make_sellable_variant
from tests.pricing.factories import CouponFactory, PromotionFactory

pytestmark = pytest.mark.django_db

# The cart, its lines with current prices, their stock; the pricing engine: variants and
# categories of the lines, the coupons entered, tax classes by product and by product type,
# tax rates, delivery methods with their rates and excluded categories, live promotions with
# the products and categories they target among the lines'.
PRICED_READ_QUERIES = 15


def promotions(count: int, *, parent, child, products) -> None:
    """`count` live promotions of every kind and scope, all able to apply to the cart."""
    makers = [
        lambda n: percent_off(f"Order {n}", "1"),
        lambda n: percent_off(f"Category {n}", "2", categories=(parent,)),
        lambda n: amount_off(f"Fixed {n}", "0.50"),
        lambda n: PromotionFactory(name=f"3 for 2 {n}", kind="buy_x_get_y", percentage=None,
                                   scope="categories", buy_quantity=2, get_quantity=1)
        .categories.add(child),
        lambda n: PromotionFactory(name=f"Products {n}", kind="fixed_amount", percentage=None,
                                   scope="products", amount=Decimal("0.10"), currency="EUR")
        .products.add(*products[:3]),
    ]
    for n in range(count):
        makers[n % len(makers)](n)
    PromotionFactory(name="Free shipping", kind="free_delivery", percentage=None)


def priced_cart(api, add, client, *, lines: int, promotion_count: int) -> str:
    german_vat("19")
    standard_delivery()
    parent = CategoryFactory(name="Clothing")
    child = CategoryFactory(name="Shirts", parent=parent)
    variants = [make_sellable_variant(price="12.00", category=child if n % 2 else parent)
                for n in range(lines)]
    promotions(promotion_count - 1, parent=parent, child=child,
               products=[variant.product for variant in variants])
    CouponFactory(code="EXTRA", usage_limit=None,
                  promotion=PromotionFactory(name="Extra", requires_coupon=True))
    token = add(variants[0].sku, 3).json()["token"]
    for variant in variants[1:]:
        add(variant.sku, 3, **token_header(token))
    api.put("/cart/delivery", {"country": "DE", "method": "standard"}, **token_header(token))
    assert api.post("/cart/coupons", {"code": "EXTRA"}, **token_header(token)).status_code == 200
    client.cookies.clear()
    read(api, token)
    return token


@pytest.mark.parametrize(("lines", "promotion_count"), [(2, 2), (20, 2), (2, 20), (20, 20)])
def test_a_priced_read_takes_the_same_queries_whatever_the_lines_and_promotions(
        api, add, client, lines, promotion_count, django_assert_num_queries):
    token = priced_cart(api, add, client, lines=lines, promotion_count=promotion_count)

    with django_assert_num_queries(PRICED_READ_QUERIES):
        body = read(api, token)

    assert len(body["lines"]) == lines
    assert body["totals"]["delivery"]["method"] == "standard"
    assert len(body["totals"]["discounts"]) >= min(promotion_count, 3)
    assert body["coupons"][0]["is_applied"] is True


def test_an_unchanged_priced_cart_is_read_without_writing(api, add, client):
    token = priced_cart(api, add, client, lines=5, promotion_count=10)

    with CaptureQueriesContext(connection) as queries:
        read(api, token)

    assert [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")] == []


@pytest.mark.parametrize("lines", [2, 20])
def test_a_customer_reads_a_priced_cart_in_bounded_queries(
        api, add, client, customer, lines, django_assert_max_num_queries):
    client.force_login(customer)
    german_vat("19")
    percent_off("Sale", "10")
    for _ in range(lines):
        add(make_sellable_variant().sku, 1)

    with django_assert_max_num_queries(PRICED_READ_QUERIES + 2):  # + session, user
        body = api.get("/cart").json()

    assert body["totals"]["discounts"][0]["name"] == "Sale"
