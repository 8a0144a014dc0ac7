"""The endpoint Stripe posts its events to (Dashboard > Developers > Webhooks).

It is authenticated by the Stripe-Signature header, not a token: the body is read as sent (the
signature covers its bytes) and verified before anything is parsed or changed.
"""

from django.http import HttpRequest
from ninja import Router

from mercato.core.openapi import answers
from mercato.payments.errors import InvalidStripeSignature, StripeWebhookNotConfigured
from mercato.payments.schemas import STRIPE_EVENT_BODY, StripeWebhookOut
from mercato.payments.stripe_webhooks import receive_stripe_event, verify_stripe_event

router = Router(tags=["payments"])


@router.post("/webhook", response={200: StripeWebhookOut}, auth=None,
             openapi_extra=STRIPE_EVENT_BODY,
             summary="Stripe reports what happened to a payment (signed by Stripe)")
@answers(InvalidStripeSignature, StripeWebhookNotConfigured)
def stripe_webhook(request: HttpRequest) -> StripeWebhookOut:
    """Types: payment_intent.succeeded, payment_intent.canceled, payment_intent.payment_failed
    and charge.refunded bring into the ledger what was done in Stripe's dashboard;
    charge.dispute.created flags the payment. Any other type is stored as ignored. A
    redelivered event id changes nothing and gets 200."""
    event = verify_stripe_event(body=request.body,
                                signature=request.headers.get("Stripe-Signature", ""))
    received = receive_stripe_event(event=event)
    return StripeWebhookOut(event_id=received.event_id, type=received.type,
                            outcome=received.outcome, replayed=received.replayed)
