"""What the incoming endpoints answer when they refuse a message, each a problem+json type.
A refused message that was signed is kept (IncomingMessage, outcome refused); the flow apps'
own problems (shipment or order not found, illegal transition, invalid tracking number) are
answered as those apps name them."""

from mercato.core.problems import InvalidInput, NotAuthenticated


class InvalidWebhookSignature(NotAuthenticated):
    slug = "invalid-webhook-signature"
    title = "The webhook signature is not valid"


class UnknownEventType(InvalidInput):
    slug = "unknown-event-type"
    title = "This connection does not send this type of event"


class InvalidIncomingMessage(InvalidInput):
    slug = "invalid-incoming-message"
    title = "The message does not fit its schema"
