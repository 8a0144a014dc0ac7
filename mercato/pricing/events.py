"""Facts the pricing app records."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class PromotionUsed(DomainEvent):
    """An order used a promotion (aggregate = the promotion's id)."""

    aggregate_type: ClassVar[str] = "promotion"
    order_reference: str
    coupon_code: str
    customer_id: int | None
