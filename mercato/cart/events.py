"""Facts the cart records; the aggregate id of a cart is its primary key (its token is secret)."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class CartMerged(DomainEvent):
    """An anonymous cart joined a customer's cart at login: its lines merged into the customer's
    cart (and it was deleted), or, when the customer had no cart, it became theirs (adopted)."""

    aggregate_type: ClassVar[str] = "cart"
    merged_cart_id: str
    line_count: int
    adopted: bool


@dataclass(frozen=True)
class CartExpired(DomainEvent):
    """A customer's cart found stale when they wrote to it again: it is closed, a new one opens."""

    aggregate_type: ClassVar[str] = "cart"


@dataclass(frozen=True)
class CartsExpired(DomainEvent):
    """One run of `expire_carts`: every Active cart not updated since `cutoff` is now Expired."""

    aggregate_type: ClassVar[str] = "cart"
    count: int
    cutoff: str


@dataclass(frozen=True)
class CartConverted(DomainEvent):
    """Checked out: the cart became an order (by number; set when the order is numbered)."""

    aggregate_type: ClassVar[str] = "cart"
    order_number: str


EXPIRY_RUN_AGGREGATE_ID = "expiry-runs"
