import pytest
from django.contrib import admin
from django.urls import reverse

from tests.admin.helpers import nested_forms

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
EXPECTED = {
    "auth.Group", "cart.Cart", "catalog.Attribute", "catalog.Brand", "catalog.Category",
    "catalog.Product", "catalog.ProductType", "catalog.ProductVariant", "catalog.Tag",
    "core.Event", "customers.Address", "customers.ApiToken", "customers.User",
    "inventory.Stock", "inventory.Warehouse", "orders.Order", "notifications.SentEmail",
    "orders.Shipment", "fulfilment.Picklist",
}


def admin_url(model, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_back_office_model_is_registered():
    assert {model._meta.label for model in REGISTERED} >= EXPECTED


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_renders(staff_client, shop, model):
    assert model.objects.exists()

    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_renders(staff_client, shop, model):
    obj = model.objects.order_by("pk").first()

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_page_renders_or_is_refused(staff_client, shop, model, rf, superuser):
    request = rf.get("/")
    request.user = superuser
    can_add = admin.site._registry[model].has_add_permission(request)

    response = staff_client.get(admin_url(model, "add"))

    assert response.status_code == (200 if can_add else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_search_renders(staff_client, shop, model):
    response = staff_client.get(admin_url(model, "changelist"), {"q": "a"})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_form_is_nested_in_the_change_form(staff_client, shop, model):
    # Every object: the order, shipment and return pages offer other buttons in other states.
    for obj in model.objects.order_by("pk"):
        response = staff_client.get(admin_url(model, "change", obj.pk))

        assert nested_forms(response.content.decode()) == [], obj
