"""Issue 12's checkout choices in a real browser: the delivery method picked beside the address
stays picked through the htmx redraws, and a separate billing address reaches the order."""

import re
import uuid
from dataclasses import replace

from playwright.sync_api import expect

from tests.e2e.shop import (
    BERLIN,
    CANDLE,
    GOOD_CARD,
    add_to_cart,
    continue_to,
    field,
    fill_address,
    pay_by_card,
    place_order,
    to_address_step,
)


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def express(page):
    return page.get_by_label(re.compile(r"^Express —"))


def test_express_chosen_right_after_typing_the_phone_stays_chosen(page, server):
    add_to_cart(page, CANDLE[0])
    to_address_step(page, guest_email=unique_email("express"))
    fill_address(page, replace(BERLIN, phone=""))
    expect(express(page)).to_be_visible()

    # The phone is typed and, without leaving the field first, Express is clicked: leaving
    # the phone field redraws the methods while Express is being chosen.
    field(page, "Phone").fill(BERLIN.phone)
    with page.expect_response(lambda r: "/checkout/delivery-options/" in r.url):
        express(page).click()
    page.wait_for_load_state("networkidle")
    expect(express(page)).to_be_checked()

    continue_to(page, "delivery")
    expect(express(page)).to_be_checked()
    continue_to(page, "payment")
    pay_by_card(page, GOOD_CARD)
    continue_to(page, "review")
    expect(page.locator("main")).to_contain_text("Express")
    place_order(page)
    expect(page.locator("main")).to_contain_text("Express to")
