from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group

from mercato.core.events import Actor
from mercato.core.models import Event, EventDelivery
from mercato.core.money import Money
from mercato.fulfilment.services import create_picklist
from mercato.integrations.models import IncomingMessage, WebhookMessage
from mercato.integrations.services.incoming import create_incoming_connection
from mercato.integrations.services.subscriptions import create_subscription
from mercato.inventory.services import set_stock_level
from mercato.notifications.models import SentEmail
from mercato.orders.models import Order
from mercato.orders.services import (
    mark_shipment_shipped,
    pack_shipments,
    place_order,
    release_shipment,
)
from mercato.payments.gateways import get_gateway
from mercato.payments.services import authorize_payment, create_payment
from mercato.pricing.rules import Address
from mercato.pricing.selectors import pricing_lines_for, quote_for_lines
from mercato.returns.services import ReceivedLine, ReturnLineRequest, receive_return, request_return
from tests.factories import (
    AddressFactory,
    ApiTokenFactory,
    AttributeValueFactory,
    CartFactory,
    CartLineFactory,
    CategoryFactory,
    ProductImageFactory,
    TagFactory,
    UserFactory,
    make_sellable_variant,
)
from tests.payments.factories import make_payments_setup
from tests.pricing.factories import make_pricing_setup


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    return UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def shop(db):
    """A little of everything, so every admin page has something to render."""
    variant = make_sellable_variant(category=CategoryFactory(parent=CategoryFactory()))
    product = variant.product
    product.tags.add(TagFactory())
    product.attribute_values.add(AttributeValueFactory())
    variant.option_values.add(AttributeValueFactory(name="Blue", slug="blue"))
    ProductImageFactory(product=product)
    stock = variant.stock_levels.get()
    set_stock_level(variant_id=variant.pk, warehouse_id=stock.warehouse_id, on_hand=12,
                    by=Actor("staff", "boss@example.com"))
    customer = UserFactory()
    AddressFactory(customer=customer)
    ApiTokenFactory(user=customer)
    CartLineFactory(cart=CartFactory(customer=customer), variant=variant, quantity=2)
    CartLineFactory(cart=CartFactory(), variant=variant, seen_unit_amount=Decimal("5.00"))
    Group.objects.create(name="Shop managers")
    pricing = make_pricing_setup()
    make_payments_setup()
    order = make_paid_order(variant=variant, customer=customer,
                            delivery_method=pricing["delivery_rate"].method.code)
    shipment = order.shipments.get()
    release_shipment(public_id=shipment.public_id, by=Actor("staff", "boss@example.com"))
    create_picklist(warehouse_id=shipment.warehouse_id, shipment_ids=[shipment.public_id],
                    by=Actor("staff", "boss@example.com"))
    make_received_return(variant=variant, customer=customer,
                         delivery_method=pricing["delivery_rate"].method.code)
    event = Event.objects.first()
    EventDelivery.objects.create(event=event, handler="mercato.handlers.example",
                                 next_attempt_at=event.created_at)
    SentEmail.objects.create(event=event, kind="order_confirmation", to="ada@example.com",
                             subject="Your order MRC-100001 at Mercato demo shop",
                             sent_at=event.created_at)
    # An incoming connection and a message it sent (the integrations' incoming log).
    IncomingMessage.objects.create(
        connection=create_incoming_connection(name="Parcel partner", kind="logistics"),
        webhook_id="msg_admin", event_type="shipment.delivered", outcome="refused",
        status_code=404, payload={"type": "shipment.delivered"}, answer={"status": 404})
    # A webhook subscription and a message queued for it (the outgoing delivery log).
    subscription = create_subscription(url="https://93.184.215.14/hooks",
                                       event_types=["order.created"],
                                       by=Actor("staff", "boss@example.com")).subscription
    WebhookMessage.objects.create(subscription=subscription, event=event,
                                  event_type="order.created", body='{"type": "order.created"}')
    # The login lockout's rows (django-axes), which staff delete to unlock an account.
    AccessAttempt.objects.create(username="ada@example.com", ip_address="203.0.113.9",
                                 user_agent="test", failures_since_start=5)
    AccessFailureLog.objects.create(username="ada@example.com", ip_address="203.0.113.9",
                                    user_agent="test", locked_out=True)
    AccessLog.objects.create(username="ada@example.com", ip_address="203.0.113.9",
                             user_agent="test")
    return variant


def make_paid_order(*, variant, customer, delivery_method: str) -> Order:
    """A purchase order for one unit of `variant`, its card payment authorized."""
    lines = pricing_lines_for(items=[(variant.pk, 1, Money("19.90", "EUR"))])
    quote = quote_for_lines(currency="EUR", lines=lines, address=Address("DE"),
                            delivery_method=delivery_method)
    address = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Main St 1",
               "city": "Berlin", "postal_code": "10117", "country": "DE"}
    by = Actor("customer", customer.email)
    order = place_order(quote=quote, customer_id=customer.pk, email=customer.email,
                        shipping_address=address, billing_address=address, by=by)
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(order.total, order.currency), by=by)
    token = get_gateway("test").tokenize_card("4242 4242 4242 4242", 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"admin-order-{payment.public_id}", by=by)
    return order


def make_received_return(*, variant, customer, delivery_method: str) -> None:
    """A second order, shipped, its unit returned and received resellable (stock unchanged)."""
    by = Actor("staff", "boss@example.com")
    order = make_paid_order(variant=variant, customer=customer, delivery_method=delivery_method)
    shipment = order.shipments.get()
    release_shipment(public_id=shipment.public_id, by=by)
    pack_shipments(public_ids=[shipment.public_id], by=by)
    mark_shipment_shipped(public_id=shipment.public_id, carrier="DHL",
                          tracking_number="00340434161094042557", tracking_url="",
                          weight_grams=None, by=by)
    line = order.lines.get()
    ret = request_return(order_number=order.number, by=by, lines=[ReturnLineRequest(
        order_line_id=line.public_id, quantity=1, reason="changed_mind", resolution="refund")])
    receive_return(rma=ret.rma, warehouse_id=shipment.warehouse_id, by=by, lines=[
        ReceivedLine(return_line_id=ret.lines.get().public_id, quantity=1, condition="resellable")])
