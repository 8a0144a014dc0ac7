"""Warehouse rules without a database: pick grouping, carriers, tracking numbers, weights."""

import pytest

from mercato.fulfilment.errors import InvalidTrackingNumber, InvalidWeight
from mercato.fulfilment.rules import (
    CARRIERS,
    PickGroup,
    PickItem,
    address_lines,
    check_weight,
    item_title,
    known_carrier,
    pick_groups,
    picklist_number,
    tracking_for,
)


def item(shipment: str, sku: str, bin_location: str, quantity: int) -> PickItem:
    return PickItem(shipment_number=shipment, sku=sku, title=f"Title {sku}",
                    bin_location=bin_location, quantity=quantity)


# --- picklists ----------------------------------------------------------------------------------

def test_pick_groups_sum_a_sku_per_bin_and_list_which_shipment_gets_what():
    groups = pick_groups([
        item("MRC-1-1", "MUG", "B-02", 1),
        item("MRC-1-1", "SHIRT", "A-01", 2),
        item("MRC-2-1", "SHIRT", "A-01", 3),
        item("MRC-3-1", "MUG", "B-02", 4),
    ])

    assert groups == [
        PickGroup(bin_location="A-01", sku="SHIRT", title="Title SHIRT", quantity=5,
                  shipments=(("MRC-1-1", 2), ("MRC-2-1", 3))),
        PickGroup(bin_location="B-02", sku="MUG", title="Title MUG", quantity=5,
                  shipments=(("MRC-1-1", 1), ("MRC-3-1", 4))),
    ]


def test_pick_groups_are_a_walk_by_bin_then_sku_with_unbinned_items_last():
    groups = pick_groups([item("S1", "Z", "", 1), item("S1", "B", "C-1", 1),
                          item("S1", "A", "C-1", 1), item("S1", "Q", "A-9", 1)])

    assert [(g.bin_location, g.sku) for g in groups] == [("A-9", "Q"), ("C-1", "A"),
                                                         ("C-1", "B"), ("", "Z")]


def test_the_same_sku_in_two_bins_is_two_stops():
    groups = pick_groups([item("S1", "SHIRT", "A-01", 1), item("S2", "SHIRT", "A-02", 1)])

    assert [(g.bin_location, g.quantity) for g in groups] == [("A-01", 1), ("A-02", 1)]


def test_a_shipment_with_a_sku_on_two_lines_gets_one_entry_with_the_sum():
    [group] = pick_groups([item("S1", "SHIRT", "A-01", 1), item("S1", "SHIRT", "A-01", 2)])

    assert group.shipments == (("S1", 3),)


def test_nothing_to_pick_is_no_groups():
    assert pick_groups([]) == []


def test_picklist_numbers_are_padded_and_sequential():
    assert picklist_number(7) == "PL-000007"
    assert picklist_number(1234567) == "PL-1234567"


def test_item_titles_name_the_variant_once():
    assert item_title(title="Shirt", variant_name="Red / M") == "Shirt (Red / M)"
    assert item_title(title="Mug", variant_name="") == "Mug"
    assert item_title(title="Mug", variant_name="Mug") == "Mug"


# --- carriers and tracking numbers --------------------------------------------------------------

VALID = [
    ("UPS", "1Z5R89390357567127"),
    ("UPS", "1Z879E930346834440"),
    ("USPS", "03071790000523483741"),
    ("USPS", "9400111201080805483016"),
    ("USPS", "9361289878700317633795"),
    ("USPS", "4201028200009261290113185417468510"),
    ("USPS", "LK053169105US"),
    ("FedEx", "986578788855"),
    ("FedEx", "477179081230"),
    ("FedEx", "041441760228964"),
    ("FedEx", "9611020987654312345672"),
    ("DHL", "3318810025"),
    ("DHL", "73891051146"),
]


@pytest.mark.parametrize(("carrier", "number"), VALID)
def test_valid_numbers_of_the_carriers_we_know_are_accepted(carrier, number):
    tracking = tracking_for(carrier=carrier, number=number)

    assert (tracking.carrier, tracking.number) == (carrier, number)
    assert tracking.url.startswith("https://")
    assert number in tracking.url


@pytest.mark.parametrize(("carrier", "number"), [
    ("UPS", "1Z5R89390357567128"),  # check digit off by one
    ("FedEx", "986578788856"),
    ("DHL", "3318810026"),
    ("USPS", "03071790000523483742"),
    ("USPS", "LK053169105GB"),  # another post's S10 number
    ("UPS", "1ZXXXXXXXXXXXXXXXX"),  # makes the tracking-numbers package raise ValueError
    ("UPS", "hello"),
    ("DHL", "JJD0099999999"),  # DHL Paket piece ids: not in the package's data (type "other")
])
def test_invalid_numbers_of_the_carriers_we_know_are_refused(carrier, number):
    with pytest.raises(InvalidTrackingNumber) as refused:
        tracking_for(carrier=carrier, number=number)

    assert list(refused.value.errors) == ["tracking_number"]
    assert carrier in refused.value.detail


def test_the_chosen_carrier_decides_not_the_first_courier_that_fits():
    # An invalid USPS 20-digit number passes as FedEx SmartPost in the package's lookup;
    # chosen as USPS it is refused, and a valid USPS number is not taken for FedEx.
    with pytest.raises(InvalidTrackingNumber):
        tracking_for(carrier="USPS", number="03071790000523483742")
    with pytest.raises(InvalidTrackingNumber):
        tracking_for(carrier="FedEx", number="1Z5R89390357567127")
    with pytest.raises(InvalidTrackingNumber):
        tracking_for(carrier="UPS", number="986578788855")


def test_numbers_are_compacted_and_upper_cased_as_labels_print_them():
    tracking = tracking_for(carrier="ups", number=" 1z 5r8 939 03 5756 7127 ")

    assert tracking == tracking.__class__(
        carrier="UPS", number="1Z5R89390357567127",
        url="https://www.ups.com/track?tracknum=1Z5R89390357567127")


def test_tracking_links_of_each_known_carrier():
    assert tracking_for(carrier="fedex", number="986578788855").url == (
        "https://www.fedex.com/fedextrack/?trknbr=986578788855")
    assert tracking_for(carrier="USPS", number="9400111201080805483016").url == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111201080805483016")
    assert tracking_for(carrier="dhl", number="3318810025").url.endswith(
        "tracking-id=3318810025")


def test_other_carriers_are_free_text_without_a_link():
    tracking = tracking_for(carrier="  Royal   Mail ", number=" AB 1234 ")

    assert (tracking.carrier, tracking.number, tracking.url) == ("Royal Mail", "AB 1234", "")


def test_known_carriers_by_code_or_name_in_any_case():
    assert known_carrier("FEDEX") is CARRIERS["fedex"]
    assert known_carrier(" Usps ") is CARRIERS["usps"]
    assert known_carrier("DHL Paket") is None


@pytest.mark.parametrize(("carrier", "number", "field"), [
    ("", "1Z5R89390357567127", "carrier"),
    ("   ", "1Z5R89390357567127", "carrier"),
    ("UPS", "  ", "tracking_number"),
    ("x" * 41, "123", "carrier"),
    ("Other", "1" * 101, "tracking_number"),
])
def test_missing_or_too_long_values_are_field_errors(carrier, number, field):
    with pytest.raises(InvalidTrackingNumber) as refused:
        tracking_for(carrier=carrier, number=number)

    assert field in refused.value.errors


# --- weights and addresses ----------------------------------------------------------------------

@pytest.mark.parametrize("weight", [None, 1, 1250, 1_000_000])
def test_weights_in_whole_grams_are_accepted(weight):
    check_weight(weight)


@pytest.mark.parametrize("weight", [0, -5, 1_000_001, True, "12"])
def test_other_weights_are_refused(weight):
    with pytest.raises(InvalidWeight) as refused:
        check_weight(weight)

    assert "weight_grams" in refused.value.errors


def test_addresses_are_printed_as_the_post_writes_them_without_the_phone():
    lines = address_lines({"first_name": "Ada", "last_name": "Lovelace",
                           "street_address_1": "Unter den Linden 1", "city": "Berlin",
                           "postal_code": "10117", "country": "DE", "phone": "+4930123"})

    assert lines == ["Ada Lovelace", "Unter den Linden 1", "10117 BERLIN", "GERMANY"]


def test_a_country_without_a_known_format_gets_a_plain_layout():
    lines = address_lines({"first_name": "Ada", "street_address_1": "1 Road", "city": "Town",
                           "postal_code": "99", "country": "ZZ"})

    assert lines == ["Ada", "1 Road", "99 Town", "ZZ"]
