"""The test payment provider's own endpoints: what its JavaScript and hosted pages would call.

They act on the built-in test gateway's provider side only (a real provider serves these on its
own site); the URLs that gateway hands to the shopper point here.
"""

from django.http import HttpRequest
from ninja import Router

from mercato.core.money import Money
from mercato.core.openapi import answers
from mercato.payments.errors import (
    ActionNotPending,
    ApprovalNotFound,
    InvalidCard,
    ProviderChargeNotFound,
)
from mercato.payments.gateways.test_gateway import TestGateway
from mercato.payments.schemas import (
    ActionCompletedOut,
    ApprovalIn,
    ApprovalOut,
    ApprovedOut,
    CardIn,
    CardTokenOut,
)

router = Router(tags=["Test payment provider"])
provider = TestGateway()


@router.post("/tokens", response={201: CardTokenOut}, summary="Tokenise a test card")
@answers(InvalidCard)
def create_card_token(request: HttpRequest, payload: CardIn) -> tuple[int, CardTokenOut]:
    """The card number stays at the provider; the shop only ever sees the token."""
    card = provider.create_card_token(payload.number.get_secret_value(), payload.exp_month,
                                      payload.exp_year, payload.cvc.get_secret_value())
    return 201, CardTokenOut(token=card.token, brand=card.brand, last4=card.last4)


@router.post("/approvals", response={201: ApprovalOut}, summary="Start a PayPal-style approval")
def create_approval(request: HttpRequest, payload: ApprovalIn) -> tuple[int, ApprovalOut]:
    token, url = provider.create_approval(Money(payload.amount, payload.currency))
    return 201, ApprovalOut(approval_token=token, approve_url=url)


@router.post("/approvals/{token}/approve", response={200: ApprovedOut},
             summary="The shopper approves the payment")
@answers(ApprovalNotFound)
def approve(request: HttpRequest, token: str) -> ApprovedOut:
    provider.approve(token)
    return ApprovedOut(approval_token=token, is_approved=True)


@router.post("/3ds/{reference}/complete", response={200: ActionCompletedOut},
             summary="The shopper passes the 3-D Secure challenge")
@answers(ProviderChargeNotFound, ActionNotPending)
def complete_action(request: HttpRequest, reference: str) -> ActionCompletedOut:
    provider.complete_action(reference)
    return ActionCompletedOut(reference=reference, is_completed=True)
