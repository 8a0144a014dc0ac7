"""Running the outbox in tests the way the worker does: what a move's events set off."""

from mercato.core.outbox import DeliveryReport, deliver_due


def deliver_all(*, passes: int = 10) -> DeliveryReport:
    """Deliver every due event, and those their handlers record, until nothing is due."""
    total = DeliveryReport()
    for _ in range(passes):
        report = deliver_due(limit=1000)
        total.created += report.created
        total.done += report.done
        total.failed += report.failed
        total.dead += report.dead
        total.errors += report.errors
        if not report.attempted:
            break
    return total
