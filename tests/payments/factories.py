"""A little payment data for pages that need some (the back-office `shop` fixture)."""

from decimal import Decimal

from mercato.core.money import Money
from mercato.payments.gateways import get_gateway
from mercato.payments.services import authorize_payment, create_payment, issue_gift_card
from mercato.payments.stripe_webhooks import receive_stripe_event


def make_payments_setup() -> None:
    """An authorized card payment (with its transaction), a gift card and a Stripe event."""
    payment = create_payment(reference="ORD-ADMIN", method="card",
                             amount=Money(Decimal("42.00"), "EUR"))
    token = get_gateway("test").tokenize_card("4242 4242 4242 4242", 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"admin-{payment.public_id}")
    issue_gift_card(code="ADMIN-GIFT-0001", amount=Money(Decimal("25.00"), "EUR"))
    receive_stripe_event(event={"id": "evt_admin", "type": "customer.created",
                                "data": {"object": {"id": "cus_admin"}}})
