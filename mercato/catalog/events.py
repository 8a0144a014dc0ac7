"""Facts the catalog records; the aggregate is a product (its slug)."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class ProductUpdated(DomainEvent):
    """A product, its variants, prices or images were saved (created too): `created` tells."""

    aggregate_type: ClassVar[str] = "product"
    title: str
    is_published: bool
    created: bool = False
