"""Reads of the Event table for pages: one `history()` every history list is drawn from."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from mercato.core.models import Event


@dataclass(frozen=True)
class About:
    """The events of one aggregate type whose id is `ids` (one id, several, or a subquery)."""

    aggregate_type: str
    ids: str | Iterable[str] | QuerySet

    def condition(self) -> Q:
        if isinstance(self.ids, str):
            return Q(aggregate_type=self.aggregate_type, aggregate_id=self.ids)
        ids = self.ids if isinstance(self.ids, QuerySet) else list(self.ids)
        return Q(aggregate_type=self.aggregate_type, aggregate_id__in=ids)


def history(*subjects: About, mentioning: Mapping[str, str] | None = None,
            newest_first: bool = False, limit: int | None = None) -> list[Event]:
    """The events about any of `subjects` whose payload holds every `mentioning` key/value
    (a shipment's or a return's part of its order's history), in the order they happened
    (`newest_first` and `limit`: the latest few); 1 query."""
    if not subjects:
        return []
    condition = Q()
    for subject in subjects:
        condition |= subject.condition()
    events = Event.objects.filter(condition)
    if mentioning:
        events = events.filter(**{f"payload__{key}": value for key, value in mentioning.items()})
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    events = events.order_by(*order)
    return list(events[:limit] if limit is not None else events)
