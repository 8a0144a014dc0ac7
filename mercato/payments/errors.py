"""Payment and gift card errors, each shown as a problem+json type."""

from mercato.core.problems import Conflict, InvalidInput, NotFound, Problem


class PaymentNotFound(NotFound):
    slug = "payment-not-found"
    title = "Payment not found"


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"
    title = "This idempotency key was used for a different request"


class AmountNotAllowed(InvalidInput):
    """Capturing more than authorized, refunding more than captured, a non-positive amount."""

    slug = "payment-amount-not-allowed"
    title = "This amount is not allowed for this payment"


class CurrencyMismatch(InvalidInput):
    slug = "currency-mismatch"
    title = "The amount is not in the payment's currency"


class UnknownGateway(InvalidInput):
    slug = "unknown-payment-gateway"
    title = "Unknown payment gateway"


class GatewayNotConfigured(Problem):
    """A provider the shop knows but whose credentials are missing or refused (settings)."""

    status = 503
    slug = "payment-gateway-not-configured"
    title = "This payment gateway is not configured"


class GiftCardNotFound(InvalidInput):
    slug = "gift-card-not-found"
    title = "Unknown gift card"


class GiftCardUnusable(InvalidInput):
    """Expired or deactivated."""

    slug = "gift-card-unusable"
    title = "This gift card cannot be used"


class GiftCardInsufficientBalance(InvalidInput):
    slug = "gift-card-insufficient-balance"
    title = "The gift card balance is too low"


class GiftCardCodeTaken(Conflict):
    slug = "gift-card-code-taken"
    title = "A gift card with this code exists"


# Refusals of the built-in test provider (gateways/test_gateway.py) and its endpoints.

class InvalidCard(InvalidInput):
    """Refused at tokenisation, before anything reaches the shop."""

    slug = "invalid-card"
    title = "This card is not valid"


class ApprovalNotFound(NotFound):
    slug = "approval-not-found"
    title = "Unknown approval"


class ProviderChargeNotFound(NotFound):
    slug = "provider-charge-not-found"
    title = "Unknown charge"


class ActionNotPending(Conflict):
    """3-D Secure completed for a charge that does not await it (e.g. already authorized)."""

    slug = "action-not-pending"
    title = "This charge awaits no confirmation"


# What the Stripe webhook endpoint answers when it refuses a delivery (Stripe retries those).

class InvalidStripeSignature(Problem):
    """The Stripe-Signature header is missing, does not match the body, or is too old."""

    # 401, as for the shop's other signed endpoints (Stripe retries any non-2xx answer).
    status = 401
    slug = "invalid-stripe-signature"
    title = "The Stripe signature is not valid"


class StripeWebhookNotConfigured(Problem):
    """STRIPE_WEBHOOK_SECRET is not set, so no delivery can be verified."""

    status = 503
    slug = "stripe-webhook-not-configured"
    title = "The Stripe webhook is not configured"
