"""The warehouse's printed documents, made by xhtml2pdf (pure Python, on reportlab) from Django
templates in templates/fulfilment/pdf/: the picklist and the packing slip.

Templates escape everything customers and the catalog typed, and the renderer is given no way
to fetch anything (links and images resolve to nothing), so a document depends only on the
template and the data.
"""

from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from xhtml2pdf import pisa

from mercato.fulfilment.errors import PdfRenderingFailed
from mercato.fulfilment.models import Picklist
from mercato.fulfilment.rules import PickItem, address_lines, item_title, pick_groups
from mercato.fulfilment.selectors import picklist_detail, shipment_for_warehouse
from mercato.orders.models import Shipment
from mercato.orders.rules import ADDRESS_FIELDS

TEMPLATES = "fulfilment/pdf"


def picklist_pdf(*, picklist: Picklist) -> bytes:
    """The picklist to print: what to take from which bin, then each shipment's contents.
    Pass one read by selectors.picklist_detail (any other is read again that way)."""
    if "entries" not in getattr(picklist, "_prefetched_objects_cache", {}):
        picklist = picklist_detail(picklist.number)
    return render_pdf(f"{TEMPLATES}/picklist.html", picklist_context(picklist))


def packing_slip_pdf(*, shipment_public_id: str) -> bytes:
    """The slip that goes in the parcel: order and shipment number, ship-to, what is in it
    (no prices: parcels are often gifts) and how to return it. ShipmentNotFound if unknown."""
    shipment = shipment_for_warehouse(shipment_public_id)
    return render_pdf(f"{TEMPLATES}/packing_slip.html", packing_slip_context(shipment))


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template_name, context)
    output = BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", link_callback=_no_fetching)
    if result.err:
        raise PdfRenderingFailed(f"{template_name}: {result.err} rendering error(s)")
    return output.getvalue()


def _no_fetching(uri: str, rel: str) -> str:
    return ""


def picklist_context(picklist: Picklist) -> dict[str, Any]:
    shipments = [entry.shipment for entry in picklist.entries.all()]
    numbers = {shipment.pk: shipment.number for shipment in shipments}
    lines = list(picklist.lines.all())
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "picklist": picklist,
        "created_at": timezone.localtime(picklist.created_at),
        "units": sum(line.quantity for line in lines),
        "groups": pick_groups(
            PickItem(shipment_number=numbers[line.shipment_id], sku=line.sku, title=line.title,
                     bin_location=line.bin_location, quantity=line.quantity)
            for line in lines),
        "shipments": [
            {"number": shipment.number, "order_number": shipment.order.number,
             "delivery_method_name": shipment.delivery_method_name,
             "ship_to": ship_to(shipment),
             "lines": [line for line in lines if line.shipment_id == shipment.pk]}
            for shipment in shipments
        ],
    }


def packing_slip_context(shipment: Shipment) -> dict[str, Any]:
    lines = [
        {"sku": line.order_line.sku, "quantity": line.quantity,
         "title": item_title(title=line.order_line.product_title,
                             variant_name=line.order_line.variant_name)}
        for line in shipment.lines.all()
    ]
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "shipment": shipment,
        "order": shipment.order,
        "order_date": timezone.localtime(shipment.order.created_at),
        "ship_to": ship_to(shipment),
        "lines": lines,
        "units": sum(line["quantity"] for line in lines),
        "return_days": getattr(settings, "MERCATO_RETURN_WINDOW_DAYS", None),
    }


def ship_to(shipment: Shipment) -> list[str]:
    return address_lines({name: getattr(shipment, name, "") for name in ADDRESS_FIELDS})


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A rendered PDF shown in the browser (inline), saved as `filename`."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
