"""The demo pricing shows in the back office as merchants look for it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from mercato.catalog.models import Category
from mercato.pricing.models import Promotion
from tests.factories import CartFactory, CartLineFactory, make_sellable_variant


@pytest.fixture
def demo(db) -> None:
    call_command("seed_demo", products=5, stdout=io.StringIO())


def rows(staff_client, url_name: str) -> dict[str, object]:
    response = staff_client.get(reverse(url_name))
    assert response.status_code == 200
    return {str(row): row for row in response.context["cl"].result_list}


def test_demo_promotions_are_listed_with_their_usage_and_schedule(staff_client, demo):
    promotions = rows(staff_client, "admin:pricing_promotion_changelist")
    scheduled = staff_client.get(reverse("admin:pricing_promotion_changelist"),
                                 {"running": "scheduled"})

    assert {"Winter sale", "Buy 2 get 1 free", "10 % off orders over 100",
            "Free delivery weekend", "Summer sale"} <= set(promotions)
    assert promotions["Welcome: 10 % off"].usage_count == 3
    assert [str(p) for p in scheduled.context["cl"].result_list] == ["Free delivery weekend"]


def test_demo_coupons_are_listed_with_their_use(staff_client, demo):
    coupons = rows(staff_client, "admin:pricing_coupon_changelist")

    assert {code: (c.times_used, c.usage_limit) for code, c in coupons.items()} == {
        "WELCOME10": (3, None), "FREESHIP": (1, None), "THANKYOU5": (1, 1)}


def test_demo_tax_rates_and_delivery_methods_are_listed(staff_client, demo):
    content = staff_client.get(reverse("admin:pricing_taxrate_changelist"),
                               {"country": "US"}).content.decode()
    methods = staff_client.get(reverse("admin:pricing_deliverymethod_changelist"))

    assert "CA sales tax 7.25%" in content
    assert "European Union, Germany, United Kingdom, United States" in methods.content.decode()
    assert "3-5 days" in methods.content.decode()


def test_the_demo_winter_sale_shows_the_carts_it_affects(staff_client, demo):
    knitwear = Category.objects.get(slug="women-tops-knitwear")
    cart = CartFactory()
    CartLineFactory(cart=cart, variant=make_sellable_variant(price="80.00", category=knitwear))
    sale = Promotion.objects.get(name="Winter sale")

    response = staff_client.get(reverse("admin:cart_cart_affected_by_promotion",
                                        args=[sale.pk]))

    assert [(row.cart.pk, row.discount) for row in response.context["rows"]] == [
        (cart.pk, "€16.00")]
