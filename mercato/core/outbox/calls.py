"""For handlers that call another system (a webhook, a provider's API): the idempotency key to
send, and how the HTTP status they got reaches the delivery's attempt log.

Delivery is at least once: a worker can die after the outside call succeeded and before "done"
committed, and the delivery runs again. The call is handled once if it carries a key the other
system de-duplicates on, the same on every attempt and replay of one (event, handler) pair:

    def order_placed(event, event_id):
        response = oms.post("/orders", json=body_of(event),
                            headers={"Idempotency-Key": idempotency_key(event_id, "oms.order")})
        if response.status_code >= 400:
            raise OutsideCallFailed(response.status_code, response.text[:200])
        return response  # the attempt log records its status_code too

Status codes: the attempt log takes `status_code` from what the handler returned, or from the
exception it raised (OutsideCallFailed, or any exception with a `status_code` attribute or a
`response` that has one, as requests' and httpx' HTTP errors do). Likewise `exchange`: a dict
of what was sent and answered (headers, a body excerpt) that the attempt log keeps as it is.

A handler may also say how it is retried and what happens when it gives up, with `@retried`:
a webhook is tried for days (the receiver may be down for a weekend), and a subscription whose
message died is switched off in the same transaction that makes the delivery a dead letter.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings


def idempotency_key(event_id: int, purpose: str) -> str:
    """A stable key for one outside call made for one event: `purpose` names the handler's call
    ("oms.order", "mail.order-confirmation"). Prefixed with MERCATO_IDEMPOTENCY_PREFIX so two
    installations (staging, production) sharing a provider account never reuse each other's."""
    if not purpose or any(character.isspace() for character in purpose):
        raise ValueError(f"purpose must be a non-empty word like 'oms.order', not {purpose!r}")
    return f"{settings.MERCATO_IDEMPOTENCY_PREFIX}-event-{int(event_id)}-{purpose}"


class OutsideCallFailed(Exception):
    """A handler's call was answered with an error status: the delivery is retried (with
    backoff, then dead-lettered) and the attempt log keeps the status code."""

    def __init__(self, status_code: int | None, detail: str = "", *,
                 exchange: dict | None = None) -> None:
        prefix = f"HTTP {status_code}" if status_code else "No answer"
        super().__init__(prefix + (f": {detail}" if detail else ""))
        self.status_code = status_code
        self.exchange = exchange or {}


def exchange_of(outcome: object) -> dict:
    """The request and response a handler's result or exception carries, if any ({} if not)."""
    exchange = getattr(outcome, "exchange", None)
    return exchange if isinstance(exchange, dict) else {}


@dataclass(frozen=True)
class RetryPolicy:
    """How a handler is retried: the wait after the 1st, 2nd ... failure (each drawn between
    half and all of it, see services.backoff); after the last wait's attempt fails, the delivery
    is a dead letter and `on_dead(event, event_id, error)` runs, if given."""

    waits: tuple[timedelta, ...]
    on_dead: Callable[[Any, int, Exception], None] | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.waits) + 1


def retried(policy: RetryPolicy) -> Callable:
    """Decorate a handler with its own RetryPolicy (others follow MERCATO_OUTBOX_MAX_ATTEMPTS
    and services.backoff)."""
    def decorate(handler: Callable) -> Callable:
        handler.retry_policy = policy
        return handler
    return decorate


def only_while_wanted(wanted: Callable[[], Collection[str]]) -> Callable:
    """Give a handler a delivery only for the event types `wanted()` names when the worker
    looks for new events (once per pass): a webhook fan-out wants none while no subscription
    is active, so a shop without webhooks writes no delivery rows for it. An event recorded
    while unwanted is not delivered to it later (a replay does that)."""
    def decorate(handler: Callable) -> Callable:
        handler.wanted = wanted
        return handler
    return decorate


def wanted_of(handler: object) -> Callable[[], Collection[str]] | None:
    wanted = getattr(handler, "wanted", None)
    return wanted if callable(wanted) else None


def outside_transaction(handler: Callable) -> Callable:
    """Run this handler outside any database transaction: for a slow outside call (a webhook
    may take its whole timeout). The delivery is claimed first (not due again for
    MERCATO_OUTBOX_LEASE, so no other worker takes it meanwhile), the handler runs with no
    transaction open, so on SQLite no write lock is held, then its outcome is recorded. If the
    worker dies mid-call, the delivery is tried again once the claim runs out: the handler
    must stand being run twice (the receiver de-duplicates on the key it is sent), and its own
    writes commit on their own (autocommit, or its own atomic blocks)."""
    handler.outside_transaction = True
    return handler


def runs_outside_transaction(handler: object) -> bool:
    return getattr(handler, "outside_transaction", False) is True


def retry_policy_of(handler: object) -> RetryPolicy | None:
    policy = getattr(handler, "retry_policy", None)
    return policy if isinstance(policy, RetryPolicy) else None


def status_code_of(outcome: object) -> int | None:
    """The HTTP status carried by a handler's result or exception, if it carries one."""
    for candidate in (outcome, getattr(outcome, "response", None)):
        code = getattr(candidate, "status_code", None)
        if isinstance(code, int) and 100 <= code <= 599:
            return code
    return None
