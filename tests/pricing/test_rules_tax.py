"""Tax in the pure rules: inclusive and exclusive shops, classes, regions, currencies."""

from decimal import Decimal

from mercato.pricing.rules import Address, TaxRateRule
from mercato.pricing.rules.tax import rate_for
from tests.pricing.builders import DE_RATES, GERMANY, line, money, quote

US_RATES = (
    TaxRateRule("US", "", "standard", Decimal(0), "No state tax"),
    TaxRateRule("US", "NY", "standard", Decimal("8.875"), "NY sales tax"),
    TaxRateRule("US", "CA", "standard", Decimal("7.25"), "CA sales tax"),
)


def test_tax_inclusive_shop_takes_the_tax_out_of_the_price():
    result = quote(line(price="119.00"), address=GERMANY)

    only = result.lines[0]
    assert (only.gross, only.net, only.tax) == (money("119.00"), money("100.00"), money("19.00"))
    assert result.total == money("119.00")
    assert result.tax_total == money("19.00")
    assert result.tax_known is True


def test_tax_exclusive_shop_adds_the_tax_on_top():
    result = quote(line(price="100.00"), inclusive=False, address=GERMANY)

    only = result.lines[0]
    assert (only.net, only.tax, only.gross) == (money("100.00"), money("19.00"), money("119.00"))
    assert result.subtotal == money("100.00")
    assert result.total == money("119.00")


def test_tax_is_rounded_per_line_then_summed():
    # 3 x 0.99 inclusive at 19 %: the line is 2.97, net 2.50 (2.4958 rounded), tax 0.47.
    result = quote(line(price="0.99", quantity=3), line("SKU-2", price="0.99", product_id=2),
                   address=GERMANY)

    assert [(li.net, li.tax) for li in result.lines] == [
        (money("2.50"), money("0.47")), (money("0.83"), money("0.16"))]
    assert result.tax_total == money("0.63")
    assert result.net_total + result.tax_total == result.total == money("3.96")


def test_mixed_tax_classes_are_taxed_at_their_own_rates_and_broken_down():
    food = line("BREAD", price="10.70", product_id=2, product_type_id=20)
    shirt = line("SHIRT", price="11.90", product_id=1, product_type_id=10)

    result = quote(food, shirt, address=GERMANY,
                   config_fields={"product_type_tax_classes": {20: "reduced"}})

    assert [(li.tax_class, li.tax_rate, li.tax) for li in result.lines] == [
        ("reduced", Decimal(7), money("0.70")), ("standard", Decimal(19), money("1.90"))]
    assert [(t.name, t.net, t.tax) for t in result.taxes] == [
        ("VAT 7%", money("10.00"), money("0.70")), ("VAT 19%", money("10.00"), money("1.90"))]


def test_a_product_tax_class_overrides_its_product_type():
    book = line(price="10.70", product_id=7, product_type_id=10)

    result = quote(book, address=GERMANY, config_fields={
        "product_type_tax_classes": {10: "standard"}, "product_tax_classes": {7: "reduced"}})

    assert result.lines[0].tax_class == "reduced"
    assert result.lines[0].tax == money("0.70")


def test_a_product_in_no_class_is_standard():
    assert quote(line(), address=GERMANY).lines[0].tax_class == "standard"


def test_a_region_rate_overrides_the_country_rate():
    assert rate_for(address=Address("US", "NY"), tax_class="standard",
                    rates=US_RATES).rate == Decimal("8.875")
    assert rate_for(address=Address("US", "ny"), tax_class="standard",
                    rates=US_RATES).rate == Decimal("8.875")
    assert rate_for(address=Address("US", "TX"), tax_class="standard",
                    rates=US_RATES).rate == Decimal(0)


def test_us_style_shop_charges_the_state_rate():
    result = quote(line(price="100.00", currency="USD"), currency="USD", inclusive=False,
                   address=Address("US", "NY"), config_fields={"tax_rates": US_RATES})

    assert result.tax_total == money("8.88", "USD")
    assert result.total == money("108.88", "USD")


def test_a_country_without_a_rate_is_not_taxed():
    result = quote(line(price="50.00"), address=Address("CH"))

    assert result.tax_total == money("0")
    assert result.lines[0].net == result.lines[0].gross == money("50.00")


def test_without_an_address_tax_is_estimated_for_the_shop_country():
    result = quote(line(price="119.00"))

    assert result.tax_known is False
    assert result.tax_total == money("19.00")


def test_an_address_abroad_changes_the_tax_of_a_tax_inclusive_price_not_the_price():
    french = (TaxRateRule("FR", "", "standard", Decimal(20), "TVA 20%"), *DE_RATES)

    result = quote(line(price="120.00"), address=Address("FR"),
                   config_fields={"tax_rates": french})

    assert result.total == money("120.00")
    assert result.tax_total == money("20.00")


def test_pound_sterling_quote_is_in_pounds():
    uk = (TaxRateRule("GB", "", "standard", Decimal(20), "VAT 20%"),)

    result = quote(line(price="12.00", currency="GBP"), currency="GBP", address=Address("GB"),
                   config_fields={"tax_rates": uk})

    assert result.total == money("12.00", "GBP")
    assert result.tax_total == money("2.00", "GBP")


def test_yen_has_no_minor_unit():
    japan = (TaxRateRule("JP", "", "standard", Decimal(10), "Consumption tax 10%"),)

    result = quote(line(price="1999", currency="JPY", quantity=3), currency="JPY",
                   address=Address("JP"), inclusive=False, config_fields={"tax_rates": japan})

    assert result.lines[0].tax == money("600", "JPY")  # 599.7 rounded to whole yen
    assert result.total == money("6597", "JPY")
    assert result.total.amount == result.total.amount.to_integral_value()
