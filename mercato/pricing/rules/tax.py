"""Tax: which class a line is in, which rate applies where, and how an amount splits.

Rounding (half up, to the currency's minor unit) happens once per line: in a tax-inclusive shop
the line amount is the gross, net = round(gross / (1 + rate)) and tax = gross - net; in a
tax-exclusive shop the amount is the net, tax = round(net x rate) and gross = net + tax.
Totals are sums of these rounded values, so net + tax == gross holds per line and in total.
"""

from dataclasses import dataclass
from decimal import Decimal

from mercato.core.money import Money, round_money
from mercato.pricing.rules.types import (
    STANDARD_TAX_CLASS,
    Address,
    PricingConfig,
    PricingLine,
    TaxRateRule,
)

HUNDRED = Decimal(100)
NO_TAX_NAME = "No tax"


@dataclass(frozen=True)
class AppliedRate:
    rate: Decimal  # percent
    name: str


@dataclass(frozen=True)
class TaxSplit:
    net: Money
    tax: Money
    gross: Money


def tax_class_of(line: PricingLine, config: PricingConfig) -> str:
    """The product's own class, else its product type's, else standard."""
    if line.product_id in config.product_tax_classes:
        return config.product_tax_classes[line.product_id]
    return config.product_type_tax_classes.get(line.product_type_id, STANDARD_TAX_CLASS)


def rate_for(*, address: Address, tax_class: str, rates: tuple[TaxRateRule, ...]) -> AppliedRate:
    """The region's own rate, else the country's; no rate configured means no tax."""
    country, region = address.country.upper(), address.region.strip().upper()
    country_rate: TaxRateRule | None = None
    for rule in rates:
        if rule.country.upper() != country or rule.tax_class != tax_class:
            continue
        rule_region = rule.region.strip().upper()
        if region and rule_region == region:
            return AppliedRate(rule.rate, rule.name)
        if not rule_region:
            country_rate = rule
    if country_rate is None:
        return AppliedRate(Decimal(0), NO_TAX_NAME)
    return AppliedRate(country_rate.rate, country_rate.name)


def split(amount: Money, *, rate: Decimal, prices_include_tax: bool) -> TaxSplit:
    """Net, tax and gross of an amount stated in the price mode (already rounded)."""
    if prices_include_tax:
        net = round_money(amount / (1 + rate / HUNDRED))
        return TaxSplit(net=net, tax=amount - net, gross=amount)
    tax = round_money(amount * rate / HUNDRED)
    return TaxSplit(net=amount, tax=tax, gross=amount + tax)
