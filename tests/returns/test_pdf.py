"""Return instructions and receiving receipt PDFs, read back with pypdf."""

import io

import pytest
from pypdf import PdfReader

from mercato.inventory.models import Warehouse
from mercato.orders.models import OrderLine, Shipment
from mercato.returns import errors
from mercato.returns.models import ReturnRequest
from mercato.returns.services import (
    ReceivedLine,
    receive_return,
    receiving_receipt_pdf,
    request_return,
    return_instructions_pdf,
)
from tests.factories import WarehouseFactory
from tests.pdf_layout import LONG_SKU, LONG_TITLE, assert_cells_keep_to_their_columns
from tests.returns.builders import STAFF, lines, refund_line, shipped_order

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def send_to(text: str) -> list[str]:
    """The lines of the "Send the parcel to" box."""
    return text[text.index("Send the parcel to"):text.index("What to send back")].split("\n")[1:-1]


def returned(order=None) -> ReturnRequest:
    order = order or shipped_order()
    return request_return(order_number=order.number, lines=[refund_line(lines(order)[0], 2)],
                          by=STAFF)


def test_return_instructions_name_the_rma_the_address_and_the_lines():
    order = shipped_order()
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt, 2)], by=STAFF)
    text = text_of(return_instructions_pdf(rma=ret.rma))
    assert ret.rma in text and order.number in text
    assert "Lagerstraße 5" in text and shirt.sku in text


def test_return_instructions_print_the_warehouse_postal_address_as_its_country_writes_it():
    ret = returned()  # shipped from the factory's "main": Lagerstraße 5, 20457 Hamburg, DE

    assert send_to(text_of(return_instructions_pdf(rma=ret.rma))) == [
        "Returns, Main warehouse", "Mercato demo shop", "Lagerstraße 5", "20457 HAMBURG",
        "GERMANY"]


def test_a_british_warehouse_address_puts_the_postcode_after_the_town():
    ret = returned()
    Warehouse.objects.filter(pk=ret.warehouse_id).update(
        name="Leeds returns", street_address_1="14 Canal Wharf", street_address_2="Unit 3",
        postal_code="LS11 5PS", city="Leeds", country="GB")

    assert send_to(text_of(return_instructions_pdf(rma=ret.rma)))[2:] == [
        "14 Canal Wharf", "Unit 3", "LEEDS", "LS11 5PS", "UNITED KINGDOM"]


def test_a_return_without_a_warehouse_goes_back_where_its_goods_shipped_from():
    WarehouseFactory(code="north", name="North", priority=1, street_address_1="Nordweg 1",
                     postal_code="24103", city="Kiel")
    ret = returned()  # the order was placed before "north" existed: it shipped from "main"
    ReturnRequest.objects.filter(pk=ret.pk).update(warehouse=None)

    assert "Lagerstraße 5" in send_to(text_of(return_instructions_pdf(rma=ret.rma)))


def test_with_no_shipping_warehouse_either_the_address_is_the_first_shipping_warehouse():
    ret = returned()
    ReturnRequest.objects.filter(pk=ret.pk).update(warehouse=None)
    Shipment.objects.filter(order=ret.order).update(warehouse=None)
    WarehouseFactory(code="north", name="North", priority=1, street_address_1="Nordweg 1",
                     postal_code="24103", city="Kiel")

    assert send_to(text_of(return_instructions_pdf(rma=ret.rma)))[2:] == [
        "Nordweg 1", "24103 KIEL", "GERMANY"]


def test_a_long_sku_and_name_wrap_inside_their_cells_on_both_documents():
    ret = returned()
    OrderLine.objects.filter(pk=ret.lines.get().order_line_id).update(
        sku=LONG_SKU, product_title=LONG_TITLE)
    line = ret.lines.get()
    receipt = receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                             lines=[ReceivedLine(line.public_id, 2, "resellable")])
    title = f"{LONG_TITLE} (Red / M)"

    assert_cells_keep_to_their_columns(return_instructions_pdf(rma=ret.rma),
                                       "SKU", "Item", "Reason", LONG_SKU, title)
    assert_cells_keep_to_their_columns(receiving_receipt_pdf(number=receipt.number),
                                       "SKU", "Item", "Condition", LONG_SKU, title)


def test_receiving_receipt_lists_what_arrived_and_its_condition():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0], 2)],
                         by=STAFF)
    line = ret.lines.get()
    receipt = receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF, lines=[
        ReceivedLine(line.public_id, 1, "resellable"), ReceivedLine(line.public_id, 1, "damaged")])
    text = text_of(receiving_receipt_pdf(number=receipt.number))
    assert receipt.number in text and ret.rma in text
    assert "Resellable" in text and "Damaged" in text


def test_unknown_numbers_are_not_found():
    with pytest.raises(errors.ReturnNotFound):
        return_instructions_pdf(rma="RMA-nope")
    with pytest.raises(errors.ReceiptNotFound):
        receiving_receipt_pdf(number="RR-nope")
