"""The printed documents of returns, made like fulfilment's (fulfilment.pdf.render_pdf): the
return instructions the customer packs with the parcel and the receiving receipt the warehouse
issues. The address to send to is the postal address of the warehouse the parcel goes back to
(selectors.warehouse_to_return_to), laid out as its country's post writes it."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from mercato.customers.rules import postal_lines
from mercato.fulfilment.pdf import render_pdf
from mercato.fulfilment.rules import item_title
from mercato.inventory.models import Warehouse
from mercato.returns.models import ReceivingReceipt, ReturnRequest
from mercato.returns.selectors import receipt_detail, return_detail, warehouse_to_return_to

TEMPLATES = "returns/pdf"


def return_instructions_pdf(*, rma: str) -> bytes:
    """RMA number, where to send the parcel and what goes in it. ReturnNotFound if unknown."""
    return render_pdf(f"{TEMPLATES}/return_instructions.html",
                      return_instructions_context(return_detail(rma)))


def receiving_receipt_pdf(*, number: str) -> bytes:
    """What arrived, in which condition. ReceiptNotFound if unknown."""
    return render_pdf(f"{TEMPLATES}/receiving_receipt.html",
                      receiving_receipt_context(receipt_detail(number)))


def return_instructions_context(ret: ReturnRequest) -> dict[str, Any]:
    lines = [{"sku": line.order_line.sku, "quantity": line.quantity,
              "title": item_title(title=line.order_line.product_title,
                                  variant_name=line.order_line.variant_name),
              "reason": line.get_reason_display(), "resolution": line.get_resolution_display()}
             for line in ret.lines.all()]
    return {
        "shop_name": settings.MERCATO_SHOP_NAME, "ret": ret, "order": ret.order,
        "created_at": timezone.localtime(ret.created_at), "lines": lines,
        "units": sum(line["quantity"] for line in lines),
        "send_to": return_address(warehouse_to_return_to(ret)),
    }


def receiving_receipt_context(receipt: ReceivingReceipt) -> dict[str, Any]:
    lines = [{"sku": line.return_line.order_line.sku, "quantity": line.quantity,
              "title": item_title(title=line.return_line.order_line.product_title,
                                  variant_name=line.return_line.order_line.variant_name),
              "condition": line.get_condition_display()}
             for line in receipt.lines.all()]
    return {
        "shop_name": settings.MERCATO_SHOP_NAME, "receipt": receipt,
        "ret": receipt.return_request, "order": receipt.return_request.order,
        "created_at": timezone.localtime(receipt.created_at), "lines": lines,
        "units": sum(line["quantity"] for line in lines),
    }


def return_address(warehouse: Warehouse | None) -> list[str]:
    """The returns desk at the warehouse, the shop (the organisation), street, postcode and
    city, country: in the order and spelling the warehouse's country uses."""
    if warehouse is None:  # a shop with no warehouse at all
        return [settings.MERCATO_SHOP_NAME, "Returns"]
    return postal_lines({
        "company_name": settings.MERCATO_SHOP_NAME, "first_name": f"Returns, {warehouse.name}",
        "street_address_1": warehouse.street_address_1,
        "street_address_2": warehouse.street_address_2,
        "postal_code": warehouse.postal_code, "city": warehouse.city,
        "country_area": warehouse.country_area, "country": str(warehouse.country),
    })
