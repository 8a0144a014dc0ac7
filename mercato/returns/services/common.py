"""What the return services share: locking a return, moving it, its event fields."""


from django.conf import settings
from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition, advance
from mercato.orders.models import Order
from mercato.orders.states import OrderStatus
from mercato.returns import errors
from mercato.returns.events import (
    ReturnStatusChanged,
)
from mercato.returns.models import (
    ReturnRequest,
)
from mercato.returns.states import (
    RETURN_TRANSITIONS,
)

STAFF = "staff"


def return_window_days() -> int:
    return int(getattr(settings, "MERCATO_RETURN_WINDOW_DAYS", 30))


def returns_need_approval() -> bool:
    return bool(getattr(settings, "MERCATO_RETURNS_NEED_APPROVAL", True))


def _move(*, rma: str, action: str, event: type[ReturnStatusChanged], by: Actor,
          reason: str = "") -> ReturnRequest:
    with transaction.atomic():
        _, ret = _locked_return(rma)
        return _advance(ret, action, event, by=by, reason=reason)


def _advance(ret: ReturnRequest, action: str, event: type[ReturnStatusChanged], *, by: Actor,
             reason: str = "", **details: object) -> ReturnRequest:
    if ret.status not in RETURN_TRANSITIONS.moves[action].source:
        raise IllegalTransition(f"Cannot {action} return {ret.rma}: it is {ret.status}.",
                                action=action, current_status=ret.status)
    old, new = advance(ret, RETURN_TRANSITIONS, action)
    fields = ["status", "updated_at"]
    if reason:
        ret.status_reason = reason[:255]
        fields.append("status_reason")
    ret.save(update_fields=fields)
    record(event(**_about(ret), old_status=old, new_status=new, reason=reason, **details),
           by=by)
    return ret


def _about(ret: ReturnRequest) -> dict[str, str]:
    order = ret.order
    return {"aggregate_id": order.public_id, "rma": ret.rma, "order_number": order.number,
            "email": order.email}


def _locked_return(rma: str) -> tuple[Order, ReturnRequest]:
    order_id = ReturnRequest.objects.filter(rma=rma).values_list("order_id", flat=True).first()
    if order_id is None:
        raise errors.ReturnNotFound(f"There is no return {rma}.")
    order = Order.objects.select_for_update().get(pk=order_id)
    ret = ReturnRequest.objects.select_for_update(of=("self",)).get(rma=rma)
    ret.order = order
    return order, ret


def _locked_order(*, order_number: str, customer_id: int | None,
                  email: str | None) -> Order:
    order = Order.objects.select_for_update().filter(number=order_number).first()
    mine = order is not None and (customer_id is None or order.customer_id == customer_id) \
        and (email is None or order.email.lower() == email.strip().lower())
    if order is None or not mine:
        raise errors.OrderNotReturnable(f"There is no order {order_number} of yours.")
    if order.status in {OrderStatus.CANCELLED, OrderStatus.ON_HOLD}:
        raise errors.InvalidReturn(f"Order {order.number} is {order.status}.")
    return order
