"""What a shopper does on the storefront, step by step, selected by the texts and labels the
storefront brief fixes (labels, button texts, data-testid) — not by CSS structure."""

import re
from dataclasses import dataclass

from playwright.sync_api import Page, expect

# Deterministic demo catalog (seed_demo --products 60 --seed 42): single-variant products.
CANDLE = ("alpine-scented-candle-000024", "Alpine Scented Candle", "Ashgrove")
CANDLE_SET = ("meadow-candle-set-000029", "Meadow Candle Set", "Fjordline")
CASSEROLE = ("relaxed-casserole-000044", "Relaxed Casserole", "MRC-000044")
PAN = ("weekend-frying-pan-000020", "Weekend Frying Pan", "MRC-000020")

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
DEMO_CUSTOMER = ("customer@example.com", "mercato-demo")


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    street: str
    city: str
    postal_code: str
    country: str  # ISO code, the <select>'s value
    phone: str = ""


BERLIN = Address("Max", "Muster", "Unter den Linden 1", "Berlin", "10117", "DE", "030 1234567")
HAMBURG = Address("Lena", "Muster", "Jungfernstieg 7", "Hamburg", "20354", "DE", "040 7654321")


def field(page: Page, label: str) -> object:
    return page.get_by_label(label, exact=True)


def button(page: Page, text: str) -> object:
    return page.get_by_role("button", name=text, exact=True)


def messages(page: Page) -> str:
    """The text of every message and field error on the page."""
    parts = page.locator(".messages, .field-error, .errorlist, [role=alert]").all_inner_texts()
    return " ".join(parts)


def search(page: Page, words: str) -> None:
    page.goto("/")
    field(page, "Search products").fill(words)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?"))


def add_to_cart(page: Page, slug: str, quantity: int = 1) -> None:
    page.goto(f"/p/{slug}/")
    if quantity != 1:
        field(page, "Quantity").fill(str(quantity))
    press_add_to_cart(page)


def press_add_to_cart(page: Page) -> None:
    """Press "Add to cart" on a product page and wait until the cart has answered."""
    with page.expect_response(lambda r: "/cart/add/" in r.url and r.request.method == "POST"):
        button(page, "Add to cart").click()
    page.wait_for_load_state()


def cart_lines(page: Page) -> str:
    page.goto("/cart/")
    return page.locator("main").inner_text()


def start_checkout(page: Page) -> None:
    page.goto("/cart/")
    page.get_by_role("link", name="Checkout").or_(button(page, "Checkout")).first.click()
    page.wait_for_url(re.compile(r"/checkout/"))


def continue_as_guest(page: Page, email: str) -> None:
    field(page, "Email address").fill(email)
    button(page, "Continue as guest").click()
    page.wait_for_url(re.compile(r"/checkout/address/"))


def fill_address(page: Page, address: Address, scope: object = None) -> None:
    where = scope or page
    field(where, "First name").fill(address.first_name)
    field(where, "Last name").fill(address.last_name)
    field(where, "Street address").fill(address.street)
    field(where, "City").fill(address.city)
    field(where, "Postal code").fill(address.postal_code)
    field(where, "Country").select_option(address.country)
    if address.phone:
        field(where, "Phone").fill(address.phone)


def continue_to(page: Page, step: str) -> None:
    """Press "Continue" and land on /checkout/<step>/."""
    button(page, "Continue").click()
    try:
        page.wait_for_url(re.compile(rf"/checkout/{step}/"))
    except Exception as error:
        raise AssertionError(f"not on /checkout/{step}/ but {page.url}: {messages(page)}") \
            from error


def choose_first_delivery(page: Page) -> None:
    radios = page.locator("main input[type=radio]:visible")
    if radios.count() and not page.locator("main input[type=radio]:checked").count():
        radios.first.check()


def pay_by_card(page: Page, number: str) -> None:
    page.get_by_label("Card", exact=True).check()
    field(page, "Card number").fill(number)
    field(page, "Expiry month").fill("12")
    field(page, "Expiry year").fill("2030")
    field(page, "Security code").fill("123")


def place_order(page: Page) -> str:
    """Press "Place order" on the review page; the number on the confirmation page."""
    button(page, "Place order").click()
    number = page.get_by_test_id("order-number")
    try:
        expect(number).to_be_visible()
    except AssertionError as error:
        raise AssertionError(f"no confirmation at {page.url}: {messages(page)}") from error
    assert re.search(r"/checkout/done/[^/]+/", page.url), page.url
    return number.inner_text().strip()


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/account/login/")
    field(page, "Email address").fill(email)
    field(page, "Password").fill(password)
    button(page, "Log in").click()
    expect(page.get_by_role("link", name="My account")).to_be_visible()


def register(page: Page, email: str, password: str = "correct-horse-battery-9") -> None:
    page.goto("/account/register/")
    field(page, "Email address").fill(email)
    field(page, "First name").fill("Ada")
    field(page, "Last name").fill("Tester")
    field(page, "Password").fill(password)
    page.locator("main form").get_by_role("button").last.click()
    try:
        expect(page.get_by_role("link", name="My account")).to_be_visible()
    except AssertionError as error:
        raise AssertionError(f"registration failed at {page.url}: {messages(page)}") from error


KNIFE = ("coastal-carbon-steel-chefs-knife-000007", "Coastal Carbon Steel Chef's Knife",
         "MRC-000007")
RING = ("alpine-ring-000005", "Alpine Ring", "MRC-000005")


def to_address_step(page: Page, guest_email: str | None = None) -> None:
    """From the cart to /checkout/address/: as a guest with an email, or logged in."""
    start_checkout(page)
    if "/checkout/address/" in page.url:
        return
    if guest_email:
        continue_as_guest(page, guest_email)
    else:
        button(page, "Continue").click()
        page.wait_for_url(re.compile(r"/checkout/address/"))


def to_review_by_card(page: Page, card: str, address: Address | None = None) -> None:
    """From the address step to the review page: `address` typed in (or the preselected/saved
    one), the first delivery method, a test card."""
    if address:
        fill_address(page, address)
    continue_to(page, "delivery")
    choose_first_delivery(page)
    continue_to(page, "payment")
    pay_by_card(page, card)
    continue_to(page, "review")


def orders_of(server: object, email: str) -> list[dict]:
    """The e2e database's orders of `email` (number, status as the shopper reads it, shipments)."""
    import json

    out = server.shell(
        "import json\n"
        "from mercato.orders.models import Order\n"
        "from mercato.orders.rules import order_label\n"
        f"rows = Order.objects.filter(email={email!r}).order_by('pk')\n"
        "print(json.dumps([{'number': o.number,"
        " 'status': order_label(o.status, is_delivered=False),"
        " 'shipments': [s.city for s in o.shipments.order_by('pk')]} for o in rows]))\n"
    )
    return json.loads(out.strip().splitlines()[-1])
