"""Gateways by name; a payment stores the name of the one that handles it.

The test gateway always exists; Stripe's exists once STRIPE_SECRET_KEY is set (made on first
use, so settings read at call time count; without the key, GatewayNotConfigured)."""

from collections.abc import Callable

from mercato.payments.errors import UnknownGateway
from mercato.payments.gateways import stripe_gateway
from mercato.payments.gateways.base import GatewayResult, PaymentGateway
from mercato.payments.gateways.test_gateway import TestGateway

__all__ = ["GatewayResult", "PaymentGateway", "get_gateway"]

_GATEWAYS: dict[str, PaymentGateway] = {"test": TestGateway()}
_CONFIGURED_GATEWAYS: dict[str, Callable[[], PaymentGateway]] = {
    stripe_gateway.StripeGateway.name: stripe_gateway.gateway_from_settings,
}


def get_gateway(name: str) -> PaymentGateway:
    if name in _CONFIGURED_GATEWAYS:
        return _CONFIGURED_GATEWAYS[name]()
    try:
        return _GATEWAYS[name]
    except KeyError:
        raise UnknownGateway(f"No payment gateway is named {name!r}.") from None
