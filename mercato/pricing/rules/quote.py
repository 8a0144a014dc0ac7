"""The price quote: promotions, then tax per line, then delivery, then totals.

Order of work: coupons are checked; promotions take their discounts off the lines (in the price
mode); each line's remaining amount is split into net, tax and gross (rounded once, per line);
the delivery fee is chosen on the discounted goods value and waived by a free-delivery
promotion, then split by its method's tax class; totals are sums of the rounded parts.

So, exactly: per line and for delivery net + tax == gross; net_total + tax_total == total;
subtotal - discount_total + delivery price == total (tax-inclusive shop) or net_total
(tax-exclusive shop). Without an address, tax is estimated for the shop's country
(tax_known is False) and no delivery is quoted.
"""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from mercato.core.money import Money, money_sum, round_money, zero
from mercato.pricing.rules.coupons import coupon_messages, coupon_results, unlocked_promotion_ids
from mercato.pricing.rules.delivery import (
    delivery_option,
    offered_methods,
    shipment_of,
)
from mercato.pricing.rules.promotions import PromotionContext, PromotionOutcome, apply_promotions
from mercato.pricing.rules.tax import rate_for, split, tax_class_of
from mercato.pricing.rules.types import (
    Address,
    AppliedPromotion,
    DeliveryOption,
    DeliveryQuote,
    Discount,
    Message,
    MessageCode,
    PricingConfig,
    PricingLine,
    Quote,
    QuoteLine,
    QuoteRequest,
    TaxLine,
)


def check_request(request: QuoteRequest) -> None:
    for line in request.lines:
        if line.unit_price.currency.code != request.currency:
            raise ValueError(f"{line.sku} is priced in {line.unit_price.currency.code}, "
                             f"the quote in {request.currency}.")
        if line.quantity <= 0 or line.unit_price.amount < 0:
            raise ValueError(f"{line.sku}: quantity and unit price must be positive.")
    if request.shipments:
        sent = [0] * len(request.lines)
        for shipment in request.shipments:
            for index, quantity in shipment.quantities:
                sent[index] += quantity
        if sent != [line.quantity for line in request.lines] or request.address is None:
            raise ValueError("Shipments must send every line's quantity exactly, and the "
                             "request needs the tax address.")


def promotion_outcome(request: QuoteRequest, config: PricingConfig) -> PromotionOutcome:
    context = PromotionContext(
        lines=request.lines, currency=request.currency, now=request.now,
        customer_id=request.customer_id,
        unlocked_promotion_ids=unlocked_promotion_ids(request.coupon_codes, config.coupons,
                                                      request.now),
    )
    return apply_promotions(context, config.promotions)


def tax_address(request: QuoteRequest) -> Address:
    return request.address or Address(country=request.shop_country)


def quote_line(line: PricingLine, discounts: tuple[Discount, ...], *, request: QuoteRequest,
               config: PricingConfig) -> QuoteLine:
    base = round_money(line.unit_price * line.quantity)
    amount = base - money_sum((d.amount for d in discounts), request.currency)
    tax_class = tax_class_of(line, config)
    rate = rate_for(address=tax_address(request), tax_class=tax_class, rates=config.tax_rates)
    parts = split(amount, rate=rate.rate, prices_include_tax=request.prices_include_tax)
    return QuoteLine(
        sku=line.sku, variant_id=line.variant_id, quantity=line.quantity,
        unit_price=line.unit_price, base_amount=base, discounts=discounts, amount=amount,
        net=parts.net, tax=parts.tax, gross=parts.gross, tax_rate=rate.rate, tax_name=rate.name,
        tax_class=tax_class,
    )


def delivery_options(request: QuoteRequest, config: PricingConfig) -> list[DeliveryOption]:
    """The methods offered for the request's address and lines, with the fee each costs
    (after the free-delivery threshold and a free-delivery promotion)."""
    if request.address is None:
        return []
    outcome = promotion_outcome(request, config)
    lines = [quote_line(line, discounts, request=request, config=config)
             for line, discounts in zip(request.lines, outcome.line_discounts, strict=True)]
    shipment = shipment_of(address=request.address, lines=request.lines,
                           order_value=money_sum((line.amount for line in lines),
                                                 request.currency))
    free = outcome.free_delivery is not None
    return [delivery_option(method, zero(request.currency) if free else fee)
            for method, fee in offered_methods(config.delivery_methods, shipment)]


def quote_delivery(request: QuoteRequest, config: PricingConfig, *, goods_value: Money,
                   outcome: PromotionOutcome) -> tuple[DeliveryQuote | None, list[Message]]:
    code = request.delivery_method
    if code is None:
        return None, []
    if request.address is None:
        return None, [Message(MessageCode.DELIVERY_NEEDS_ADDRESS,
                              "Choose a delivery address to get the delivery fee.")]
    return delivery_quote(code, address=request.address, lines=request.lines,
                          goods_value=goods_value, request=request, config=config,
                          outcome=outcome)


def delivery_quote(code: str, *, address: Address, lines: Sequence[PricingLine],
                   goods_value: Money, request: QuoteRequest, config: PricingConfig,
                   outcome: PromotionOutcome,
                   label: str = "") -> tuple[DeliveryQuote | None, list[Message]]:
    """The fee of method `code` for these lines sent to `address`, split into net and tax."""
    shipment = shipment_of(address=address, lines=lines, order_value=goods_value)
    offered = {method.code: (method, fee)
               for method, fee in offered_methods(config.delivery_methods, shipment)}
    if code not in offered:
        return None, [Message(MessageCode.DELIVERY_METHOD_UNAVAILABLE,
                              f"The delivery method '{code}' is not available for this address "
                              f"and {label or 'cart'}.")]
    method, fee = offered[code]
    discount = fee if outcome.free_delivery is not None else zero(request.currency)
    rate = rate_for(address=address, tax_class=method.tax_class, rates=config.tax_rates)
    parts = split(fee - discount, rate=rate.rate, prices_include_tax=request.prices_include_tax)
    return DeliveryQuote(
        method_id=method.id, code=method.code, name=method.name, price=fee, discount=discount,
        net=parts.net, tax=parts.tax, gross=parts.gross, tax_rate=rate.rate, tax_name=rate.name,
        estimated_days_min=method.estimated_days_min,
        estimated_days_max=method.estimated_days_max,
    ), []


def share_of(amount: Money, *, quantity: int, of: int) -> Money:
    """The part of a line amount that `quantity` of its `of` units carry."""
    return amount if quantity == of else round_money(amount * quantity / of)


def quote_shipments(request: QuoteRequest, config: PricingConfig, *,
                    lines: Sequence[QuoteLine], outcome: PromotionOutcome,
                    ) -> tuple[tuple[DeliveryQuote | None, ...], list[Message]]:
    """Each shipment's fee, chosen on its own weight and discounted goods value."""
    deliveries, messages = [], []
    for number, shipment in enumerate(request.shipments, start=1):
        parts = [replace(request.lines[index], quantity=quantity)
                 for index, quantity in shipment.quantities]
        value = money_sum((share_of(lines[index].amount, quantity=quantity,
                                    of=lines[index].quantity)
                           for index, quantity in shipment.quantities), request.currency)
        delivery, problems = delivery_quote(
            shipment.delivery_method, address=shipment.address, lines=parts, goods_value=value,
            request=request, config=config, outcome=outcome, label=f"shipment {number}")
        deliveries.append(delivery)
        messages.extend(problems)
    return tuple(deliveries), messages


def discounts_by_promotion(lines: Sequence[QuoteLine], deliveries: Sequence[DeliveryQuote],
                           outcome: PromotionOutcome, currency: str) -> tuple[Discount, ...]:
    """One entry per promotion that took something off, in the order they were applied."""
    amounts: dict[int, Money] = {}
    for discount in (d for line in lines for d in line.discounts):
        amounts[discount.promotion_id] = amounts.get(discount.promotion_id,
                                                     zero(currency)) + discount.amount
    free = outcome.free_delivery
    waived = money_sum((delivery.discount for delivery in deliveries), currency)
    if free is not None and waived.amount > 0:
        amounts[free.id] = waived
    return tuple(Discount(p.id, p.name, amounts[p.id]) for p in outcome.applied
                 if p.id in amounts)


def tax_breakdown(parts: Sequence[QuoteLine | DeliveryQuote]) -> tuple[TaxLine, ...]:
    """Net and tax per rate (name and percent), in the order the rates first appear."""
    groups: dict[tuple[str, Decimal], TaxLine] = {}
    for part in parts:
        key = (part.tax_name, part.tax_rate)
        known = groups.get(key)
        net, tax = (part.net, part.tax) if known is None else (known.net + part.net,
                                                               known.tax + part.tax)
        groups[key] = TaxLine(part.tax_name, part.tax_rate, net, tax)
    return tuple(groups.values())


def promotion_messages(request: QuoteRequest, config: PricingConfig,
                       outcome: PromotionOutcome) -> list[Message]:
    """Promotions the shopper was shown before that no longer apply, and why."""
    applied = {promotion.id for promotion in outcome.applied}
    messages = []
    for promotion_id in sorted(request.previously_applied_promotion_ids - applied):
        reason = outcome.reasons.get(promotion_id)
        text = reason.text if reason else "It is no longer available."
        names = [p.name for p in config.promotions if p.id == promotion_id]
        label = names[0] if names else "A promotion"
        messages.append(Message(MessageCode.PROMOTION_NO_LONGER_APPLIES,
                                f"{label} no longer applies. {text}", promotion_id=promotion_id))
    return messages


def price_quote(request: QuoteRequest, config: PricingConfig) -> Quote:
    """The whole price of a cart or order: lines, discounts, delivery, tax and total."""
    check_request(request)
    currency = request.currency
    outcome = promotion_outcome(request, config)
    lines = tuple(quote_line(line, discounts, request=request, config=config)
                  for line, discounts in zip(request.lines, outcome.line_discounts, strict=True))
    goods_value = money_sum((line.amount for line in lines), currency)
    shipment_deliveries: tuple[DeliveryQuote | None, ...] = ()
    if request.shipments:
        delivery = None
        shipment_deliveries, delivery_messages = quote_shipments(request, config, lines=lines,
                                                                 outcome=outcome)
    else:
        delivery, delivery_messages = quote_delivery(request, config, goods_value=goods_value,
                                                     outcome=outcome)
    deliveries = ((delivery,) if delivery else
                  tuple(d for d in shipment_deliveries if d is not None))
    coupons = coupon_results(request.coupon_codes, config.coupons, now=request.now,
                             outcome=outcome)
    discounts = discounts_by_promotion(lines, deliveries, outcome, currency)
    charged = [*lines, *deliveries]
    net_total = money_sum((part.net for part in charged), currency)
    tax_total = money_sum((part.tax for part in charged), currency)
    return Quote(
        currency=currency, prices_include_tax=request.prices_include_tax,
        tax_known=request.address is not None, lines=lines,
        subtotal=money_sum((line.base_amount for line in lines), currency),
        discounts=discounts,
        discount_total=money_sum((discount.amount for discount in discounts), currency),
        delivery=delivery, taxes=tax_breakdown(charged),
        tax_total=tax_total, net_total=net_total, total=net_total + tax_total,
        applied_promotions=tuple(AppliedPromotion(p.id, p.name, p.kind) for p in outcome.applied),
        coupons=coupons,
        messages=(*coupon_messages(coupons), *promotion_messages(request, config, outcome),
                  *delivery_messages),
        shipment_deliveries=shipment_deliveries,
    )
