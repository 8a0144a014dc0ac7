"""A built-in gateway that behaves like a real provider, with its "provider side" in memory.

Card numbers are tokenised here and never leave it: only the token, brand, last four digits and
the test behaviour are kept. Test numbers (spaces allowed):
4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has
insufficient funds, 4000 0027 6000 3184 needs a 3-D Secure style confirmation.
A PayPal-style flow: create_approval -> the shopper approves at approve_url -> authorize with
the approval token. The same idempotency key with the same request returns the same result;
with a different request it fails, as Stripe does.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from mercato.core.ids import new_public_id
from mercato.core.money import Money
from mercato.payments.gateways.base import GatewayResult

PROVIDER_URL = "https://test-gateway.mercato.dev"
BEHAVIOURS = {
    "4242424242424242": "succeed",
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000002760003184": "requires_action",
}
MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}


class InvalidCard(ValueError):
    """Refused at tokenisation, before anything reaches the shop."""


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


@dataclass
class Charge:
    amount: Decimal
    currency: str
    token: str
    stage: str  # requires_action, action_completed, authorized, captured, voided
    captured: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)


@dataclass
class ProviderState:
    cards: dict[str, dict[str, str]] = field(default_factory=dict)
    approvals: dict[str, dict] = field(default_factory=dict)
    charges: dict[str, Charge] = field(default_factory=dict)
    idempotency: dict[str, tuple[tuple, GatewayResult]] = field(default_factory=dict)


def failure(code: str, message: str = "", reference: str = "") -> GatewayResult:
    return GatewayResult(False, reference, code, message or MESSAGES.get(code, code))


class TestGateway:
    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(self) -> None:
        self.state = ProviderState()
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget everything the provider knows (between tests)."""
        self.state = ProviderState()

    # The client side: what the shopper's browser would call at the provider.
    def tokenize_card(self, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
        digits = number.replace(" ", "")
        if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_valid(digits):
            raise InvalidCard("This card number is not valid.")
        if not 1 <= exp_month <= 12 or not cvc.isdigit():
            raise InvalidCard("This card's expiry or security code is not valid.")
        token = f"tok_{new_public_id()}"
        brand = "visa" if digits.startswith("4") else "card"
        behaviour = BEHAVIOURS.get(digits, "succeed")
        self.state.cards[token] = {"brand": brand, "last4": digits[-4:], "behaviour": behaviour}
        return token

    def create_approval(self, amount: Money) -> tuple[str, str]:
        """PayPal style: returns (approval token, URL where the shopper approves)."""
        token = f"ppa_{new_public_id()}"
        self.state.approvals[token] = {"amount": amount.amount, "approved": False}
        return token, f"{PROVIDER_URL}/approve/{token}"

    def approve(self, approval_token: str) -> None:
        self.state.approvals[approval_token]["approved"] = True

    def complete_action(self, provider_reference: str) -> None:
        """The shopper passes the 3-D Secure challenge."""
        self.state.charges[provider_reference].stage = "action_completed"

    # The server side: the PaymentGateway interface.
    def authorize(self, amount: Money, payment_token: str, idempotency_key: str) -> GatewayResult:
        request = ("authorize", amount.amount, amount.currency.code, payment_token)
        return self._once(idempotency_key, request, lambda: self._authorize(amount, payment_token))

    def confirm(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        request = ("confirm", provider_reference)
        return self._once(idempotency_key, request, lambda: self._confirm(provider_reference))

    def capture(self, provider_reference: str, amount: Money,
                idempotency_key: str) -> GatewayResult:
        request = ("capture", provider_reference, amount.amount)
        return self._once(idempotency_key, request,
                          lambda: self._capture(provider_reference, amount.amount))

    def void(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        return self._once(idempotency_key, ("void", provider_reference),
                          lambda: self._void(provider_reference))

    def refund(self, provider_reference: str, amount: Money,
               idempotency_key: str) -> GatewayResult:
        request = ("refund", provider_reference, amount.amount)
        return self._once(idempotency_key, request,
                          lambda: self._refund(provider_reference, amount.amount))

    def _once(self, key: str, request: tuple,
              call: Callable[[], GatewayResult]) -> GatewayResult:
        with self._lock:
            seen = self.state.idempotency.get(key)
            if seen is not None:
                if seen[0] != request:
                    return failure("idempotency_error",
                                   "Keys for idempotent requests can only be used with the "
                                   "same parameters they were first used with.")
                return seen[1]
            result = call()
            self.state.idempotency[key] = (request, result)
            return result

    def _authorize(self, amount: Money, token: str) -> GatewayResult:
        if token in self.state.approvals:
            return self._authorize_approval(amount, token)
        card = self.state.cards.get(token)
        if card is None:
            return failure("invalid_token", "Unknown payment token.")
        behaviour = card["behaviour"]
        if behaviour in MESSAGES:
            return failure(behaviour)
        reference = f"ch_{new_public_id()}"
        stage = "requires_action" if behaviour == "requires_action" else "authorized"
        self.state.charges[reference] = Charge(amount.amount, amount.currency.code, token, stage)
        if stage == "requires_action":
            return GatewayResult(False, reference, "requires_action",
                                 "The shopper must confirm this payment.",
                                 f"{PROVIDER_URL}/3ds/{reference}")
        return GatewayResult(True, reference)

    def _authorize_approval(self, amount: Money, token: str) -> GatewayResult:
        approval = self.state.approvals[token]
        if not approval["approved"]:
            return GatewayResult(False, "", "approval_required",
                                 "The shopper has not approved this payment yet.",
                                 f"{PROVIDER_URL}/approve/{token}")
        if approval["amount"] != amount.amount:
            return failure("amount_mismatch", "The amount differs from the approved one.")
        reference = f"pp_{new_public_id()}"
        self.state.charges[reference] = Charge(amount.amount, amount.currency.code, token,
                                               "authorized")
        return GatewayResult(True, reference)

    def _confirm(self, reference: str) -> GatewayResult:
        charge = self.state.charges.get(reference)
        if charge is None or charge.stage not in {"requires_action", "action_completed"}:
            return failure("invalid_state", "Nothing to confirm.", reference)
        if charge.stage == "requires_action":
            return failure("authentication_required", "The shopper has not confirmed yet.",
                           reference)
        charge.stage = "authorized"
        return GatewayResult(True, reference)

    def _capture(self, reference: str, amount: Decimal) -> GatewayResult:
        charge = self.state.charges.get(reference)
        if charge is None or charge.stage != "authorized" or amount > charge.amount:
            return failure("invalid_capture", "This charge cannot be captured.", reference)
        charge.stage, charge.captured = "captured", amount
        return GatewayResult(True, reference)

    def _void(self, reference: str) -> GatewayResult:
        charge = self.state.charges.get(reference)
        if charge is None or charge.stage != "authorized":
            return failure("invalid_void", "This charge cannot be voided.", reference)
        charge.stage = "voided"
        return GatewayResult(True, reference)

    def _refund(self, reference: str, amount: Decimal) -> GatewayResult:
        charge = self.state.charges.get(reference)
        if charge is None or charge.stage != "captured" or \
                charge.refunded + amount > charge.captured:
            return failure("invalid_refund", "This refund is not possible.", reference)
        charge.refunded += amount
        return GatewayResult(True, f"re_{new_public_id()}")
