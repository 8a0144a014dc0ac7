"""Pure warehouse rules: what a picklist groups, which tracking numbers a carrier accepts and
where a parcel is tracked, how a ship-to address is printed."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from tracking_numbers import DEFINITIONS

from mercato.customers.rules import postal_lines
from mercato.fulfilment.errors import InvalidTrackingNumber, InvalidWeight

MAX_WEIGHT_GRAMS = 1_000_000  # a tonne: anything heavier is a typo, not a parcel
CARRIER_MAX_LENGTH = 40  # orders.Shipment.carrier
TRACKING_NUMBER_MAX_LENGTH = 100  # orders.Shipment.tracking_number
MAX_PICKLIST_SHIPMENTS = 500  # one printed walk through the warehouse


# --- picklists ----------------------------------------------------------------------------------

def picklist_number(value: int) -> str:
    return f"PL-{value:06d}"


def item_title(*, title: str, variant_name: str) -> str:
    return f"{title} ({variant_name})" if variant_name and variant_name != title else title


@dataclass(frozen=True)
class PickItem:
    """One shipment line to pick: what, from which bin, for which shipment."""

    shipment_number: str
    sku: str
    title: str
    bin_location: str
    quantity: int


@dataclass(frozen=True)
class PickGroup:
    """One stop on the walk through the warehouse: a SKU in a bin, the units to take and the
    shipments they go to, as (shipment number, quantity) in picklist order."""

    bin_location: str
    sku: str
    title: str
    quantity: int
    shipments: tuple[tuple[str, int], ...]


def pick_groups(items: Iterable[PickItem]) -> list[PickGroup]:
    """Items grouped by (bin, SKU), sorted by bin then SKU so the list is a walk; items with no
    bin come last. A shipment with the SKU on several lines gets one entry with the sum."""
    groups: dict[tuple[str, str], dict[str, int]] = {}
    titles: dict[tuple[str, str], str] = {}
    for item in items:
        key = (item.bin_location, item.sku)
        per_shipment = groups.setdefault(key, {})
        number = item.shipment_number
        per_shipment[number] = per_shipment.get(number, 0) + item.quantity
        titles.setdefault(key, item.title)
    return [
        PickGroup(bin_location=bin_location, sku=sku, title=titles[(bin_location, sku)],
                  quantity=sum(groups[(bin_location, sku)].values()),
                  shipments=tuple(groups[(bin_location, sku)].items()))
        for bin_location, sku in sorted(groups, key=lambda key: (key[0] == "", key))
    ]


# --- carriers and tracking numbers --------------------------------------------------------------

@dataclass(frozen=True)
class Carrier:
    code: str  # the tracking-numbers package's courier code
    name: str  # what is stored on the shipment and shown to the customer
    url_template: str
    s10_country: str = ""  # a post also tracks international mail by UPU S10 numbers


CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier for carrier in (
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
        Carrier("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
                s10_country="US"),
        Carrier("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
        Carrier("dhl", "DHL",
                "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
                "?submit=1&tracking-id={number}"),
    )
}


@dataclass(frozen=True)
class Tracking:
    carrier: str
    number: str
    url: str  # "" for a carrier we do not know


def known_carrier(name: str) -> Carrier | None:
    """The carrier we know by its code or name, in any letter case ("fedex", "FedEx")."""
    key = name.strip().lower()
    return CARRIERS.get(key) or next(
        (carrier for carrier in CARRIERS.values() if carrier.name.lower() == key), None)


def tracking_for(*, carrier: str, number: str) -> Tracking:
    """The carrier, number and tracking link to store for a parcel.

    For UPS, USPS, FedEx and DHL (Express) the number must have the format and check digit of
    one of that carrier's products; spaces are dropped and letters upper-cased as the labels
    print them. Any other carrier is free text with its number as typed and no link.
    Raises InvalidTrackingNumber with field errors."""
    carrier_name = " ".join(carrier.split())
    typed = number.strip()
    errors: dict[str, list[str]] = {}
    if not carrier_name:
        errors["carrier"] = ["Choose or type a carrier."]
    elif len(carrier_name) > CARRIER_MAX_LENGTH:
        errors["carrier"] = [f"At most {CARRIER_MAX_LENGTH} characters."]
    if not typed:
        errors["tracking_number"] = ["Type the tracking number."]
    elif len(typed) > TRACKING_NUMBER_MAX_LENGTH:
        errors["tracking_number"] = [f"At most {TRACKING_NUMBER_MAX_LENGTH} characters."]
    if errors:
        raise InvalidTrackingNumber("Please correct the carrier and tracking number.",
                                    errors=errors)
    known = known_carrier(carrier_name)
    if known is None:
        return Tracking(carrier=carrier_name, number=typed, url="")
    compact = "".join(typed.split()).upper()
    if not is_carrier_number(known, compact):
        raise InvalidTrackingNumber(
            f"{typed} is not a valid {known.name} tracking number.",
            errors={"tracking_number": [f"Not a valid {known.name} tracking number: check it "
                                        "against the label."]})
    return Tracking(carrier=known.name, number=compact,
                    url=known.url_template.format(number=quote(compact, safe="")))


def is_carrier_number(carrier: Carrier, number: str) -> bool:
    """Whether `number` is a valid number of one of `carrier`'s products.

    Only that carrier's formats are tried: 20- and 22-digit numbers are ambiguous between USPS
    and FedEx, and the package's get_tracking_number answers with the first courier that fits
    (an invalid USPS number comes back as a valid FedEx SmartPost one), so the carrier the
    person chose decides which check digits apply."""
    codes = {carrier.code}
    if carrier.s10_country and number.endswith(carrier.s10_country):
        codes.add("s10")  # e.g. USPS's international "LK053169105US"
    for definition in DEFINITIONS:
        if definition.courier.code not in codes:
            continue
        try:
            found = definition.test(number)
        except ValueError:  # the package raises on some malformed numbers ("1ZXXXXXXXXXXXXXXXX")
            continue
        if found is not None and found.valid:
            return True
    return False


def check_weight(weight_grams: int | None) -> None:
    """A parcel weight is optional; given, it is a whole number of grams, above 0."""
    if weight_grams is None:
        return
    if isinstance(weight_grams, bool) or not isinstance(weight_grams, int) or not (
            0 < weight_grams <= MAX_WEIGHT_GRAMS):
        raise InvalidWeight("The weight must be a whole number of grams above 0.",
                            errors={"weight_grams": [
                                f"A whole number of grams from 1 to {MAX_WEIGHT_GRAMS}."]})


# --- printing -----------------------------------------------------------------------------------

def address_lines(address: Mapping[str, str]) -> list[str]:
    """A ship-to snapshot as the post writes it, without the phone (slips travel outside)."""
    return postal_lines(address)

