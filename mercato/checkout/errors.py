"""Checkout errors, each a problem+json type the API and the storefront show as they are."""

from mercato.core.problems import Conflict, InvalidInput, Problem


class EmptyCart(InvalidInput):
    slug = "checkout-empty-cart"
    title = "The cart is empty"


class InvalidShipments(InvalidInput):
    slug = "checkout-invalid-shipments"
    title = "The shipments do not match the cart"


class InvalidPayments(InvalidInput):
    slug = "checkout-invalid-payments"
    title = "The payments are not valid"


class EmailNeeded(InvalidInput):
    slug = "checkout-email-needed"
    title = "An email address is needed"


class DeliveryNotAvailable(InvalidInput):
    slug = "checkout-delivery-not-available"
    title = "A delivery method is not available"


class CartChanged(Conflict):
    """Prices, stock, promotions or the total changed since the shopper last saw the cart."""

    slug = "checkout-cart-changed"
    title = "The cart changed"


class PaymentDeclined(Problem):
    status = 402
    slug = "payment-declined"
    title = "The payment was declined"


class PaymentActionRequired(Problem):
    """The shopper must confirm at the provider (3-D Secure, PayPal), then send the same
    request with the same Idempotency-Key again."""

    status = 402
    slug = "payment-action-required"
    title = "The payment needs the shopper's confirmation"


class IdempotencyKeyNeeded(Problem):
    status = 400
    slug = "idempotency-key-needed"
    title = "An Idempotency-Key header is needed"


class IdempotencyKeyReused(InvalidInput):
    slug = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"


class CheckoutAbandoned(Conflict):
    slug = "checkout-abandoned"
    title = "This checkout was abandoned"


class CheckoutInProgress(Conflict):
    slug = "checkout-in-progress"
    title = "This checkout is being completed"


def replayed_problem(body: dict) -> Problem:
    """The stored answer of a finished attempt, given again to a retry with the same key."""
    standard = {"type", "title", "status", "detail", "errors"}
    kind = type("ReplayedProblem", (Problem,), {
        "status": body.get("status", 409), "title": body.get("title", "Checkout failed"),
        "slug": str(body.get("type", "")).rsplit("/", 1)[-1] or "checkout-failed",
    })
    return kind(body.get("detail", "This checkout failed."), errors=body.get("errors"),
                **{key: value for key, value in body.items() if key not in standard})
