"""Checkout pages with Django's test client: every step, each way to pay, the provider pages,
and the failures the shopper must see (declined card, out of stock, cart changed)."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from mercato.cart import services as cart_services
from mercato.catalog.models import ProductVariant
from mercato.core.money import Money
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.payments.models import GiftCard, Payment
from mercato.payments.services import issue_gift_card
from tests.cart.pricing_data import german_vat, standard_delivery
from tests.checkout.conftest import BERLIN, DECLINED, HAMBURG, THREE_D_SECURE, card_token
from tests.factories import AddressFactory, make_sellable_variant

pytestmark = pytest.mark.django_db
GUEST_EMAIL = "grace@example.com"
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
def guest(shirt, socks) -> Client:
    """An anonymous shopper with 2 shirts and 1 pair of socks (49.50; 54.40 with standard
    delivery to Berlin)."""
    cart = cart_services.add_line(customer_id=None, token=None, sku=shirt.sku, quantity=2)
    cart_services.add_line(customer_id=None, token=cart.token, sku=socks.sku, quantity=1)
    client = Client()
    client.cookies[settings.MERCATO_CART_COOKIE] = cart.token
    return client


def hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', response.content.decode())
    assert match, f"no hidden {name}"
    return match[1]


def to_payment(client: Client, *, address: dict = BERLIN, method: str = "standard") -> None:
    if not client.session.get("_auth_user_id"):
        assert client.post("/checkout/", {"email": GUEST_EMAIL}).status_code == 302
    response = client.post("/checkout/address/", address)
    assert response.status_code == 302, response.content.decode()
    response = client.post("/checkout/delivery/", {"action": "continue", "method_0": method})
    assert response["Location"] == "/checkout/payment/"


def pay(client: Client, **fields: str):
    return client.post("/checkout/payment/", fields)


def review_and_place(client: Client):
    review = client.get("/checkout/review/")
    assert review.status_code == 200
    data = {"idempotency_key": hidden(review, "idempotency_key"),
            "expected_total": hidden(review, "expected_total")}
    return client.post("/checkout/place/", data), data


def placed_number(response) -> str:
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].startswith("/checkout/done/")
    return response["Location"].split("/")[3]


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_email_step_offers_login_and_guest_checkout(guest):
    response = guest.get("/checkout/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Continue as guest" in page and "/account/login/?next=%2Fcheckout%2F" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert guest.post("/checkout/", {"email": "not an email"}).status_code == 200


def test_checkout_without_a_cart_goes_back_to_the_cart(db):
    response = Client().get("/checkout/")
    assert response["Location"] == "/cart/"


def test_address_step_shows_the_address_validation_errors_by_field(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    response = guest.post("/checkout/address/", BERLIN | {"postal_code": "1", "last_name": ""})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["last_name"] == ["This field is required."]
    assert "postal code" in form.errors["postal_code"][0]
    assert 'class="field-error"' in response.content.decode()


def test_delivery_step_lists_methods_with_fees(guest, django_assert_max_num_queries):
    guest.post("/checkout/", {"email": GUEST_EMAIL})
    guest.post("/checkout/address/", BERLIN)

    with django_assert_max_num_queries(20):
        response = guest.get("/checkout/delivery/")

    page = response.content.decode()
    assert "Standard" in page and "Express" in page and "€4.90" in page and "€9.90" in page


def test_address_step_asks_htmx_for_the_delivery_methods(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    page = guest.get("/checkout/address/").content.decode()

    assert 'hx-post="/checkout/delivery-options/"' in page and 'id="delivery-preview"' in page
    assert "shown on the next step" in page  # without JavaScript


@pytest.mark.parametrize("address", [BERLIN, {"country": "DE"}, {"country": "AT",
                                                                   "postal_code": "1"}])
def test_delivery_options_fragment_lists_methods_and_fees_for_the_address(
        guest, address, django_assert_max_num_queries):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    with django_assert_max_num_queries(20):
        response = guest.post("/checkout/delivery-options/", address, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Standard — €4.90" in page and "Express — €9.90" in page
    assert re.search(r'<input type="radio"[^>]*name="delivery_method" value="standard" checked',
                     page)


def test_delivery_options_fragment_without_a_country_or_zone(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    hint = guest.post("/checkout/delivery-options/", {"city": "Berlin"}, headers=HTMX)
    nowhere = guest.get("/checkout/delivery-options/", {"country": "US"}, headers=HTMX)

    assert "Choose the country" in hint.content.decode()
    assert "No delivery method reaches this address." in nowhere.content.decode()
    assert 'type="radio"' not in nowhere.content.decode()


def test_delivery_options_fragment_for_a_saved_address(shirt):
    address = AddressFactory()
    client = Client()
    client.force_login(address.customer)
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 1})

    response = client.post("/checkout/delivery-options/", {"address_id": address.public_id},
                           headers=HTMX)

    assert "Standard — €4.90" in response.content.decode()


def test_delivery_options_fragment_without_a_cart_redirects_htmx_to_the_cart(db):
    response = Client().post("/checkout/delivery-options/", {"country": "DE"}, headers=HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == "/cart/"


def test_method_picked_beside_the_address_is_preselected_on_the_delivery_step(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    response = guest.post("/checkout/address/", BERLIN | {"delivery_method": "express"})

    assert response["Location"] == "/checkout/delivery/"
    page = guest.get("/checkout/delivery/").content.decode()
    assert re.search(r'name="method_0" value="express" checked', page)
    assert not re.search(r'name="method_0" value="standard" checked', page)


def test_guest_order_by_card(guest, django_assert_max_num_queries):
    to_payment(guest)
    assert pay(guest, method="card", card_token=card_token())["Location"] == "/checkout/review/"
    with django_assert_max_num_queries(30):
        review = guest.get("/checkout/review/")
    assert hidden(review, "expected_total") == "54.40"
    assert "Linen shirt" in review.content.decode()

    number = placed_number(review_and_place(guest)[0])

    order = Order.objects.get()
    assert (order.number, order.email, order.total) == (number, GUEST_EMAIL, Decimal("54.40"))
    assert Payment.objects.get().status == "Authorized"
    done = guest.get(f"/checkout/done/{number}/")
    assert f'data-testid="order-number">{number}<' in done.content.decode()
    assert Client().get(f"/checkout/done/{number}/").status_code == 404  # not someone else's


def test_cash_on_delivery(guest):
    to_payment(guest)
    pay(guest, method="cash_on_delivery")

    placed_number(review_and_place(guest)[0])

    assert Payment.objects.get().method == "cash_on_delivery"


def test_gift_card_pays_part_and_the_card_the_rest(guest):
    issue_gift_card(code="GIFT-2024", amount=Money(Decimal("20.00"), "EUR"))
    to_payment(guest)
    pay(guest, method="gift_card", gift_card_code="GIFT-2024", gift_card_amount="20.00",
        card_token=card_token())

    placed_number(review_and_place(guest)[0])

    amounts = sorted((p.method, p.amount) for p in Payment.objects.all())
    assert amounts == [("card", Decimal("34.40")), ("gift_card", Decimal("20.00"))]
    assert GiftCard.objects.get().balance == Decimal("0")


def test_gift_card_amount_must_leave_something_for_the_card(guest):
    to_payment(guest)
    response = pay(guest, method="gift_card", gift_card_code="X", gift_card_amount="10.00")

    assert response.status_code == 200
    assert "must add up to the total" in response.content.decode()


def test_declined_card_shows_the_providers_message_and_creates_no_order(guest):
    to_payment(guest)
    pay(guest, method="card", card_token=card_token(DECLINED))

    response, _ = review_and_place(guest)

    assert response["Location"] == "/checkout/payment/"
    page = guest.get("/checkout/payment/")
    assert "Your card was declined." in messages_of(page)
    assert not Order.objects.exists()
    # A new card gets a new key and goes through.
    pay(guest, method="card", card_token=card_token())
    placed_number(review_and_place(guest)[0])
    assert Order.objects.count() == 1


def test_sold_out_while_in_the_cart_shows_the_message_and_is_not_bought(guest, shirt, socks):
    to_payment(guest)
    pay(guest, method="cash_on_delivery")
    Stock.objects.filter(variant=shirt).update(on_hand=0)

    review = guest.get("/checkout/review/")

    assert review.context["not_bought"] == ["Linen shirt (Default) is out of stock."]
    assert review.context["out_of_stock"] is None and "Place order" in review.content.decode()
    assert shirt.sku not in [line.sku for _, line in review.context["lines"]]
    data = {"idempotency_key": hidden(review, "idempotency_key"),
            "expected_total": hidden(review, "expected_total"), "not_bought": [shirt.sku]}
    placed_number(guest.post("/checkout/place/", data))  # the rest is bought, as reviewed
    assert [line.sku for line in Order.objects.get().lines.all()] == [socks.sku]


def test_stock_sold_before_placing_shows_the_message_and_creates_no_order(guest, shirt):
    to_payment(guest)
    pay(guest, method="cash_on_delivery")
    review = guest.get("/checkout/review/")
    data = {"idempotency_key": hidden(review, "idempotency_key"),
            "expected_total": hidden(review, "expected_total")}
    Stock.objects.filter(variant=shirt).update(on_hand=1)

    response = guest.post("/checkout/place/", data)

    assert response["Location"] == "/cart/"
    said = messages_of(guest.get("/cart/"))
    assert said.startswith("Not enough stock of Linen shirt (Default).")
    assert "Only 1 of Linen shirt (Default) are available (2 asked for)." in said
    assert shirt.sku not in said
    assert not Order.objects.exists()


def test_everything_sold_before_placing_is_said_once_by_name_in_the_cart(guest, shirt, socks):
    to_payment(guest)
    pay(guest, method="cash_on_delivery")
    review = guest.get("/checkout/review/")
    data = {"idempotency_key": hidden(review, "idempotency_key"),
            "expected_total": hidden(review, "expected_total")}
    Stock.objects.filter(variant__in=[shirt, socks]).update(on_hand=0)

    response = guest.post("/checkout/place/", data, follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/cart/"]
    said = [str(m) for m in response.context["messages"]]
    assert len(said) == 1 and "The cart is empty" not in said[0]
    assert "Linen shirt (Default) is out of stock." in said[0]
    assert "Wool socks (Default) is out of stock." in said[0]
    assert ">Checkout</a>" not in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_of_a_cart_with_nothing_to_buy_goes_back_to_the_cart(guest, shirt, socks):
    Stock.objects.filter(variant__in=[shirt, socks]).update(on_hand=0)

    response = guest.get("/checkout/", follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/cart/"]
    assert messages_of(response).startswith("Nothing in your cart can be bought right now.")


def test_a_step_finding_the_cart_emptied_goes_to_the_cart_saying_so_once(guest, shirt, socks):
    to_payment(guest)
    Stock.objects.filter(variant__in=[shirt, socks]).update(on_hand=0)

    response = guest.get("/checkout/payment/", follow=True)

    assert [url for url, _ in response.redirect_chain] == ["/cart/"]
    assert len(list(response.context["messages"])) == 1


def test_cart_changed_goes_back_to_review_with_the_message(guest):
    to_payment(guest)
    pay(guest, method="cash_on_delivery")
    review = guest.get("/checkout/review/")
    data = {"idempotency_key": hidden(review, "idempotency_key"), "expected_total": "50.00"}

    response = guest.post("/checkout/place/", data)

    assert response["Location"] == "/checkout/review/"
    again = guest.get("/checkout/review/")
    assert "The total is now" in messages_of(again)
    assert hidden(again, "idempotency_key") != data["idempotency_key"]
    assert not Order.objects.exists()


def test_double_submit_of_place_order_gives_one_order(guest):
    to_payment(guest)
    pay(guest, method="card", card_token=card_token())
    first, data = review_and_place(guest)

    second = guest.post("/checkout/place/", data)

    assert placed_number(first) == placed_number(second)
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


def test_three_d_secure_round_trip(guest):
    to_payment(guest)
    pay(guest, method="card", card_token=card_token(THREE_D_SECURE))
    response, data = review_and_place(guest)

    assert response["Location"].startswith("/test-gateway/3ds/")
    challenge = guest.get(response["Location"])
    assert "Complete authentication" in challenge.content.decode()
    back = guest.post(response["Location"].split("?")[0], {"return": "/checkout/review/"})
    assert back["Location"] == "/checkout/review/"
    review = guest.get("/checkout/review/")
    assert hidden(review, "idempotency_key") == data["idempotency_key"]  # the same key

    number = placed_number(guest.post("/checkout/place/", data))

    assert Order.objects.get().number == number
    assert Payment.objects.get().status == "Authorized"


def test_paypal_round_trip(guest):
    to_payment(guest)
    response = pay(guest, method="paypal")

    assert response["Location"].startswith("/test-gateway/approve/")
    assert "Approve" in guest.get(response["Location"]).content.decode()
    back = guest.post(response["Location"].split("?")[0], {"return": "/checkout/review/"})
    assert back["Location"] == "/checkout/review/"

    placed_number(review_and_place(guest)[0])

    assert Payment.objects.get().method == "paypal"


def test_paypal_not_approved_sends_the_shopper_to_approve(guest):
    to_payment(guest)
    approve_page = pay(guest, method="paypal")["Location"]

    response, _ = review_and_place(guest)

    assert response["Location"] == approve_page
    assert not Order.objects.exists()


def test_provider_pages_return_only_to_this_site(guest):
    response = guest.post("/test-gateway/approve/unknown/", {"return": "https://evil.example/"})
    assert response["Location"] == "/checkout/review/"


def test_split_shipment_to_two_addresses(guest, shirt):
    to_payment(guest)
    response = guest.post("/checkout/delivery/", {
        "action": "split", f"split-qty_{shirt.sku}": "1",
        **{f"split-{name}": value for name, value in HAMBURG.items()}})
    assert response["Location"] == "/checkout/delivery/"
    page = guest.get("/checkout/delivery/").content.decode()
    assert "Shipment 2" in page and "Jungfernstieg 7" in page

    response = guest.post("/checkout/delivery/", {"action": "continue", "method_0": "standard",
                                                   "method_1": "express"})
    assert response["Location"] == "/checkout/payment/"
    pay(guest, method="cash_on_delivery")
    placed_number(review_and_place(guest)[0])

    shipments = Order.objects.get().shipments.order_by("id")
    assert [s.city for s in shipments] == ["BERLIN", "HAMBURG"]
    assert [s.delivery_method_code for s in shipments] == ["standard", "express"]
    assert [sum(line.quantity for line in s.lines.all()) for s in shipments] == [2, 1]


def test_split_with_a_bad_second_address_shows_field_errors(guest, shirt):
    to_payment(guest)

    response = guest.post("/checkout/delivery/", {
        "action": "split", f"split-qty_{shirt.sku}": "1",
        **{f"split-{name}": value for name, value in (HAMBURG | {"first_name": ""}).items()}})

    assert response.status_code == 200
    assert response.context["split_form"].errors["first_name"] == ["This field is required."]


def test_customer_checks_out_with_a_saved_address(shirt, socks):
    address = AddressFactory()
    client = Client()
    client.force_login(address.customer)
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 1})

    assert client.get("/checkout/")["Location"] == "/checkout/address/"
    page = client.get("/checkout/address/").content.decode()
    assert "Unter den Linden 1" in page
    assert client.post("/checkout/address/", {"address_id": address.public_id}).status_code == 302
    client.post("/checkout/delivery/", {"action": "continue", "method_0": "standard"})
    pay(client, method="cash_on_delivery")
    number = placed_number(review_and_place(client)[0])

    order = Order.objects.get()
    assert (order.customer_id, order.email) == (address.customer_id, address.customer.email)
    assert client.get(f"/checkout/done/{number}/").status_code == 200


def test_customer_can_save_a_typed_address(shirt, socks):
    client = Client()
    address = AddressFactory()
    client.force_login(address.customer)
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 1})
    client.post("/checkout/address/", HAMBURG | {"address_id": "new", "save_address": "on"})
    client.post("/checkout/delivery/", {"action": "continue", "method_0": "standard"})
    pay(client, method="cash_on_delivery")

    placed_number(review_and_place(client)[0])

    assert address.customer.addresses.filter(city="HAMBURG").exists()


def test_every_checkout_form_carries_a_csrf_token(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})
    guest.post("/checkout/address/", BERLIN)
    for url in ["/checkout/", "/checkout/address/", "/checkout/delivery/"]:
        page = guest.get(url).content.decode()
        assert page.count("<form method=\"post\"") == page.count("csrfmiddlewaretoken"), url
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = guest.cookies
    assert csrf_client.post("/checkout/place/", {}).status_code == 403


def test_card_fields_have_no_name_so_the_number_never_reaches_the_shop(guest):
    to_payment(guest)

    page = guest.get("/checkout/payment/").content.decode()

    assert re.search(r'<input id="card-number"[^>]*>', page)
    assert 'name="number"' not in page and "card-number\" name" not in page
    for label in ["Card number", "Expiry month", "Expiry year", "Security code", "Card",
                  "PayPal", "Cash on delivery", "Gift card"]:
        assert f">{label}</label>" in page
    assert "storefront/checkout.js" in page
