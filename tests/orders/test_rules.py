"""Shipment plans without a database: checks, delivery summary, parcels per warehouse."""

from decimal import Decimal

import pytest

from mercato.core.money import Money
from mercato.inventory.rules import Allocation
from mercato.orders.rules import (
    ShipmentDraft,
    ShipmentPlan,
    allocation_groups,
    cancelled_value,
    check_plans,
    delivery_summary,
    format_shipment_number,
    shipment_drafts,
    split_amount,
    whole_order_plan,
)
from mercato.pricing.rules.types import DeliveryQuote

HOME = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "A 1", "country": "DE"}
OFFICE = HOME | {"street_address_1": "B 2"}
SHIRT, MUG = 11, 12
MAIN, NORTH = 1, 2


def delivery(code: str, fee: str) -> DeliveryQuote:
    eur = Money(fee, "EUR")
    return DeliveryQuote(method_id=len(code), code=code, name=code.title(), price=eur,
                         discount=Money(0, "EUR"), net=eur, tax=Money(0, "EUR"), gross=eur,
                         tax_rate=Decimal(0), tax_name="", estimated_days_min=1,
                         estimated_days_max=2)


STANDARD, EXPRESS = delivery("standard", "4.90"), delivery("express", "9.90")


def test_the_whole_order_plan_ships_every_line_in_full():
    plan = whole_order_plan(line_quantities=[2, 1], address=HOME, delivery=STANDARD)

    assert plan.quantities == ((0, 2), (1, 1))
    check_plans(line_quantities=[2, 1], plans=[plan])


def test_check_plans_accepts_a_line_split_over_plans():
    check_plans(line_quantities=[2, 1], plans=[ShipmentPlan(HOME, None, ((0, 1), (1, 1))),
                                               ShipmentPlan(OFFICE, None, ((0, 1),))])


def test_check_plans_refuses_no_plans():
    with pytest.raises(ValueError, match="at least one"):
        check_plans(line_quantities=[1], plans=[])


def test_delivery_summary_names_one_method_or_says_mixed():
    same = [ShipmentPlan(HOME, STANDARD, ()), ShipmentPlan(OFFICE, STANDARD, ())]
    mixed = [ShipmentPlan(HOME, STANDARD, ()), ShipmentPlan(OFFICE, EXPRESS, ())]
    none = [ShipmentPlan(HOME, None, ())]

    assert delivery_summary(same) == ("standard", "Standard", Decimal("9.80"))
    assert delivery_summary(mixed) == ("mixed", "Several methods", Decimal("14.80"))
    assert delivery_summary(none) == ("", "", Decimal(0))


def test_allocation_groups_leave_out_lines_without_a_variant():
    plans = [ShipmentPlan(HOME, None, ((0, 2), (1, 1))), ShipmentPlan(OFFICE, None, ((2, 3),))]

    assert allocation_groups(plans=plans, variant_ids=[SHIRT, None, MUG]) == [
        (0, [(SHIRT, 2)]), (1, [(MUG, 3)])]


def test_a_plan_is_one_parcel_per_warehouse_with_the_fee_on_the_first():
    plans = [ShipmentPlan(HOME, STANDARD, ((0, 3), (1, 1), (2, 1)))]
    allocations = [Allocation(0, SHIRT, 101, NORTH, 2), Allocation(0, SHIRT, 102, MAIN, 1),
                   Allocation(0, MUG, 103, MAIN, 1)]

    drafts = shipment_drafts(plans=plans, variant_ids=[SHIRT, MUG, None],
                             allocations=allocations)

    assert drafts == [
        ShipmentDraft(0, NORTH, ((0, 101, 2), (2, None, 1)), Decimal("4.90")),
        ShipmentDraft(0, MAIN, ((0, 102, 1), (1, 103, 1)), Decimal(0)),
    ]


def test_two_lines_of_one_variant_share_its_allocation():
    plans = [ShipmentPlan(HOME, None, ((0, 1), (1, 2)))]

    drafts = shipment_drafts(plans=plans, variant_ids=[SHIRT, SHIRT],
                             allocations=[Allocation(0, SHIRT, 101, MAIN, 3)])

    assert drafts == [ShipmentDraft(0, MAIN, ((0, 101, 1), (1, 101, 2)), Decimal(0))]


def test_a_plan_with_nothing_in_stock_to_allocate_is_one_parcel_without_warehouse():
    plans = [ShipmentPlan(HOME, EXPRESS, ((0, 1),)), ShipmentPlan(OFFICE, STANDARD, ((1, 1),))]

    drafts = shipment_drafts(plans=plans, variant_ids=[SHIRT, None],
                             allocations=[Allocation(0, SHIRT, 101, MAIN, 1)])

    assert drafts == [ShipmentDraft(0, MAIN, ((0, 101, 1),), Decimal("9.90")),
                      ShipmentDraft(1, None, ((1, None, 1),), Decimal("4.90"))]


def test_units_without_an_allocation_are_a_programming_error():
    with pytest.raises(ValueError, match="no allocation"):
        shipment_drafts(plans=[ShipmentPlan(HOME, None, ((0, 2),))], variant_ids=[SHIRT],
                        allocations=[Allocation(0, SHIRT, 101, MAIN, 1)])


def test_shipment_numbers_count_the_orders_parcels_from_one():
    assert format_shipment_number(order_number="MRC-100001", position=2) == "MRC-100001-2"


def test_cancelled_value_is_each_lines_gross_pro_rata_plus_the_fee_rounded_once():
    value = cancelled_value(lines=[(Decimal("10.00"), 3, 1), (Decimal("5.55"), 2, 1)],
                            delivery=[Decimal("4.90")], currency="EUR")
    assert value == Decimal("11.01")  # 3.3333 + 2.775 + 4.90, rounded once


def test_split_amount_takes_from_each_limit_in_turn():
    assert split_amount(Decimal("30"), [Decimal("20"), Decimal("20"), Decimal("5")]) == [
        Decimal("20"), Decimal("10"), Decimal("0")]
    assert split_amount(Decimal("-1"), [Decimal("5")]) == [Decimal("0")]
