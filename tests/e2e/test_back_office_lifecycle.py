"""Issue 12, item 1: an order's whole life in the back office, in a real browser, by clicking
the buttons of the order's, shipment's, picklist's and returns' pages as the staff roles do.

A guest buys two products on the storefront. Customer Service (orders.change_order) holds and
releases the order and releases its shipment for shipping on the order's page; the Warehouse
adds the shipment to a picklist (it is then Packing), prints the picklist and the packing slip
(PDFs) and ships it with a DHL tracking number. Customer Service opens a return of the candle in
the back office (staff returns need no approval); the shopper asks to return the candle set on
the storefront and Customer Service approves it. The Warehouse receives both; Customer Service
refunds them, which completes them. Every click lands on a page with the success message and the new
state, never an error page; the database agrees at the end.
"""

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.shop import (
    BERLIN,
    CANDLE,
    CANDLE_SET,
    GOOD_CARD,
    add_to_cart,
    button,
    field,
    place_order,
    to_address_step,
    to_review_by_card,
)

PASSWORD = "back-office-e2e-9"
DHL_TRACKING = "3318810025"  # DHL Express, valid mod-7 check digit (reference/external.md)


@dataclass
class Staff:
    """A logged-in staff member's page, and every error page it has met."""

    page: Page
    errors: list[str]

    def ok(self) -> None:
        assert self.errors == [], self.errors

    def done(self, text: str) -> None:
        """The page shows `text` as a success message and nothing went wrong on the way."""
        expect(self.page.locator(".messagelist .success")).to_contain_text(text)
        expect(self.page.locator(".messagelist .error")).to_have_count(0)
        self.ok()

    def status(self, text: str) -> None:
        """The change page's read-only status field."""
        expect(self.page.locator(".field-status .readonly")).to_have_text(text)

    def press(self, name: str, scope: object = None) -> None:
        with self.page.expect_navigation():
            button(scope or self.page, name).click()

    def pdf(self, link_name: str) -> bytes:
        """Follow a "Print ..." link (it opens a new tab): the PDF it answers."""
        link = self.page.get_by_role("link", name=link_name, exact=True)
        response = self.page.request.get(link.get_attribute("href"))
        assert response.status == 200, response.status
        assert response.headers["content-type"] == "application/pdf"
        body = response.body()
        assert body.startswith(b"%PDF-"), body[:40]
        return body


def create_staff(server, email: str, role: str) -> None:
    server.shell(
        "from django.contrib.auth.models import Group\n"
        "from mercato.customers.models import User\n"
        f"user = User.objects.create_user({email!r}, {PASSWORD!r}, is_staff=True)\n"
        f"user.groups.add(Group.objects.get(name={role!r}))\n")


@pytest.fixture
def staff(browser, server) -> Iterator[object]:
    """Open a logged-in back office for a new staff member of `role`; screenshots at the end."""
    contexts = []

    def open_as(role: str) -> Staff:
        email = f"{role.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
        create_staff(server, email, role)
        context = browser.new_context(base_url=server.url, locale="en-US",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append((role, context))
        page = context.new_page()
        errors: list[str] = []
        page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 400 and r.request.resource_type == "document" else None)
        page.goto("/admin/login/?next=/admin/")
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            button(page, "Log in").click()
        expect(page.locator("#user-tools")).to_contain_text(re.compile("log out", re.I))
        return Staff(page, errors)

    yield open_as
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    for role, context in contexts:
        try:
            context.pages[-1].screenshot(
                path=str(SCREENSHOTS / f"back-office-{role.split()[0].lower()}.png"),
                full_page=True)
        except Exception as error:  # a screenshot must not hide the test's result
            print(f"screenshot of {role} failed: {error}")
        context.close()


def guest_buys_two_products(page: Page) -> tuple[str, str]:
    email = f"lifecycle-{uuid.uuid4().hex[:10]}@example.com"
    add_to_cart(page, CANDLE[0])
    add_to_cart(page, CANDLE_SET[0])
    to_address_step(page, guest_email=email)
    to_review_by_card(page, GOOD_CARD, address=BERLIN)
    return place_order(page), email


def ids_of(server, number: str) -> dict:
    out = server.shell(
        "import json\n"
        "from mercato.orders.models import Order\n"
        f"order = Order.objects.get(number={number!r})\n"
        "print(json.dumps({'order': order.pk, 'shipments': [[s.pk, s.number] for s in"
        " order.shipments.order_by('pk')]}))\n")
    return json.loads(out.strip().splitlines()[-1])


def states_of(server, number: str) -> dict:
    out = server.shell(
        "import json\n"
        "from django.db.models import Sum\n"
        "from mercato.orders.models import Order\n"
        "from mercato.payments.models import Payment, Transaction\n"
        f"order = Order.objects.get(number={number!r})\n"
        "returns = order.returns.order_by('pk')\n"
        "returned = [l.order_line for r in returns for l in r.lines.all()]\n"
        "payments = Payment.objects.filter(reference=order.number)\n"
        "print(json.dumps({'order': order.status, 'delivery': str(order.delivery_total),"
        " 'shipments': [s.status for s in order.shipments.order_by('pk')],"
        " 'tracking': [s.tracking_number for s in order.shipments.order_by('pk')],"
        " 'returns': [r.status for r in returns],"
        " 'payments': [p.status for p in payments],"
        " 'paid_for_returned': str(sum(l.amount for l in returned)),"
        " 'refunds': str(sum(r.refunds.filter(succeeded=True).aggregate(s=Sum('amount'))['s']"
        " or 0 for r in returns)),"
        " 'refunded': str(Transaction.objects.filter(payment__in=payments, kind='refund',"
        " succeeded=True).aggregate(s=Sum('amount'))['s'])}))\n")
    return json.loads(out.strip().splitlines()[-1])


def shopper_asks_to_return(page: Page, number: str, email: str, title: str) -> str:
    """The guest finds the order and asks for a refund of one `title`; the RMA."""
    page.goto("/orders/lookup/")
    field(page, "Order number").fill(number)
    field(page, "Email address").fill(email)
    button(page, "Find order").click()
    button(page, "Return items").click()
    page.wait_for_url(re.compile(r"/return/"))
    line = page.locator("fieldset.return-line").filter(has_text=title)
    line.get_by_label("Quantity to return").select_option("1")
    line.get_by_label("Reason").select_option("changed_mind")
    button(page, "Request return").click()
    page.wait_for_url(re.compile(r"/orders/returns/RMA-[^/]+/"))
    return re.search(r"/orders/returns/(RMA-[^/]+)/", page.url)[1]


def test_an_order_lives_its_whole_life_by_the_back_office_buttons(page, server, staff):
    number, email = guest_buys_two_products(page)
    ids = ids_of(server, number)
    [(shipment_pk, shipment_number)] = ids["shipments"]
    service, warehouse = staff("Customer Service"), staff("Warehouse")

    # Customer Service finds the order and works its page.
    cs = service.page
    cs.goto("/admin/orders/order/")
    cs.locator("#searchbar").fill(number)
    cs.locator("#searchbar").press("Enter")
    cs.get_by_role("link", name=number, exact=True).click()
    cs.wait_for_url(re.compile(rf"/admin/orders/order/{ids['order']}/change/"))
    service.status("In Progress")
    cs.locator("#order-actions #reason-hold").fill("customer asked to wait")
    service.press("Put on hold", cs.locator("#order-actions"))
    service.done(f"Order {number} is on hold.")
    service.status("On Hold")
    service.press("Release hold", cs.locator("#order-actions"))
    service.done(f"Order {number} is released from hold.")
    service.status("In Progress")
    row = cs.locator(f"#shipment-{shipment_number}")
    service.press("Release for shipping", row)
    service.done(f"Shipment {shipment_number} is released for shipping.")
    expect(cs.locator(f"#shipment-{shipment_number}")).to_contain_text("Released for shipping")

    # The Warehouse picks it from "Released for Shipping", packs and ships it.
    wh = warehouse.page
    wh.goto("/admin/orders/shipment/?status__exact=Released")
    wh.get_by_role("link", name=shipment_number, exact=True).click()
    wh.wait_for_url(re.compile(rf"/admin/orders/shipment/{shipment_pk}/change/"))
    warehouse.status("Released for shipping")
    warehouse.pdf("Print packing slip")
    warehouse.press("Add to a new picklist")
    warehouse.done("they are now Packing")
    assert re.search(r"/admin/fulfilment/picklist/\d+/change/", wh.url), wh.url
    warehouse.pdf("Print picklist")
    expect(wh.locator("#content")).to_contain_text(CANDLE[1])
    wh.get_by_role("link", name=shipment_number, exact=True).click()
    wh.wait_for_url(re.compile(rf"/admin/orders/shipment/{shipment_pk}/change/"))
    warehouse.status("Packing")
    ship = wh.locator("#ship-form")
    ship.get_by_label("Carrier:").fill("DHL")
    ship.get_by_label("Tracking number:").fill(DHL_TRACKING)
    ship.get_by_label("Weight (g):").fill("850")
    warehouse.press("Mark shipped", ship)
    warehouse.done(f"Shipment {shipment_number} is shipped.")
    warehouse.status("Shipped")
    expect(wh.locator(".field-tracking")).to_contain_text(DHL_TRACKING)

    # Customer Service opens a return of the candle (approved at once: staff opened it).
    cs.goto("/admin/returns/returnrequest/add/")
    cs.get_by_label("Order number:").fill(number)
    cs.get_by_role("button", name="Find order").click()
    candle_row = cs.locator("#return-form tr").filter(has_text=CANDLE[1])
    candle_row.get_by_label(re.compile("Quantity to return of")).fill("1")
    candle_row.get_by_label("Reason").select_option("changed_mind")
    service.press("Open return")
    service.done("is opened.")
    service.status("Awaiting stock return")
    staff_return = cs.url
    service.pdf("Print return instructions")

    # The shopper asks to return the candle set; Customer Service approves it.
    rma = shopper_asks_to_return(page, number, email, CANDLE_SET[1])
    cs.goto("/admin/returns/returnrequest/?status__exact=Requested")
    cs.get_by_role("link", name=rma, exact=True).click()
    service.status("Requested")
    service.press("Approve", cs.locator("#return-actions"))
    service.done(f"Return {rma} is approved.")
    service.status("Awaiting stock return")
    shopper_return = cs.url

    # The Warehouse receives both parcels; Customer Service refunds each (that completes it).
    for url in (staff_return, shopper_return):
        wh.goto(url)
        warehouse.press("Record receipt", wh.locator("#receive-form"))
        warehouse.done("is received; the receiving receipt is issued.")
        warehouse.status("Awaiting completion")
        wh.locator(".field-receipt_link a").click()
        warehouse.pdf("Print receipt")

        cs.goto(url)
        service.press("Refund", cs.locator("#refund-form"))
        service.done("is refunded.")
        expect(cs.locator(".inline-group").filter(has_text="Refunds")).to_contain_text("€")
        service.status("Complete")  # refunded and received: nothing is left to do

    states = states_of(server, number)
    assert states["order"] == "Completed", states
    assert states["shipments"] == ["Shipped"], states
    assert states["tracking"] == [DHL_TRACKING], states
    assert states["returns"] == ["Complete", "Complete"], states
    # Both lines came back: the card is refunded all but the delivery (if it cost anything).
    delivery_paid = Decimal(states["delivery"]) > 0
    assert states["payments"] == ["PartiallyRefunded" if delivery_paid else "Refunded"], states
    paid = Decimal(states["paid_for_returned"])
    assert paid > 0
    assert Decimal(states["refunds"]) == paid == Decimal(states["refunded"]), states
    service.ok()
    warehouse.ok()
