"""Delivery in the pure rules: zones, bands, thresholds, exclusions, tax of the fee."""

from decimal import Decimal

from mercato.pricing.rules import Address, MessageCode, delivery_options
from tests.pricing.builders import (
    GERMANY,
    config,
    free_delivery,
    line,
    method,
    money,
    percent_off,
    quote,
    rate,
    request,
    zone,
)

EU = zone("DE", "AT", "FR", id=2)
STANDARD = method("standard", rate("4.90", in_zone=EU, free_over="50.00"), id=1)
EXPRESS = method("express", rate("12.90", in_zone=EU), id=2)


def options(*lines, address=GERMANY, methods=(STANDARD, EXPRESS), promotions=(), **fields):
    return delivery_options(request(*lines, address=address, **fields),
                            config(delivery_methods=methods, promotions=promotions))


def fees(found) -> dict[str, object]:
    return {option.code: option.fee for option in found}


def test_methods_for_the_address_zone_are_offered_with_their_fees():
    found = options(line(price="20.00"))

    assert fees(found) == {"standard": money("4.90"), "express": money("12.90")}
    assert (found[0].estimated_days_min, found[0].estimated_days_max) == (1, 3)


def test_a_method_is_not_offered_outside_its_zones():
    assert options(line(), address=Address("US", "NY")) == []


def test_a_zone_with_regions_covers_only_those_regions():
    islands = zone("ES", id=3, regions=("CN",))
    canaries = method("canaries", rate("20.00", in_zone=islands), id=3)

    assert fees(options(line(), address=Address("ES", "cn"), methods=(canaries,)))
    assert options(line(), address=Address("ES", "M"), methods=(canaries,)) == []


def test_weight_bands_choose_the_rate_by_cart_weight():
    parcel = method("parcel", rate("4.90", max_weight=1000), rate("9.90", min_weight=1000,
                                                                    max_weight=5000))
    light = line(weight_grams=400, quantity=2)
    heavy = line(weight_grams=500, quantity=2)
    too_heavy = line(weight_grams=2500, quantity=2)

    assert fees(options(light, methods=(parcel,))) == {"parcel": money("4.90")}
    assert fees(options(heavy, methods=(parcel,))) == {"parcel": money("9.90")}
    assert options(too_heavy, methods=(parcel,)) == []


def test_order_value_bands_choose_the_rate_by_discounted_goods_value():
    tiered = method("tiered", rate("6.90", max_value="30.00"), rate("3.90", min_value="30.00"))

    assert fees(options(line(price="29.99"), methods=(tiered,))) == {"tiered": money("6.90")}
    assert fees(options(line(price="30.00"), methods=(tiered,))) == {"tiered": money("3.90")}


def test_the_cheapest_matching_rate_wins():
    overlapping = method("mixed", rate("7.00"), rate("5.00", max_weight=2000), rate("9.00"))

    assert fees(options(line(weight_grams=100), methods=(overlapping,))) == {
        "mixed": money("5.00")}


def test_free_over_threshold_makes_the_fee_zero():
    assert fees(options(line(price="49.99")))["standard"] == money("4.90")
    assert fees(options(line(price="50.00")))["standard"] == money("0.00")


def test_free_threshold_compares_the_subtotal_after_discounts():
    found = options(line(price="55.00"), promotions=(percent_off(10),))

    assert fees(found)["standard"] == money("4.90")  # 49.50 after the discount


def test_a_method_is_not_offered_when_a_line_is_in_an_excluded_category():
    no_batteries = method("air", rate("15.00"), excluded=(100,))
    battery = line("BATTERY", categories=(101, 100))  # in a sub-category of 100

    assert options(line(categories=(5,)), methods=(no_batteries,))
    assert options(line(categories=(5,)), battery, methods=(no_batteries,)) == []


def test_rates_in_another_currency_are_not_offered():
    pounds_only = method("uk", rate("3.00", currency="GBP", in_zone=zone("GB")))

    assert options(line(), address=Address("GB"), methods=(pounds_only,)) == []


def test_without_an_address_nothing_is_offered():
    assert options(line(), address=None) == []


def test_the_chosen_method_is_charged_and_taxed_by_its_class():
    result = quote(line(price="20.00"), address=GERMANY, delivery="express",
                   config_fields={"delivery_methods": (STANDARD, EXPRESS)})

    delivery = result.delivery
    assert (delivery.code, delivery.price, delivery.discount) == ("express", money("12.90"),
                                                                  money("0"))
    assert (delivery.net, delivery.tax, delivery.gross) == (money("10.84"), money("2.06"),
                                                            money("12.90"))
    assert delivery.tax_rate == Decimal(19)
    assert result.total == money("32.90")


def test_delivery_taxed_in_a_reduced_class():
    reduced = method("post", rate("10.70"), tax_class="reduced")

    result = quote(line(), address=GERMANY, delivery="post",
                   config_fields={"delivery_methods": (reduced,)})

    assert result.delivery.tax == money("0.70")


def test_in_a_tax_exclusive_shop_the_fee_is_net():
    result = quote(line(price="20.00"), address=GERMANY, delivery="express", inclusive=False,
                   config_fields={"delivery_methods": (EXPRESS,)})

    assert (result.delivery.net, result.delivery.gross) == (money("12.90"), money("15.35"))
    assert result.total == money("39.15")  # (20.00 + 12.90) x 1.19


def test_a_method_not_offered_for_the_address_is_not_charged_and_says_so():
    result = quote(line(), address=Address("US"), delivery="express",
                   config_fields={"delivery_methods": (EXPRESS,)})

    assert result.delivery is None
    assert [m.code for m in result.messages] == [MessageCode.DELIVERY_METHOD_UNAVAILABLE]


def test_a_method_without_an_address_asks_for_one():
    result = quote(line(), delivery="express", config_fields={"delivery_methods": (EXPRESS,)})

    assert result.delivery is None
    assert [m.code for m in result.messages] == [MessageCode.DELIVERY_NEEDS_ADDRESS]


def test_free_delivery_promotion_waives_the_fee_and_reports_it_as_a_discount():
    result = quote(line(price="20.00"), address=GERMANY, delivery="express",
                   config_fields={"delivery_methods": (EXPRESS,),
                                  "promotions": (free_delivery(id=9),)})

    assert (result.delivery.price, result.delivery.discount) == (money("12.90"), money("12.90"))
    assert result.delivery.gross == money("0")
    assert [(d.name, d.amount) for d in result.discounts] == [("Free shipping", money("12.90"))]
    assert result.total == money("20.00")


def test_free_delivery_promotion_shows_zero_fees_in_the_options():
    found = options(line(price="20.00"), promotions=(free_delivery(),))

    assert set(fees(found).values()) == {money("0")}
