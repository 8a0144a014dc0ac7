"""Inventory domain errors, each a problem type the API and the back office can show."""

from mercato.core.problems import Conflict, InvalidInput, NotFound


class StockBelowAllocated(Conflict):
    slug = "stock-below-allocated"
    title = "On hand cannot be set below the allocated quantity"

    @classmethod
    def for_levels(cls, *, on_hand: int, allocated: int) -> "StockBelowAllocated":
        return cls(
            f"Cannot set on hand to {on_hand}: {allocated} units are allocated to orders.",
            on_hand=on_hand, allocated=allocated,
        )


class InvalidStockQuantity(InvalidInput):
    slug = "invalid-stock-quantity"
    title = "Invalid stock quantity"


class StockLocationNotFound(NotFound):
    slug = "stock-location-not-found"
    title = "Variant or warehouse not found"
