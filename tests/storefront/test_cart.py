"""Cart pages with Django's test client: add from a product page, change, remove, coupons,
the re-validation messages, htmx partial updates and the cart count in the header."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from mercato.cart.models import Cart, CartLine
from mercato.catalog.models import ProductVariant, VariantPrice
from mercato.inventory.models import Stock
from tests.cart.pricing_data import german_vat, percent_off, standard_delivery
from tests.factories import make_sellable_variant
from tests.pricing.factories import CouponFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def shop(db) -> None:
    """German VAT, standard (4.90, free from 100) and express (9.90) delivery to DE and AT."""
    german_vat()
    standard_delivery(code="standard", price="4.90", free_over="100.00")
    standard_delivery(code="express", price="9.90", free_over=None, position=1)


@pytest.fixture
def shirt(shop) -> ProductVariant:
    return make_sellable_variant(price="20.00", on_hand=5, title="Linen shirt")


@pytest.fixture
def socks(shop) -> ProductVariant:
    return make_sellable_variant(price="9.50", on_hand=10, title="Wool socks")


@pytest.fixture
def browser(shirt) -> Client:
    """An anonymous shopper who put 2 shirts in the cart from the product page."""
    client = Client()
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 2, "next": "/p/linen-shirt/"})
    return client


def line(sku: str) -> CartLine | None:
    return CartLine.objects.filter(variant__sku=sku).first()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_add_to_cart_sets_the_cart_cookie_and_goes_back(shirt):
    client = Client()

    response = client.post("/cart/add/", {"sku": shirt.sku, "quantity": 2,
                                          "next": "/p/linen-shirt/"})

    assert response["Location"] == "/p/linen-shirt/"
    cookie = response.cookies[settings.MERCATO_CART_COOKIE]
    assert cookie.value == Cart.objects.get().token
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert line(shirt.sku).quantity == 2


def test_add_to_cart_refuses_more_than_the_stock_with_the_apis_message(shirt):
    client = Client()

    response = client.post("/cart/add/", {"sku": shirt.sku, "quantity": 6}, follow=True)

    assert any("available" in message for message in messages_of(response))
    assert line(shirt.sku) is None


def test_add_to_cart_refuses_an_unknown_sku_and_an_offsite_return(db):
    response = Client().post("/cart/add/", {"sku": "NOPE", "quantity": 1,
                                            "next": "https://evil.example/"})
    assert response["Location"] == "/cart/"


def test_cart_page_shows_lines_totals_and_checkout(browser, shirt,
                                                   django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = browser.get("/cart/")

    page = response.content.decode()
    assert "Linen shirt" in page and "€40.00" in page and ">Checkout</a>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'<label for="qty-{shirt.sku}">' in page


def test_empty_cart_page(db):
    assert "Your cart is empty" in Client().get("/cart/").content.decode()


def test_change_quantity_without_javascript_redirects(browser, shirt):
    response = browser.post(f"/cart/lines/{shirt.sku}/", {"quantity": 3})

    assert response["Location"] == "/cart/"
    assert line(shirt.sku).quantity == 3


def test_change_quantity_with_htmx_returns_the_lines_part(browser, shirt):
    response = browser.post(f"/cart/lines/{shirt.sku}/", {"quantity": 1}, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200 and page.startswith('<div id="cart-lines"')
    assert "<html" not in page and "€20.00" in page


def test_too_many_units_is_refused_with_the_message(browser, shirt):
    response = browser.post(f"/cart/lines/{shirt.sku}/", {"quantity": 9}, headers=HTMX)

    assert "available" in response.content.decode()
    assert line(shirt.sku).quantity == 2


def test_remove_a_line(browser, shirt):
    browser.post(f"/cart/lines/{shirt.sku}/", {"remove": "1"})
    assert line(shirt.sku) is None


def test_coupon_apply_unknown_and_remove(browser):
    promotion = percent_off("Summer", "10", requires_coupon=True)
    CouponFactory(promotion=promotion, code="SUMMER10")

    unknown = browser.post("/cart/coupon/", {"code": "NOPE"}, follow=True)
    assert messages_of(unknown)

    page = browser.post("/cart/coupon/", {"code": "summer10"}, follow=True)
    assert Cart.objects.get().coupon_codes == ["SUMMER10"]
    assert "€36.00" in page.content.decode()

    browser.post("/cart/coupon/", {"remove": "SUMMER10"})
    assert Cart.objects.get().coupon_codes == []


def test_price_change_and_stock_reduction_are_said_once(browser, shirt):
    VariantPrice.objects.filter(variant=shirt).update(amount=Decimal("22.00"))
    Stock.objects.filter(variant=shirt).update(on_hand=1)

    first = browser.get("/cart/").content.decode()
    second = browser.get("/cart/").content.decode()

    assert "the quantity was reduced from 2 to 1" in first
    assert "€22.00" in first and "20.00" in first  # the price change names both prices
    assert "the quantity was reduced" not in second


def test_a_cart_with_only_sold_out_lines_offers_no_checkout_and_says_why(browser, shirt):
    Stock.objects.filter(variant=shirt).update(on_hand=0)

    page = browser.get("/cart/").content.decode()

    assert ">Checkout</a>" not in page and 'href="/checkout/"' not in page
    blocked = re.search(r'<div class="messages cart-blocked" role="alert">(.*?)</div>', page,
                        re.DOTALL)
    assert blocked and "Linen shirt (Default) is out of stock." in blocked[1]
    assert page.count("Linen shirt (Default) is out of stock.") == 2  # the alert, the line


def test_a_cart_with_some_sold_out_lines_says_which_are_not_bought(browser, shirt, socks):
    browser.post("/cart/add/", {"sku": socks.sku, "quantity": 1})
    Stock.objects.filter(variant=shirt).update(on_hand=0)

    page = browser.get("/cart/").content.decode()

    assert ">Checkout</a>" in page
    not_bought = re.search(r'<div class="messages not-bought" role="status">(.*?)</div>', page,
                           re.DOTALL)
    assert not_bought and "Linen shirt (Default) is out of stock." in not_bought[1]
    assert "Wool socks" not in not_bought[1]
    assert 'data-testid="cart-total">€9.50<' in page


def test_the_htmx_lines_part_also_says_what_is_not_bought(browser, shirt, socks):
    browser.post("/cart/add/", {"sku": socks.sku, "quantity": 1})
    Stock.objects.filter(variant=shirt).update(on_hand=0)

    response = browser.post(f"/cart/lines/{socks.sku}/", {"quantity": 2}, headers=HTMX)

    page = response.content.decode()
    assert 'class="messages not-bought"' in page and ">Checkout</a>" in page
    browser.post(f"/cart/lines/{socks.sku}/", {"remove": "1"})
    page = browser.post(f"/cart/lines/{shirt.sku}/", {"quantity": 2}, headers=HTMX)
    assert 'class="messages cart-blocked"' in page.content.decode()
    assert ">Checkout</a>" not in page.content.decode()


def test_cart_count_in_the_header(browser, shirt):
    assert 'class="cart-count">(2)<' in browser.get("/cart/").content.decode()


def test_no_cart_count_query_without_a_cart_cookie_or_login(db, rf):
    from mercato.storefront.context_processors import shop as shop_context

    request = rf.get("/")
    request.user = type("Anonymous", (), {"is_authenticated": False, "pk": None})()
    assert shop_context(request)["cart_count"] == 0
