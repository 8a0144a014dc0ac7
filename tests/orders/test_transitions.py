import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.states import IllegalTransition, advance
from mercato.orders.errors import OrderNotFound
from mercato.orders.models import Order
from mercato.orders.services import cancel_order, hold_order, release_hold
from mercato.orders.states import ORDER_TRANSITIONS, OrderStatus
from tests.orders.builders import make_quote, place

S = OrderStatus
STAFF = Actor("staff", "boss@example.com")

ALLOWED = [
    ("hold", S.IN_PROGRESS, S.ON_HOLD),
    ("release_hold", S.ON_HOLD, S.IN_PROGRESS),
    ("mark_partially_shipped", S.IN_PROGRESS, S.PARTIALLY_SHIPPED),
    ("complete", S.IN_PROGRESS, S.COMPLETED),
    ("complete", S.PARTIALLY_SHIPPED, S.COMPLETED),
    ("cancel", S.IN_PROGRESS, S.CANCELLED),
    ("cancel", S.ON_HOLD, S.CANCELLED),
    ("await_exchange", S.COMPLETED, S.AWAITING_EXCHANGE),
    ("exchange_shipped", S.AWAITING_EXCHANGE, S.COMPLETED),
]
ALLOWED_PAIRS = {(action, source) for action, source, _ in ALLOWED}
REFUSED = [(action, status) for action in ORDER_TRANSITIONS.moves for status in S.values
           if (action, status) not in ALLOWED_PAIRS]


@pytest.mark.parametrize(("action", "source", "target"), ALLOWED)
def test_the_table_allows(action, source, target):
    order = Order(status=source)

    assert advance(order, ORDER_TRANSITIONS, action) == (source, target)
    assert order.status == target


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_the_table_refuses(action, status):
    order = Order(status=status)

    with pytest.raises(IllegalTransition):
        advance(order, ORDER_TRANSITIONS, action)
    assert order.status == status


def _events(order: Order) -> list[str]:
    return list(Event.objects.filter(aggregate_id=order.public_id).order_by("id")
                .values_list("type", flat=True))


@pytest.mark.django_db
def test_hold_release_and_cancel_move_the_order_and_record_events():
    order = place(make_quote())

    assert hold_order(public_id=order.public_id, by=STAFF, reason="fraud check").status == S.ON_HOLD
    assert release_hold(public_id=order.public_id, by=STAFF).status == S.IN_PROGRESS
    assert cancel_order(public_id=order.public_id, by=STAFF).status == S.CANCELLED

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert _events(order) == ["OrderPlaced", "ShipmentCreated", "OrderPutOnHold",
                              "OrderHoldReleased", "ShipmentCancelled", "OrderCancelled"]
    held = Event.objects.get(aggregate_id=order.public_id, type="OrderPutOnHold")
    assert (held.payload["old_status"], held.payload["new_status"], held.payload["reason"],
            held.actor) == ("InProgress", "OnHold", "fraud check", "staff:boss@example.com")


@pytest.mark.django_db
def test_cancel_from_on_hold_is_allowed():
    order = place(make_quote())
    hold_order(public_id=order.public_id, by=STAFF)

    assert cancel_order(public_id=order.public_id, by=STAFF).status == S.CANCELLED


@pytest.mark.django_db
@pytest.mark.parametrize(("service", "status"), [
    (release_hold, S.IN_PROGRESS),
    (hold_order, S.ON_HOLD),
    (hold_order, S.CANCELLED),
    (cancel_order, S.CANCELLED),
    (cancel_order, S.COMPLETED),
    (release_hold, S.CANCELLED),
])
def test_an_illegal_move_changes_nothing_and_records_nothing(service, status):
    order = place(make_quote())
    Order.objects.filter(pk=order.pk).update(status=status)

    with pytest.raises(IllegalTransition):
        service(public_id=order.public_id, by=STAFF)

    order.refresh_from_db()
    assert order.status == status
    assert _events(order) == ["OrderPlaced", "ShipmentCreated"]


@pytest.mark.django_db
def test_moving_an_unknown_order_is_not_found():
    with pytest.raises(OrderNotFound):
        hold_order(public_id="nope", by=STAFF)
    assert not Event.objects.exists()
