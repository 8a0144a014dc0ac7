"""A built-in gateway that behaves like a real provider, its "provider side" in the database.

Card numbers are tokenised here and never stored: only the token, brand, last four digits and
the test behaviour are kept. Test numbers (spaces allowed):
4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has
insufficient funds, 4000 0027 6000 3184 needs a 3-D Secure style confirmation.
A PayPal-style flow: create_approval -> the shopper approves at approve_url -> authorize with
the approval token. The same idempotency key with the same request returns the same result;
with a different request it fails, as Stripe does.

Storage: the TestGateway* tables are the simulated provider's own storage, not the shop's (the
shop's record of a payment is its Payment and Transaction rows; nothing in the shop reads these
tables). They sit in the shop's database only so that every process — each web worker, the
outbox worker — talks to one provider, as it would to a real one. Each method is one
`transaction.atomic()`; called inside a shop transaction that is a savepoint, so the provider's
writes then commit or roll back with the shop's (a real provider would keep them).
The URLs handed to the shopper are the provider endpoints of payments/api.py on our own site.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from mercato.core.ids import new_public_id
from mercato.core.money import Money
from mercato.payments.errors import (
    ActionNotPending,
    ApprovalNotFound,
    InvalidCard,
    ProviderChargeNotFound,
)
from mercato.payments.gateways.base import GatewayResult
from mercato.payments.models import (
    TestGatewayApproval,
    TestGatewayCard,
    TestGatewayCharge,
    TestGatewayIdempotency,
)

__all__ = ["CardToken", "InvalidCard", "TestGateway", "luhn_valid"]

ENDPOINTS = "/api/v1/test-gateway"
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
# Charge stages
REQUIRES_ACTION, ACTION_COMPLETED = "requires_action", "action_completed"
AUTHORIZED, CAPTURED, VOIDED = "authorized", "captured", "voided"


@dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str


@sensitive_variables()  # error reports never show the card's digits
def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def approve_url(approval_token: str) -> str:
    return f"{ENDPOINTS}/approvals/{approval_token}/approve"


def action_url(reference: str) -> str:
    return f"{ENDPOINTS}/3ds/{reference}/complete"


def failure(code: str, message: str = "", reference: str = "") -> GatewayResult:
    return GatewayResult(False, reference, code, message or MESSAGES.get(code, code))


@sensitive_variables()
def card_problems(exp_month: int, exp_year: int, cvc: str) -> dict[str, list[str]]:
    """What is wrong with a card's expiry and security code, by field."""
    problems: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not 1 <= exp_month <= 12:
        problems["exp_month"] = ["The expiry month must be 1 to 12."]
    elif (exp_year, exp_month) < (today.year, today.month):
        problems["exp_year"] = ["This card has expired."]
    if not cvc.isdigit() or not 3 <= len(cvc) <= 4:
        problems["cvc"] = ["The security code is 3 or 4 digits."]
    return problems


def amount_text(amount: Decimal) -> str:
    """One spelling per amount (10, 10.0 and 10.00 are the same request)."""
    return format(amount.normalize(), "f")


class TestGateway:
    __test__ = False  # not a pytest test class
    name = "test"

    # The client side: what the shopper's browser would call at the provider.
    @sensitive_variables()
    def create_card_token(self, number: str, exp_month: int, exp_year: int,
                          cvc: str) -> CardToken:
        digits = number.replace(" ", "")
        if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_valid(digits):
            raise InvalidCard("This card number is not valid.",
                              errors={"number": ["This card number is not valid."]})
        problems = card_problems(exp_month, exp_year, cvc)
        if problems:
            raise InvalidCard("This card's expiry or security code is not valid.",
                              errors=problems)
        with transaction.atomic():
            card = TestGatewayCard.objects.create(
                token=f"tok_{new_public_id()}", last4=digits[-4:],
                brand="visa" if digits.startswith("4") else "card",
                behaviour=BEHAVIOURS.get(digits, "succeed"))
        return CardToken(card.token, card.brand, card.last4)

    @sensitive_variables()
    def tokenize_card(self, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
        return self.create_card_token(number, exp_month, exp_year, cvc).token

    def create_approval(self, amount: Money) -> tuple[str, str]:
        """PayPal style: returns (approval token, URL where the shopper approves)."""
        with transaction.atomic():
            approval = TestGatewayApproval.objects.create(
                token=f"ppa_{new_public_id()}", amount=amount.amount,
                currency=amount.currency.code)
        return approval.token, approve_url(approval.token)

    def approve(self, approval_token: str) -> None:
        with transaction.atomic():
            if not TestGatewayApproval.objects.filter(token=approval_token).update(
                    is_approved=True):
                raise ApprovalNotFound("No approval has this token.")

    def complete_action(self, provider_reference: str) -> None:
        """The shopper passes the 3-D Secure challenge."""
        with transaction.atomic():
            charge = locked_charge(provider_reference)
            if charge is None:
                raise ProviderChargeNotFound("No charge has this reference.")
            if charge.stage not in {REQUIRES_ACTION, ACTION_COMPLETED}:
                raise ActionNotPending("This charge does not await the shopper's confirmation.")
            charge.stage = ACTION_COMPLETED
            charge.save(update_fields=["stage"])

    # The server side: the PaymentGateway interface.
    def authorize(self, amount: Money, payment_token: str, idempotency_key: str) -> GatewayResult:
        request = ["authorize", amount_text(amount.amount), amount.currency.code, payment_token]
        return self._once(idempotency_key, request, lambda: self._authorize(amount, payment_token))

    def confirm(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        request = ["confirm", provider_reference]
        return self._once(idempotency_key, request, lambda: self._confirm(provider_reference))

    def capture(self, provider_reference: str, amount: Money,
                idempotency_key: str) -> GatewayResult:
        request = ["capture", provider_reference, amount_text(amount.amount)]
        return self._once(idempotency_key, request,
                          lambda: self._capture(provider_reference, amount.amount))

    def void(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        return self._once(idempotency_key, ["void", provider_reference],
                          lambda: self._void(provider_reference))

    def refund(self, provider_reference: str, amount: Money,
               idempotency_key: str) -> GatewayResult:
        request = ["refund", provider_reference, amount_text(amount.amount)]
        return self._once(idempotency_key, request,
                          lambda: self._refund(provider_reference, amount.amount))

    def _once(self, key: str, request: list[str],
              call: Callable[[], GatewayResult]) -> GatewayResult:
        with transaction.atomic():
            seen = TestGatewayIdempotency.objects.filter(key=key).first()
            if seen is None:
                try:
                    with transaction.atomic():
                        result = call()
                        TestGatewayIdempotency.objects.create(key=key, request=request,
                                                              result=asdict(result))
                    return result
                except IntegrityError:
                    # Another process used the key at the same moment: its call stands, ours
                    # was rolled back with the savepoint.
                    seen = TestGatewayIdempotency.objects.filter(key=key).first()
                    if seen is None:
                        raise
            if seen.request != request:
                return failure("idempotency_error",
                               "Keys for idempotent requests can only be used with the "
                               "same parameters they were first used with.")
            return GatewayResult(**seen.result)

    def _authorize(self, amount: Money, token: str) -> GatewayResult:
        approval = TestGatewayApproval.objects.filter(token=token).first()
        if approval is not None:
            return self._authorize_approval(amount, approval)
        card = TestGatewayCard.objects.filter(token=token).first()
        if card is None:
            return failure("invalid_token", "Unknown payment token.")
        if card.behaviour in MESSAGES:
            return failure(card.behaviour)
        stage = REQUIRES_ACTION if card.behaviour == "requires_action" else AUTHORIZED
        charge = new_charge("ch_", amount, token, stage)
        if stage == REQUIRES_ACTION:
            return GatewayResult(False, charge.reference, "requires_action",
                                 "The shopper must confirm this payment.",
                                 action_url(charge.reference))
        return GatewayResult(True, charge.reference)

    def _authorize_approval(self, amount: Money, approval: TestGatewayApproval) -> GatewayResult:
        if not approval.is_approved:
            return GatewayResult(False, "", "approval_required",
                                 "The shopper has not approved this payment yet.",
                                 approve_url(approval.token))
        if approval.amount != amount.amount or approval.currency != amount.currency.code:
            return failure("amount_mismatch", "The amount differs from the approved one.")
        return GatewayResult(True, new_charge("pp_", amount, approval.token, AUTHORIZED).reference)

    def _confirm(self, reference: str) -> GatewayResult:
        charge = locked_charge(reference)
        if charge is None or charge.stage not in {REQUIRES_ACTION, ACTION_COMPLETED}:
            return failure("invalid_state", "Nothing to confirm.", reference)
        if charge.stage == REQUIRES_ACTION:
            return failure("authentication_required", "The shopper has not confirmed yet.",
                           reference)
        charge.stage = AUTHORIZED
        charge.save(update_fields=["stage"])
        return GatewayResult(True, reference)

    def _capture(self, reference: str, amount: Decimal) -> GatewayResult:
        charge = locked_charge(reference)
        if charge is None or charge.stage != AUTHORIZED or amount > charge.amount:
            return failure("invalid_capture", "This charge cannot be captured.", reference)
        charge.stage, charge.captured = CAPTURED, amount
        charge.save(update_fields=["stage", "captured"])
        return GatewayResult(True, reference)

    def _void(self, reference: str) -> GatewayResult:
        charge = locked_charge(reference)
        if charge is None or charge.stage != AUTHORIZED:
            return failure("invalid_void", "This charge cannot be voided.", reference)
        charge.stage = VOIDED
        charge.save(update_fields=["stage"])
        return GatewayResult(True, reference)

    def _refund(self, reference: str, amount: Decimal) -> GatewayResult:
        charge = locked_charge(reference)
        if charge is None or charge.stage != CAPTURED or \
                charge.refunded + amount > charge.captured:
            return failure("invalid_refund", "This refund is not possible.", reference)
        charge.refunded += amount
        charge.save(update_fields=["refunded"])
        return GatewayResult(True, f"re_{new_public_id()}")


def new_charge(prefix: str, amount: Money, token: str, stage: str) -> TestGatewayCharge:
    return TestGatewayCharge.objects.create(
        reference=f"{prefix}{new_public_id()}", amount=amount.amount,
        currency=amount.currency.code, payment_token=token, stage=stage)


def locked_charge(reference: str) -> TestGatewayCharge | None:
    """The charge, locked: two calls on one charge (a capture and a void) take turns."""
    return TestGatewayCharge.objects.select_for_update().filter(reference=reference).first()
