"""Pure rules of outgoing webhooks: which domain event is which webhook event type, which
target addresses a subscription may not use, how long a message is retried."""

import base64
import ipaddress
import secrets
from datetime import timedelta

from mercato.catalog.events import ProductUpdated
from mercato.core.events import DomainEvent
from mercato.inventory.events import (
    StockAllocated,
    StockLevelSet,
    StockReceived,
    StockReleased,
    StockShipped,
)
from mercato.orders.events import (
    OrderCancelled,
    OrderPaymentCaptured,
    OrderPaymentRefunded,
    OrderPaymentVoided,
    OrderPlaced,
    OrderStatusChanged,
    ShipmentDelivered,
    ShipmentReleased,
    ShipmentShipped,
)
from mercato.returns.events import ReturnReceived, ReturnRefunded, ReturnRequested

EVENT_TYPES = (
    "order.created", "order.updated", "order.cancelled",
    "shipment.released", "shipment.shipped", "shipment.delivered",
    "return.created", "return.received", "refund.created",
    "stock.changed", "product.updated",
)
SECRET_PREFIX = "whsec_"

# Each domain event, by class, and the webhook event types it is sent as. Subclasses count:
# every order status move (hold, release, partial shipment, completion, awaiting exchange) is
# order.updated, except a cancellation, which has its own type.
_TYPES_OF: tuple[tuple[type[DomainEvent], tuple[str, ...]], ...] = (
    (OrderPlaced, ("order.created",)),
    (OrderCancelled, ("order.cancelled",)),
    (OrderStatusChanged, ("order.updated",)),
    (OrderPaymentCaptured, ("order.updated",)),
    (OrderPaymentVoided, ("order.updated",)),
    (OrderPaymentRefunded, ("order.updated", "refund.created")),
    (ShipmentReleased, ("shipment.released",)),
    (ShipmentShipped, ("shipment.shipped",)),
    (ShipmentDelivered, ("shipment.delivered",)),
    (ReturnRequested, ("return.created",)),
    (ReturnReceived, ("return.received",)),
    (ReturnRefunded, ("refund.created",)),
    (StockLevelSet, ("stock.changed",)),
    (StockReceived, ("stock.changed",)),
    (StockAllocated, ("stock.changed",)),
    (StockReleased, ("stock.changed",)),
    (StockShipped, ("stock.changed",)),
    (ProductUpdated, ("product.updated",)),
)


def webhook_types_of(event: DomainEvent) -> tuple[str, ...]:
    """The webhook event types `event` is sent as; () when it is not sent (a failed payment
    call changes nothing a receiver needs to hear about)."""
    if getattr(event, "succeeded", True) is False:
        return ()
    for cls, types in _TYPES_OF:
        if isinstance(event, cls):
            return types
    return ()


def source_event_names(webhook_types: list[str]) -> list[str]:
    """The Event row types that may produce any of `webhook_types` (for a replay's query)."""
    wanted = set(webhook_types)
    names = {cls.__name__ for cls, types in _TYPES_OF if wanted & set(types)}
    for cls, types in _TYPES_OF:  # subclasses of a listed class are sent as it is
        if wanted & set(types):
            names |= {sub.__name__ for sub in _subclasses(cls)}
    return sorted(names)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


# Every event class that is sent (the outbox's table is keyed by exact class). All event
# modules a listed class has subclasses in are imported above, so none is missed.
SOURCE_EVENTS: tuple[type[DomainEvent], ...] = tuple(dict.fromkeys(
    sub for cls, _ in _TYPES_OF for sub in (cls, *sorted(_subclasses(cls), key=str))))


def unknown_event_types(event_types: list[str]) -> list[str]:
    return [name for name in event_types if name not in EVENT_TYPES]


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


# IPv6 prefixes that carry an IPv4 address a router may turn back into IPv4 (6to4, NAT64,
# IPv4-compatible, Teredo): refused outright, as the address inside could be 127.0.0.1.
TUNNELLED = tuple(ipaddress.ip_network(prefix) for prefix in (
    "2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "::/96", "2001::/32"))


def is_public_address(address: str) -> bool:
    """False for loopback, link-local, private, shared, multicast, reserved and unspecified
    addresses, IPv4 ones mapped into IPv6 and tunnelled ones: places a webhook must not reach."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in TUNNELLED):
            return False
    return ip.is_global and not ip.is_multicast


# How long a message is retried after its first attempt fails (Standard Webhooks suggests a
# similar schedule): within seconds for a blip, then hours apart, for about three days in all,
# so a receiver down for a weekend still gets everything. Each wait is drawn between half and
# all of it (jitter), so the whole schedule spans 36 to 72 hours.
RETRY_WAITS = tuple(timedelta(seconds=s) for s in (
    5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600, 10 * 3600, 10 * 3600,
    12 * 3600, 12 * 3600))
