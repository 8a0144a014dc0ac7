"""Return instructions and receiving receipt PDFs, read back with pypdf."""

import io

import pytest
from pypdf import PdfReader

from mercato.returns import errors
from mercato.returns.services import (
    ReceivedLine,
    receive_return,
    receiving_receipt_pdf,
    request_return,
    return_instructions_pdf,
)
from tests.returns.builders import STAFF, lines, refund_line, shipped_order

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_return_instructions_name_the_rma_the_address_and_the_lines(settings):
    settings.MERCATO_RETURN_ADDRESSES = {"main": ["Returns dept.", "Lagerstr. 5",
                                                  "12345 Hamburg"]}
    order = shipped_order()
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt, 2)], by=STAFF)
    text = text_of(return_instructions_pdf(rma=ret.rma))
    assert ret.rma in text and order.number in text
    assert "Lagerstr. 5" in text and shirt.sku in text


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
