"""Property-based tests (hypothesis) of the quote's invariants, over random carts and configs.

1. The parts add up exactly: per line and for delivery net + tax == gross; net_total +
   tax_total == total; subtotal - discount_total + delivery price == total (tax-inclusive shop)
   or net_total (tax-exclusive shop); the per-rate breakdown and the discounts add up to their
   totals.
2. Nothing is negative.
3. A tax-inclusive and a tax-exclusive shop selling at the same net prices agree. "The same net
   prices" means: the exclusive shop's unit price is the net price N, the inclusive shop's is
   N x (1 + rate) unrounded. Then:
   - without discounts, net, tax and gross agree exactly, per line and in total: the inclusive
     net is round(round(N x q x (1 + r)) / (1 + r)), and a rounding error of at most half a
     minor unit, divided by 1 + r, stays within half a minor unit, so it rounds back to N x q;
   - with percentage discounts, each shop rounds each discount on its own amount (gross or net),
     so the nets of a line drift apart by less than one minor unit per discount on products or
     categories (half a unit on each side), and by less than three per discount on the order
     (whose allocation to the lines rounds once more, by less than one unit on each side).
     The test checks exactly these bounds; the largest drift seen is one unit per discount,
     plus one when an order discount is among them. Every promotion here stacks: when a
     discount rounds to zero in one shop and not the other, a non-stacking one would apply in
     one shop only and the two quotes would not be comparable.
   Exact agreement is impossible with discounts, and also once gross unit prices are rounded to
   the minor unit (as shelf prices are): a 0.01 net price at 19 % is a 0.0119 gross price, and a
   0.01 gross shelf price has a net of 0.0084 per unit, off by 0.16 x q minor units.
"""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mercato.core.money import Money, minor_unit, money_sum
from mercato.pricing.rules import (
    PricingConfig,
    PricingLine,
    PromotionKind,
    PromotionRule,
    PromotionScope,
    Quote,
    TaxRateRule,
    price_quote,
)
from tests.pricing.builders import GERMANY, method, rate, request, zone

CURRENCIES = ["EUR", "GBP", "JPY"]
RATES = [Decimal(0), Decimal("5.5"), Decimal(7), Decimal(10), Decimal(19), Decimal("8.875")]


@st.composite
def lines(draw: st.DrawFn, currency: str) -> list[PricingLine]:
    unit = minor_unit(currency)
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        PricingLine(
            sku=f"SKU-{index}", quantity=draw(st.integers(min_value=1, max_value=12)),
            unit_price=Money(draw(st.integers(min_value=0, max_value=50_000)) * unit, currency),
            product_id=draw(st.integers(min_value=1, max_value=4)),
            product_type_id=draw(st.integers(min_value=1, max_value=3)),
            category_ids=frozenset(draw(st.sets(st.integers(min_value=1, max_value=4),
                                                max_size=2))),
            weight_grams=draw(st.integers(min_value=0, max_value=3000)),
        )
        for index in range(count)
    ]


@st.composite
def promotions(draw: st.DrawFn, currency: str, kinds: list[PromotionKind]) -> PromotionRule:
    kind = draw(st.sampled_from(kinds))
    scope = draw(st.sampled_from(list(PromotionScope)))
    unit = minor_unit(currency)
    return PromotionRule(
        id=draw(st.integers(min_value=1, max_value=10_000)), name="Promotion", kind=kind,
        scope=scope,
        percentage=Decimal(draw(st.integers(min_value=1, max_value=10_000))) / 100,
        amount=Money(draw(st.integers(min_value=1, max_value=20_000)) * unit, currency),
        buy_quantity=draw(st.integers(min_value=1, max_value=3)),
        get_quantity=draw(st.integers(min_value=1, max_value=2)),
        product_ids=frozenset(draw(st.sets(st.integers(min_value=1, max_value=4)))),
        category_ids=frozenset(draw(st.sets(st.integers(min_value=1, max_value=4)))),
        priority=draw(st.integers(min_value=0, max_value=3)), stacks=draw(st.booleans()),
    )


def tax_config(draw: st.DrawFn) -> dict:
    standard, reduced = draw(st.sampled_from(RATES)), draw(st.sampled_from(RATES))
    return {
        "tax_rates": (TaxRateRule("DE", "", "standard", standard, f"VAT {standard}"),
                      TaxRateRule("DE", "", "reduced", reduced, f"VAT {reduced}")),
        "product_type_tax_classes": {2: "reduced"},
    }


@st.composite
def priced_carts(draw: st.DrawFn) -> tuple[bool, Quote]:
    currency = draw(st.sampled_from(CURRENCIES))
    unit = minor_unit(currency)
    fee = str(draw(st.integers(min_value=0, max_value=3000)) * unit)
    free_over = str(draw(st.integers(min_value=0, max_value=300_000)) * unit)
    delivery = method("parcel", rate(fee, currency=currency, free_over=free_over,
                                     in_zone=zone("DE")), tax_class="reduced")
    config = PricingConfig(
        **tax_config(draw), delivery_methods=(delivery,),
        promotions=tuple(draw(st.lists(promotions(currency, list(PromotionKind)), max_size=5,
                                       unique_by=lambda p: p.id))),
    )
    inclusive = draw(st.booleans())
    quote_request = request(*draw(lines(currency)), currency=currency, inclusive=inclusive,
                            address=GERMANY, delivery=draw(st.sampled_from([None, "parcel"])))
    return inclusive, price_quote(quote_request, config)


def parts_of(quote: Quote) -> list:
    return [*quote.lines, *([quote.delivery] if quote.delivery else [])]


@settings(max_examples=400, deadline=None)
@given(priced_carts())
def test_components_add_up_to_the_total_exactly(case):
    inclusive, quote = case
    currency = quote.currency
    for part in parts_of(quote):
        assert part.net + part.tax == part.gross
    delivery_price = quote.delivery.price if quote.delivery else Money(0, currency)
    goods_and_delivery = quote.subtotal - quote.discount_total + delivery_price
    assert goods_and_delivery == (quote.total if inclusive else quote.net_total)
    assert quote.net_total + quote.tax_total == quote.total
    assert money_sum((part.gross for part in parts_of(quote)), currency) == quote.total
    assert money_sum((t.tax for t in quote.taxes), currency) == quote.tax_total
    assert money_sum((t.net for t in quote.taxes), currency) == quote.net_total
    line_discounts = money_sum((li.discount_total for li in quote.lines), currency)
    delivery_discount = quote.delivery.discount if quote.delivery else Money(0, currency)
    assert line_discounts + delivery_discount == quote.discount_total
    for li in quote.lines:
        assert li.base_amount - money_sum((d.amount for d in li.discounts), currency) == li.amount


@settings(max_examples=400, deadline=None)
@given(priced_carts())
def test_nothing_is_negative(case):
    _, quote = case
    amounts = [quote.subtotal, quote.discount_total, quote.tax_total, quote.net_total,
               quote.total]
    for part in parts_of(quote):
        amounts += [part.net, part.tax, part.gross]
    for li in quote.lines:
        amounts += [li.amount, *(d.amount for d in li.discounts)]
    if quote.delivery:
        amounts += [quote.delivery.price, quote.delivery.discount, quote.delivery.amount]
    assert all(amount.amount >= 0 for amount in amounts)
    assert all(amount.currency.code == quote.currency for amount in amounts)


@st.composite
def same_net_prices(draw: st.DrawFn, kinds: list[PromotionKind]
                    ) -> tuple[Quote, Quote, PricingConfig]:
    """The same cart priced by a tax-exclusive shop (net prices) and a tax-inclusive one (the
    same net prices x (1 + rate), unrounded)."""
    currency = draw(st.sampled_from(CURRENCIES))
    taxes = tax_config(draw)
    offers = draw(st.lists(promotions(currency, kinds), max_size=3,
                           unique_by=lambda p: p.id)) if kinds else []
    config = PricingConfig(**taxes,
                           promotions=tuple(replace(offer, stacks=True) for offer in offers))
    net_lines = draw(lines(currency))
    rates = {rule.tax_class: rule.rate for rule in taxes["tax_rates"]}
    gross_lines = [
        replace(li, unit_price=li.unit_price * (1 + rates[
            "reduced" if li.product_type_id == 2 else "standard"] / 100))
        for li in net_lines
    ]
    exclusive = price_quote(request(*net_lines, currency=currency, inclusive=False,
                                    address=GERMANY), config)
    inclusive = price_quote(request(*gross_lines, currency=currency, inclusive=True,
                                    address=GERMANY), config)
    return exclusive, inclusive, config


@settings(max_examples=400, deadline=None)
@given(same_net_prices([]))
def test_inclusive_and_exclusive_shops_with_the_same_net_prices_agree_exactly(case):
    exclusive, inclusive, _ = case
    for ex, inc in zip(exclusive.lines, inclusive.lines, strict=True):
        assert (ex.net, ex.tax, ex.gross) == (inc.net, inc.tax, inc.gross)
    assert exclusive.net_total == inclusive.net_total
    assert exclusive.tax_total == inclusive.tax_total
    assert exclusive.total == inclusive.total


@settings(max_examples=400, deadline=None)
@given(same_net_prices([PromotionKind.PERCENTAGE]))
def test_with_percentage_discounts_the_net_of_each_line_agrees_within_the_rounding_bound(case):
    exclusive, inclusive, config = case
    unit = minor_unit(exclusive.currency)
    scopes = {promotion.id: promotion.scope for promotion in config.promotions}
    for ex, inc in zip(exclusive.lines, inclusive.lines, strict=True):
        applied = {d.promotion_id for d in (*ex.discounts, *inc.discounts)}
        bound = sum(3 if scopes[pid] == PromotionScope.ORDER else 1 for pid in applied)
        assert abs(ex.net.amount - inc.net.amount) <= bound * unit


@settings(max_examples=400, deadline=None)
@given(same_net_prices([PromotionKind.PERCENTAGE]))
def test_one_percentage_off_products_keeps_each_line_net_within_one_minor_unit(case):
    exclusive, inclusive, config = case
    unit = minor_unit(exclusive.currency)
    for ex, inc in zip(exclusive.lines, inclusive.lines, strict=True):
        applied = {d.promotion_id for d in (*ex.discounts, *inc.discounts)}
        on_lines = all(p.scope != PromotionScope.ORDER for p in config.promotions)
        if len(applied) == 1 and on_lines:
            assert abs(ex.net.amount - inc.net.amount) <= unit
