import pytest
from django.urls import reverse


def section(response, name: str) -> dict:
    return next(app for app in response.context["app_list"] if app["name"] == name)


@pytest.mark.django_db
def test_index_shows_the_back_office_sections_in_order(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert response.status_code == 200
    names = [app["name"] for app in response.context["app_list"]]
    assert names[:4] == ["Catalog", "Order Management", "Customers", "System"]


@pytest.mark.django_db
def test_order_management_section_holds_orders_carts_and_shipping_receiving(staff_client):
    response = staff_client.get(reverse("admin:index"))

    models = section(response, "Order Management")["models"]
    assert [model["name"] for model in models] == [
        "Purchase orders", "Carts", "Released for Shipping", "Picklists", "Shipped", "Shipments",
        "Returns to Approve", "Awaiting Stock Return", "Awaiting Completion", "Returns",
        "Receiving receipts"]
    assert models[0]["admin_url"] == reverse("admin:orders_order_changelist")
    assert models[1]["admin_url"] == reverse("admin:cart_cart_changelist")
    shipments = reverse("admin:orders_shipment_changelist")
    assert models[2]["admin_url"] == f"{shipments}?status__exact=Released"
    assert models[2]["add_url"] is None
    assert models[4]["admin_url"] == f"{shipments}?status__exact=Shipped"
    assert b"Order Management" in response.content


@pytest.mark.django_db
def test_catalog_section_holds_products_variants_and_stock(staff_client):
    response = staff_client.get(reverse("admin:index"))

    names = [model["object_name"] for model in section(response, "Catalog")["models"]]
    assert names[:2] == ["Product", "ProductVariant"]
    assert {"Category", "Brand", "Warehouse", "Stock"} <= set(names)


@pytest.mark.django_db
def test_customers_section_holds_users_addresses_tokens_groups_and_lockouts(staff_client):
    response = staff_client.get(reverse("admin:index"))

    names = [model["object_name"] for model in section(response, "Customers")["models"]]
    assert names == ["User", "Address", "ApiToken", "Group", "AccessAttempt"]


@pytest.mark.django_db
def test_no_model_is_listed_twice(staff_client):
    response = staff_client.get(reverse("admin:index"))

    urls = [model["admin_url"] for app in response.context["app_list"]
            for model in app["models"]]
    assert len(urls) == len(set(urls))


@pytest.mark.django_db
def test_section_page_lists_its_models(staff_client):
    response = staff_client.get(reverse("admin:section", kwargs={"slug": "order-management"}))

    assert response.status_code == 200
    assert [app["name"] for app in response.context["app_list"]] == ["Order Management"]
    assert b"Carts" in response.content


@pytest.mark.django_db
def test_unknown_section_is_not_found(staff_client):
    response = staff_client.get(reverse("admin:section", kwargs={"slug": "nowhere"}))

    assert response.status_code == 404


@pytest.mark.django_db
def test_sidebar_marks_no_section_as_current_on_a_model_page(staff_client):
    response = staff_client.get(reverse("admin:cart_cart_changelist"))

    assert response.status_code == 200
    assert b"current-app" not in response.content
    assert b"current-model" in response.content


@pytest.mark.django_db
def test_index_needs_a_staff_login(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
