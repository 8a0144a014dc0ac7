"""The one interface every payment provider adapter implements."""

from dataclasses import dataclass
from typing import Protocol

from mercato.core.money import Money


@dataclass(frozen=True)
class GatewayResult:
    succeeded: bool
    provider_reference: str = ""
    error_code: str = ""
    error_message: str = ""
    # Set when the shopper must confirm at the provider (3-D Secure, PayPal approval).
    requires_action_url: str | None = None


class PaymentGateway(Protocol):
    name: str

    def authorize(self, amount: Money, payment_token: str,
                  idempotency_key: str) -> GatewayResult: ...

    def confirm(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        """Finish an authorization that required the shopper's action."""
        ...

    def capture(self, provider_reference: str, amount: Money,
                idempotency_key: str) -> GatewayResult: ...

    def void(self, provider_reference: str, idempotency_key: str) -> GatewayResult: ...

    def refund(self, provider_reference: str, amount: Money,
               idempotency_key: str) -> GatewayResult: ...
