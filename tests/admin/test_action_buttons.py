"""Every button of the order, shipment and return pages, in every state that draws it, as each
staff role sees it: its own form (never nested in the change form) posts, with the page's
CSRF token as a browser sends it, to a URL that answers the role that saw the button with a
redirect to a page — never a 403 (issue 12: "Release for shipping" answered a blank 403)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from mercato.fulfilment.roles import CUSTOMER_SERVICE, WAREHOUSE
from tests.admin.every_state import make_every_state
from tests.admin.helpers import action_forms, nested_forms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("superuser", CUSTOMER_SERVICE, WAREHOUSE)
# The buttons drawn in a state where their service may still refuse, with a message saying
# what is missing first (the page says it too, or the button has a choice that would pass).
EXPLAINED_REFUSALS = (
    ("Complete", r"The replacement has not shipped yet\."),
    ("Complete", r"[\d.]+ is still to be refunded\."),
    ("Ship replacement", r"The customer has .* to pay"),  # the difference is unpaid (waivable)
    ("Refund", r"Nothing is left to refund"),  # an exchange: only the delivery, when ticked
)


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def browser_of(role: str) -> Client:
    """A client that checks CSRF tokens as the live site does, logged in as `role`."""
    if role == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def pages() -> list[str]:
    return [change_url(obj) for obj in make_every_state()]


def test_the_states_draw_every_button(pages):
    client = browser_of("superuser")
    drawn = {name for url in pages
             for form in action_forms(client.get(url).content.decode())
             for name, _ in form["buttons"]}

    assert drawn >= {
        "_capture", "_hold", "_release_hold", "_cancel", "_release",  # order and shipment
        "_picklist", "_ship", "_deliver",  # shipment
        "_approve", "_reject", "_complete", "_receive", "_refund", "_replace", "_waive",  # return
    }


def test_no_form_is_nested_on_any_page_in_any_state(pages):
    for role in ROLES:
        client = browser_of(role)
        for url in pages:
            response = client.get(url)
            if response.status_code == 403:  # the role does not see that page
                continue
            assert response.status_code == 200, (role, url)
            assert nested_forms(response.content.decode()) == [], (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_every_button_a_role_sees_answers_it(pages, role):
    client = browser_of(role)
    pressed, failed, refusals = 0, [], []
    for url in pages:
        page = client.get(url)
        if page.status_code == 403:
            continue
        for form in action_forms(page.content.decode()):
            [(button, label)] = form["buttons"]
            with transaction.atomic():  # each button from the page's state, undone after
                response = client.post(form["action"], {**form["data"], button: label},
                                       follow=True)
                refused = [str(message) for message in get_messages(response.wsgi_request)
                           if message.level_tag == "error"]
                transaction.set_rollback(True)
            pressed += 1
            [(landing, status), *_] = response.redirect_chain or [("", response.status_code)]
            if status != 302 or response.status_code != 200 or not landing.startswith("/admin/"):
                failed.append((f"“{label}” on {url} posts to {form['action']}", status,
                               response.status_code, refused))
            refusals.extend((label, message) for message in refused)
    assert pressed, f"{role} saw no button"
    assert not failed, "\n".join(map(str, failed))
    unexplained = [(label, message) for label, message in refusals
                   if not any(label == known and re.match(pattern, message)
                              for known, pattern in EXPLAINED_REFUSALS)]
    assert not unexplained, "\n".join(map(str, unexplained))


def test_an_order_on_hold_offers_no_release_pack_or_ship_of_its_shipments():
    objects = make_every_state()
    order = next(obj for obj in objects if getattr(obj, "status", "") == "OnHold"
                 and obj._meta.model_name == "order")
    shipment = order.shipments.get()
    assert shipment.status == "Released"
    client = browser_of("superuser")

    order_page = client.get(change_url(order)).content.decode()
    shipment_page = client.get(change_url(shipment)).content.decode()

    assert "_release_hold" in names_of(order_page)  # the order's own hold, to release
    assert "_release" not in names_of(order_page)
    assert "_hold" in names_of(shipment_page)
    assert {"_release", "_picklist", "_ship"}.isdisjoint(names_of(shipment_page))
    assert f"Order {order.number} is on hold: release its hold" in shipment_page


def names_of(html: str) -> set[str]:
    return {name for form in action_forms(html) for name, _ in form["buttons"]}
