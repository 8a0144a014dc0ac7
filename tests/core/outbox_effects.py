"""The handler table the transport tests give their worker processes
(MERCATO_HANDLERS_MODULE=tests.core.outbox_effects).

`count_scan` has two effects: it appends a line to MERCATO_TEST_CALLS_FILE before anything else
(outside the transaction: every call, also one killed half-way, leaves its line) and records a
ScanCounted event (inside the delivery's transaction: it commits with "done" or not at all).
For a scan named in MERCATO_TEST_HANG_AT its first call hangs, so the test knows a worker is
in the middle of a handler when it kills it.
"""

import os
import time
from dataclasses import dataclass

from mercato.core.events import DomainEvent, record

HANG_SECONDS = 600


@dataclass(frozen=True)
class ParcelScanned(DomainEvent):
    aggregate_type = "parcel"


@dataclass(frozen=True)
class ScanCounted(DomainEvent):
    aggregate_type = "parcel"
    scan_event_id: int = 0


HANDLERS = {"ParcelScanned": ["tests.core.outbox_effects.count_scan"]}


def count_scan(event: ParcelScanned, event_id: int) -> None:
    hang = (event.aggregate_id in os.environ.get("MERCATO_TEST_HANG_AT", "").split(",")
            and not calls_of(event.aggregate_id))
    with open(os.environ["MERCATO_TEST_CALLS_FILE"], "a") as calls:
        calls.write(f"{event.aggregate_id} {os.getpid()}\n")
    if hang:
        time.sleep(HANG_SECONDS)
    record(ScanCounted(aggregate_id=event.aggregate_id, scan_event_id=event_id))


def calls_of(scan: str) -> list[int]:
    """The pids of the processes that called the handler for `scan` so far."""
    path = os.environ["MERCATO_TEST_CALLS_FILE"]
    if not os.path.exists(path):
        return []
    with open(path) as calls:
        return [int(pid) for name, pid in (line.split() for line in calls) if name == scan]
