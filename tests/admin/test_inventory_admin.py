import pytest
from django.urls import reverse

from mercato.catalog.models import VariantPrice
from mercato.core.models import Event
from mercato.inventory.models import Stock
from tests.admin.helpers import count_queries, form_data
from tests.factories import (
    StockFactory,
    VariantPriceFactory,
    WarehouseFactory,
    make_sellable_variant,
)


def variant_page(variant_id: int) -> str:
    return reverse("admin:catalog_productvariant_change", args=[variant_id])


@pytest.mark.django_db
def test_editing_stock_on_the_variant_page_goes_through_the_service(staff_client, superuser):
    stock = StockFactory(on_hand=10, allocated=2, bin_location="A-1")
    url = variant_page(stock.variant_id)
    data = form_data(staff_client.get(url))
    data["stock_levels-0-on_hand"] = "25"
    data["stock_levels-0-bin_location"] = "B-2"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated, stock.bin_location) == (25, 2, "B-2")
    event = Event.objects.get(type="StockLevelSet")
    assert (event.payload["old_on_hand"], event.payload["new_on_hand"]) == (10, 25)
    assert event.actor == f"staff:{superuser.email}"


@pytest.mark.django_db
def test_adding_stock_in_another_warehouse_from_the_variant_page(staff_client):
    stock = StockFactory(on_hand=10)
    north = WarehouseFactory(code="north", name="North")
    url = variant_page(stock.variant_id)
    data = form_data(staff_client.get(url))
    data.update({"stock_levels-TOTAL_FORMS": "2", "stock_levels-1-warehouse": str(north.pk),
                 "stock_levels-1-on_hand": "4", "stock_levels-1-bin_location": ""})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert Stock.objects.get(variant_id=stock.variant_id, warehouse=north).on_hand == 4
    assert Event.objects.get(type="StockLevelSet").payload["warehouse"] == "north"


@pytest.mark.django_db
def test_saving_the_variant_page_unchanged_records_no_stock_event(staff_client):
    stock = StockFactory(on_hand=10)
    url = variant_page(stock.variant_id)

    response = staff_client.post(url, form_data(staff_client.get(url)))

    assert response.status_code == 302
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_on_hand_below_allocated_on_the_variant_page_shows_an_error_and_changes_nothing(
        staff_client):
    stock = StockFactory(on_hand=10, allocated=6, bin_location="A-1")
    url = variant_page(stock.variant_id)
    data = form_data(staff_client.get(url))
    data["name"] = "Renamed"
    data["stock_levels-0-on_hand"] = "5"
    data["stock_levels-0-bin_location"] = "Z-9"

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "Cannot set on hand to 5: 6 units are allocated to orders." in (
        response.content.decode())
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated, stock.bin_location) == (10, 6, "A-1")
    stock.variant.refresh_from_db()
    assert stock.variant.name != "Renamed"
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_allocated_and_warehouse_of_a_stock_row_cannot_be_edited(staff_client):
    stock = StockFactory(on_hand=10, allocated=2)
    main_warehouse_id = stock.warehouse_id
    other = WarehouseFactory(code="north")
    url = variant_page(stock.variant_id)
    data = form_data(staff_client.get(url))
    data["stock_levels-0-allocated"] = "0"
    data["stock_levels-0-warehouse"] = str(other.pk)

    response = staff_client.post(url, data)

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.warehouse_id, stock.on_hand, stock.allocated) == (main_warehouse_id, 10, 2)
    assert not Stock.objects.filter(warehouse=other).exists()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_variant_page_edits_prices_per_currency(staff_client):
    variant = make_sellable_variant(price="19.90")
    url = variant_page(variant.pk)
    data = form_data(staff_client.get(url))
    data.update({"prices-0-amount": "17.50", "prices-0-compare_at_amount": "19.90",
                 "prices-TOTAL_FORMS": "2", "prices-1-currency": "USD",
                 "prices-1-amount": "21.00"})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    prices = {p.currency: (p.amount, p.compare_at_amount)
              for p in VariantPrice.objects.filter(variant=variant)}
    assert {code: (str(a), str(c)) for code, (a, c) in prices.items()} == {
        "EUR": ("17.5000", "19.9000"), "USD": ("21.0000", "None")}


@pytest.mark.django_db
def test_variant_page_refuses_a_currency_the_shop_does_not_sell_in(staff_client):
    variant = make_sellable_variant()
    url = variant_page(variant.pk)
    data = form_data(staff_client.get(url))
    data.update({"prices-TOTAL_FORMS": "2", "prices-1-currency": "XYZ",
                 "prices-1-amount": "1.00"})

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert not VariantPrice.objects.filter(currency="XYZ").exists()


@pytest.mark.django_db
def test_variant_page_shows_the_stock_history(staff_client):
    stock = StockFactory(on_hand=10)
    url = variant_page(stock.variant_id)
    data = form_data(staff_client.get(url))
    data["stock_levels-0-on_hand"] = "3"
    staff_client.post(url, data)

    content = staff_client.get(url).content.decode()

    assert "StockLevelSet" in content
    assert "new_on_hand=3" in content


@pytest.mark.django_db
def test_stock_page_edit_goes_through_the_service(staff_client):
    stock = StockFactory(on_hand=10, allocated=2)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])

    response = staff_client.post(url, {"on_hand": "15", "bin_location": "C-3"})

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.on_hand, stock.bin_location) == (15, "C-3")
    assert Event.objects.get().payload["new_on_hand"] == 15


@pytest.mark.django_db
def test_stock_page_refuses_on_hand_below_allocated(staff_client):
    stock = StockFactory(on_hand=10, allocated=4)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])

    response = staff_client.post(url, {"on_hand": "3", "bin_location": ""})

    assert response.status_code == 200
    assert "4 units are allocated" in response.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 10
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_stock_list_filters_out_of_stock(staff_client):
    out = StockFactory(on_hand=3, allocated=3)
    empty = StockFactory(on_hand=0, warehouse=out.warehouse)
    StockFactory(on_hand=5, allocated=1, warehouse=out.warehouse)

    response = staff_client.get(reverse("admin:inventory_stock_changelist"),
                                {"availability": "out"})

    assert {stock.pk for stock in response.context["cl"].result_list} == {out.pk, empty.pk}


@pytest.mark.django_db
def test_stock_list_query_count_does_not_grow_with_rows(staff_client):
    url = reverse("admin:inventory_stock_changelist")
    StockFactory.create_batch(3)
    with_three = count_queries(staff_client, url)
    StockFactory.create_batch(27)

    assert count_queries(staff_client, url) == with_three


@pytest.mark.django_db
def test_variant_list_query_count_does_not_grow_with_rows(staff_client):
    url = reverse("admin:catalog_productvariant_changelist")
    for _ in range(3):
        make_sellable_variant()
    with_three = count_queries(staff_client, url)
    for _ in range(27):
        VariantPriceFactory(variant=make_sellable_variant(), currency="USD")

    assert count_queries(staff_client, url) == with_three


@pytest.mark.django_db
def test_stock_rows_cannot_be_added_or_deleted_from_the_stock_list(staff_client):
    stock = StockFactory()

    assert staff_client.get(reverse("admin:inventory_stock_add")).status_code == 403
    delete = reverse("admin:inventory_stock_delete", args=[stock.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Stock.objects.filter(pk=stock.pk).exists()
