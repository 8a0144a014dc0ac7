"""Issue 7 in a real browser: a guest returns an item for a dearer variant and pays the
difference by card (tokenised by checkout.js in the browser, 3-D Secure included)."""

import json
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.shop import (
    BERLIN,
    CANDLE,
    GOOD_CARD,
    add_to_cart,
    button,
    field,
    messages,
    pay_by_card,
    place_order,
    to_address_step,
    to_review_by_card,
)

THREE_DS_CARD = "4000 0027 6000 3184"


def shipped_guest_order(page, server) -> tuple[str, str]:
    """A guest buys the candle by card; the warehouse ships it (in the server's database)."""
    email = f"returner-{uuid.uuid4().hex[:10]}@example.com"
    add_to_cart(page, CANDLE[0])
    to_address_step(page, guest_email=email)
    to_review_by_card(page, GOOD_CARD, address=BERLIN)
    number = place_order(page)
    server.shell(
        "from mercato.core.events import Actor\n"
        "from mercato.orders.models import Order\n"
        "from mercato.orders.services import mark_shipment_shipped, pack_shipments,"
        " release_shipment\n"
        "staff = Actor('staff', 'e2e')\n"
        f"for s in Order.objects.get(number={number!r}).shipments.all():\n"
        "    release_shipment(public_id=s.public_id, by=staff)\n"
        "    pack_shipments(public_ids=[s.public_id], by=staff)\n"
        "    mark_shipment_shipped(public_id=s.public_id, carrier='DHL',"
        " tracking_number='00340434161094042557', tracking_url='', weight_grams=None,"
        " by=staff)\n")
    return number, email


def add_dearer_variant(server, number: str, name: str) -> str:
    """A variant of the bought product costing 5.00 more, in stock; its price difference."""
    out = server.shell(
        "from decimal import Decimal\n"
        "from mercato.catalog.models import ProductVariant, VariantPrice\n"
        "from mercato.core.events import Actor\n"
        "from mercato.inventory.models import Warehouse\n"
        "from mercato.inventory.services import set_stock_level\n"
        "from mercato.orders.models import Order\n"
        f"line = Order.objects.get(number={number!r}).lines.get()\n"
        "old = line.variant\n"
        f"new = ProductVariant.objects.create(product=old.product, sku=old.sku + '-{name[:3]}',"
        f" name={name!r}, position=99)\n"
        "VariantPrice.objects.create(variant=new, currency='EUR',"
        " amount=line.unit_price + Decimal('5.00'))\n"
        "for w in Warehouse.objects.all():\n"
        "    set_stock_level(variant_id=new.pk, warehouse_id=w.pk, on_hand=5,"
        " by=Actor('staff', 'e2e'))\n"
        "print(new.sku)\n")
    return out.strip().splitlines()[-1]


def request_exchange(page, number: str, email: str, variant_name: str) -> None:
    """Find the order as a guest and ask to exchange the candle for `variant_name`."""
    page.goto("/orders/lookup/")
    field(page, "Order number").fill(number)
    field(page, "Email address").fill(email)
    button(page, "Find order").click()
    button(page, "Return items").click()
    page.wait_for_url(re.compile(r"/return/"))
    line = page.locator("fieldset.return-line").first
    line.get_by_label("Quantity to return").select_option("1")
    line.get_by_label("Reason").select_option("does_not_fit")
    line.get_by_label("Exchange", exact=True).check()
    choice = line.get_by_label("Exchange for")
    option = choice.locator("option", has_text=variant_name)
    expect(option).to_contain_text("+€5.00 to pay")
    choice.select_option(label=option.inner_text().strip())
    button(page, "Request return").click()
    page.wait_for_url(re.compile(r"/orders/returns/RMA-[^/]+/"))


def payments_of(server, rma: str) -> list[str]:
    out = server.shell(
        "import json\n"
        "from mercato.payments.models import Payment\n"
        f"print(json.dumps(list(Payment.objects.filter(reference={rma!r}).order_by('pk')"
        ".values_list('status', flat=True))))\n")
    return json.loads(out.strip().splitlines()[-1])


def rma_of(page) -> str:
    return re.search(r"/orders/returns/(RMA-[^/]+)/", page.url)[1]


def test_7_a_guest_exchanges_for_a_dearer_variant_and_pays_the_difference(page, server):
    number, email = shipped_guest_order(page, server)
    add_dearer_variant(server, number, "Grand")
    request_exchange(page, number, email, "Grand")
    main = page.locator("main")
    expect(main).to_contain_text("€5.00")
    expect(main).to_contain_text(re.compile(r"ships once .*paid", re.IGNORECASE))

    pay_by_card(page, GOOD_CARD)
    button(page, "Pay €5.00").click()

    expect(main).to_contain_text("Thank you: we received your payment of €5.00.")
    assert payments_of(server, rma_of(page)) == ["Authorized"]
    expect(button(page, "Pay €5.00")).to_have_count(0)


def test_7b_the_difference_paid_with_3d_secure_is_confirmed_after_the_bank(page, server):
    number, email = shipped_guest_order(page, server)
    add_dearer_variant(server, number, "Royal")
    request_exchange(page, number, email, "Royal")
    rma = rma_of(page)

    pay_by_card(page, THREE_DS_CARD)
    button(page, "Pay €5.00").click()
    page.wait_for_url(re.compile(r"/test-gateway/3ds/"))
    button(page, "Complete authentication").click()
    page.wait_for_url(re.compile(rf"/orders/returns/{rma}/"))
    button(page, "Complete payment").click()

    expect(page.locator("main")).to_contain_text(
        "Thank you: we received your payment of €5.00.", timeout=10_000)
    assert payments_of(server, rma) == ["Authorized"], messages(page)
