"""Gateways by name; a payment stores the name of the one that handles it."""

from mercato.payments.errors import UnknownGateway
from mercato.payments.gateways.base import GatewayResult, PaymentGateway
from mercato.payments.gateways.test_gateway import TestGateway

__all__ = ["GatewayResult", "PaymentGateway", "get_gateway"]

_GATEWAYS: dict[str, PaymentGateway] = {"test": TestGateway()}


def get_gateway(name: str) -> PaymentGateway:
    try:
        return _GATEWAYS[name]
    except KeyError:
        raise UnknownGateway(f"No payment gateway is named {name!r}.") from None
