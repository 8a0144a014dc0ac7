"""Fulfilment errors, each shown as a problem+json type."""

from mercato.core.problems import Conflict, InvalidInput, NotFound


class WarehouseNotFound(NotFound):
    slug = "warehouse-not-found"
    title = "Warehouse not found"


class PicklistNotFound(NotFound):
    slug = "picklist-not-found"
    title = "Picklist not found"


class InvalidPicklistRequest(InvalidInput):
    slug = "invalid-picklist-request"
    title = "Choose shipments or a number of them"


class NothingToPick(Conflict):
    slug = "nothing-to-pick"
    title = "No released shipments to pick"


class ShipmentNotPickable(Conflict):
    slug = "shipment-not-pickable"
    title = "A chosen shipment cannot go on this picklist"


class InvalidTrackingNumber(InvalidInput):
    slug = "invalid-tracking-number"
    title = "The carrier or tracking number is not valid"


class InvalidWeight(InvalidInput):
    slug = "invalid-weight"
    title = "The weight is not valid"


class PdfRenderingFailed(Exception):
    """The PDF library could not render a template: a bug in the template, not user input."""
