"""Staff roles: the groups `migrate` makes, what each may see and do in the back office."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.fulfilment.roles import (
    ADMINISTRATOR,
    CUSTOMER_SERVICE,
    MERCHANDISER,
    ROLES,
    WAREHOUSE,
    permissions_for,
)
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.orders.services import release_shipment
from mercato.orders.states import ShipmentStatus
from mercato.payments.models import Payment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.orders.test_admin import pay

STAFF = Actor("staff", "lead@example.com")


def names(group: Group) -> set[str]:
    return {f"{app}.{codename}" for app, codename in
            group.permissions.values_list("content_type__app_label", "codename")}


def staff_in(client, role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def state(order: Order) -> tuple:
    order.refresh_from_db()
    return (order.status,
            list(order.shipments.order_by("pk").values_list("status", flat=True)),
            list(Payment.objects.filter(reference=order.number).values_list("status", flat=True)),
            Event.objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")))


@pytest.fixture
def order(db):
    order = place(make_quote())
    pay(order)
    return order


# --- the table ----------------------------------------------------------------------------------

def test_patterns_match_app_and_codename():
    available = [(1, "orders.view_order"), (2, "orders.change_order"), (3, "catalog.view_tag"),
                 (4, "cart.view_cart")]

    assert permissions_for(("orders.*",), available) == {1, 2}
    assert permissions_for(("*.view_*",), available) == {1, 3, 4}
    assert permissions_for(("returns.*",), available) == set()


@pytest.mark.django_db
def test_migrate_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.django_db
def test_roles_hold_the_permissions_of_their_work():
    customer_service, warehouse, merchandiser, administrator = (
        names(Group.objects.get(name=role))
        for role in (CUSTOMER_SERVICE, WAREHOUSE, MERCHANDISER, ADMINISTRATOR))

    assert {"orders.view_order", "orders.change_order", "customers.view_user"} <= customer_service
    assert "customers.change_user" not in customer_service  # its form edits is_superuser
    assert {"orders.view_shipment", "orders.change_shipment", "fulfilment.add_picklist",
            "fulfilment.view_picklist", "inventory.change_stock"} <= warehouse
    assert "orders.change_order" not in warehouse
    assert {"catalog.change_product", "pricing.add_promotion", "pricing.change_taxrate"} \
        <= merchandiser
    assert not {name for name in merchandiser if name.startswith(("orders.", "cart."))}
    assert administrator >= customer_service | warehouse | merchandiser | {"auth.change_group"}


@pytest.mark.django_db
def test_setup_roles_restores_a_changed_group():
    warehouse = Group.objects.get(name=WAREHOUSE)
    expected = names(warehouse)
    warehouse.permissions.add(Permission.objects.get(codename="change_order"))
    Group.objects.filter(name=MERCHANDISER).delete()

    call_command("setup_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert names(Group.objects.get(name=WAREHOUSE)) == expected
    assert Group.objects.filter(name=MERCHANDISER).exists()
    assert names(Group.objects.get(name=ADMINISTRATOR)) == {
        f"{app}.{codename}" for app, codename in
        Permission.objects.values_list("content_type__app_label", "codename")}


# --- what each role sees and does ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_merchandiser_cannot_see_orders_shipments_or_carts(client, order):
    staff_in(client, MERCHANDISER)

    for url in (reverse("admin:orders_order_changelist"),
                reverse("admin:orders_order_change", args=[order.pk]),
                reverse("admin:orders_shipment_changelist"),
                reverse("admin:fulfilment_picklist_changelist"),
                reverse("admin:cart_cart_changelist")):
        assert client.get(url).status_code == 403, url
    index = client.get(reverse("admin:index"))
    assert "Order Management" not in [app["name"] for app in index.context["app_list"]]
    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
    assert client.get(reverse("admin:pricing_promotion_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_warehouse_user_cannot_capture_or_cancel_with_refund(client, order):
    staff_in(client, WAREHOUSE)
    shipment = order.shipments.get()
    before = state(order)

    for url in (reverse("admin:orders_order_act", args=[order.pk, "capture"]),
                reverse("admin:orders_order_act", args=[order.pk, "cancel"]),
                reverse("admin:orders_order_shipment_act",
                        args=[order.pk, shipment.pk, "cancel"]),
                reverse("admin:orders_shipment_act", args=[shipment.pk, "cancel"])):
        response = client.post(url, {"reason": "nope"})
        assert response.status_code == 403, url

    assert state(order) == before


@pytest.mark.django_db
def test_a_warehouse_user_sees_no_money_buttons_but_does_warehouse_work(client, order):
    staff_in(client, WAREHOUSE)
    shipment = order.shipments.get()

    page = client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    labels = [item["action"].label for item in page.context["shipment_actions"]]
    assert "Cancel shipment" not in labels and "Release for shipping" in labels

    client.post(reverse("admin:orders_shipment_act", args=[shipment.pk, "release"]))
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.RELEASED
    released = client.get(reverse("admin:orders_shipment_changelist"),
                          {"status__exact": "Released"})
    assert [s.number for s in released.context["cl"].result_list] == [shipment.number]


@pytest.mark.django_db
def test_customer_service_captures_and_cancels_but_does_not_ship(client, order):
    staff_in(client, CUSTOMER_SERVICE)
    shipment = order.shipments.get()
    release_shipment(public_id=shipment.public_id, by=STAFF)

    client.post(reverse("admin:orders_order_act", args=[order.pk, "capture"]))
    assert Payment.objects.get(reference=order.number).status == "Captured"
    response = client.post(reverse("admin:orders_shipment_ship", args=[shipment.pk]),
                           {"carrier": "Other", "tracking_number": "X1"})
    assert response.status_code == 403
    client.post(reverse("admin:orders_order_act", args=[order.pk, "cancel"]),
                {"reason": "customer asked"})
    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.CANCELLED


@pytest.mark.django_db
def test_staff_without_a_role_sees_nothing_of_order_management(client, order):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403
    assert client.get(reverse("admin:orders_shipment_changelist")).status_code == 403
