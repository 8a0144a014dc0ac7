"""The picklist and packing slip PDFs, opened with pypdf and their text read back."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mercato.fulfilment.models import Picklist
from mercato.fulfilment.pdf import packing_slip_pdf, picklist_pdf
from mercato.fulfilment.selectors import picklist_detail
from mercato.fulfilment.services import create_picklist
from mercato.fulfilment.services import packing_slip_pdf as packing_slip_from_services
from mercato.orders.errors import ShipmentNotFound
from mercato.orders.models import OrderLine, Shipment
from tests.fulfilment.test_services import STAFF, binned_quote, main, picked, released
from tests.orders.builders import variants_of
from tests.pdf_layout import LONG_SKU, LONG_TITLE, assert_cells_keep_to_their_columns

pytestmark = pytest.mark.django_db

TIMES = "\N{MULTIPLICATION SIGN}"


@pytest.fixture
def quote():
    return binned_quote()


def with_long_shirt(shipments: list[Shipment]) -> list[Shipment]:
    """The shirt ordered with the longest SKU and a long name with a very long word."""
    OrderLine.objects.filter(product_title="Shirt").update(sku=LONG_SKU,
                                                          product_title=LONG_TITLE)
    return shipments


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages_of(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


# --- picklist -----------------------------------------------------------------------------------

def test_the_picklist_pdf_shows_what_to_take_from_which_bin_for_which_shipment(quote):
    first, second = picked(quote, 2)
    shirt, mug = variants_of(quote)
    picklist = Picklist.objects.get()

    text = text_of(picklist_pdf(picklist=picklist_detail(picklist.number)))

    assert f"Picklist {picklist.number}" in text
    assert "Main warehouse (main)" in text
    assert "by staff:picker@example.com" in text
    assert "2 shipments, 6 units" in text
    pick = text[text.index("\nPick\n"):text.index("Ship to")]
    assert pick.index("A-01") < pick.index(shirt.sku) < pick.index("B-07") < pick.index(mug.sku)
    assert f"{first.number} {TIMES} 2" in pick and f"{second.number} {TIMES} 2" in pick
    assert f"{first.number} {TIMES} 1" in pick and f"{second.number} {TIMES} 1" in pick
    shipments = text[text.index("Ship to"):]
    for shipment in (first, second):
        assert shipment.number in shipments
        assert f"Order {shipment.order.number}" in shipments
    assert "Ada Lovelace" in shipments and "10117 BERLIN" in shipments
    assert f"2 {TIMES} {shirt.sku} Shirt (Red / M) [A-01]" in shipments
    assert f"1 {TIMES} {mug.sku} Mug [B-07]" in shipments


def test_a_long_sku_and_name_wrap_inside_their_picklist_cells(quote):
    [shipment] = with_long_shirt(released(quote))
    create_picklist(warehouse_id=main().pk, shipment_ids=[shipment.public_id], by=STAFF)

    content = picklist_pdf(picklist=Picklist.objects.get())

    assert_cells_keep_to_their_columns(content, "SKU", "Item", "Qty", LONG_SKU,
                                       f"{LONG_TITLE} (Red / M)")


def test_a_picklist_read_without_its_relations_is_read_whole_first(quote):
    picked(quote)
    picklist = Picklist.objects.get()

    text = text_of(picklist_pdf(picklist=picklist))

    assert "1 shipment, 3 units" in text


def test_a_long_picklist_runs_over_pages_in_a_bounded_number_of_queries(quote):
    released(quote, 40)
    picklist = create_picklist(warehouse_id=main().pk, next_n=40, by=STAFF)
    detail = picklist_detail(picklist.number)

    with CaptureQueriesContext(connection) as queries:
        content = picklist_pdf(picklist=detail)

    assert len(queries) == 0  # everything was read by picklist_detail
    assert pages_of(content) > 1
    assert "40 shipments, 120 units" in text_of(content)


# --- packing slip -------------------------------------------------------------------------------

def test_the_packing_slip_shows_order_ship_to_lines_and_how_to_return(quote):
    [shipment] = released(quote)
    shirt, mug = variants_of(quote)

    text = text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))

    assert "Packing slip" in text
    assert "Mercato demo shop" in text
    assert f"Order number: {shipment.order.number}" in text
    assert f"Shipment: {shipment.number}" in text
    ship_to = text[text.index("Ship to"):text.index("In this parcel")]
    assert ship_to.split("\n")[1:5] == ["Ada Lovelace", "Unter den Linden 1", "10117 BERLIN",
                                        "GERMANY"]
    parcel = text[text.index("In this parcel"):text.index("Returns")]
    assert f"{shirt.sku}\nShirt (Red / M)\n 2" in parcel
    assert f"{mug.sku}\nMug\n 1" in parcel
    assert "Total units\n 3" in parcel
    returns = text[text.index("Returns"):]
    assert "Start a return from your account" in returns
    assert f"number {shipment.order.number}" in returns.replace("\n", " ")
    assert "RMA number" in returns


def test_a_long_sku_and_name_wrap_inside_their_packing_slip_cells(quote):
    [shipment] = with_long_shirt(released(quote))

    content = packing_slip_pdf(shipment_public_id=shipment.public_id)

    assert_cells_keep_to_their_columns(content, "SKU", "Item", "Quantity", LONG_SKU,
                                       f"{LONG_TITLE} (Red / M)")


def test_the_packing_slip_shows_no_prices(quote):
    [shipment] = released(quote)

    text = text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))

    assert "€" not in text and "19.90" not in text and "8.50" not in text


def test_the_return_window_is_printed_when_the_shop_sets_one(quote, settings):
    settings.MERCATO_RETURN_WINDOW_DAYS = 30
    [shipment] = released(quote)

    text = text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))

    assert "within 30 days of delivery" in text


def test_what_customers_and_the_catalog_typed_is_printed_as_text(quote):
    [shipment] = released(quote)
    OrderLine.objects.filter(product_title="Mug").update(product_title="Mug <b>big</b> & co")
    Shipment.objects.filter(pk=shipment.pk).update(first_name="<img src='http://x/y.png'>")

    text = text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))

    assert "Mug <b>big</b> & co" in text
    assert "<img src='http://x/y.png'> Lovelace" in text


def test_a_split_order_slip_lists_only_that_parcels_lines(quote):
    [shipment] = released(quote)
    shirt, mug = variants_of(quote)
    shipment.lines.filter(order_line__sku=mug.sku).delete()

    text = text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))

    assert shirt.sku in text and mug.sku not in text
    assert "Total units\n 2" in text


def test_an_unknown_shipment_has_no_packing_slip():
    with pytest.raises(ShipmentNotFound):
        packing_slip_pdf(shipment_public_id="nope")


def test_the_services_module_offers_the_same_documents(quote):
    [shipment] = released(quote)

    assert text_of(packing_slip_from_services(shipment_public_id=shipment.public_id)) == \
        text_of(packing_slip_pdf(shipment_public_id=shipment.public_id))
