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


class OutOfStock(Conflict):
    """Checkout asked for more units than the active warehouses hold; nothing was allocated."""

    slug = "out-of-stock"
    title = "Not enough stock"

    @classmethod
    def for_shortages(cls, shortages: list[tuple[str, int, int]]) -> "OutOfStock":
        """`shortages`: (sku, units asked for, units available) of each short variant."""
        messages = [
            f"{sku} is out of stock." if available <= 0
            else f"Only {available} of {sku} are available ({wanted} asked for)."
            for sku, wanted, available in shortages
        ]
        skus = ", ".join(sku for sku, _, _ in shortages)
        return cls(
            f"Not enough stock of {skus}.", errors={"lines": messages},
            shortages=[{"sku": sku, "requested": wanted, "available": max(available, 0)}
                       for sku, wanted, available in shortages],
        )
