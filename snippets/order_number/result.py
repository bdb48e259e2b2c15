"""The result types: what extract() returns, and its stable dictionary form."""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import MAX_LISTED, _add_note


# ---------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------

# Evidence kinds, strongest first.
LINK, SUBJECT, LABEL, CONTEXT = "link", "subject", "label", "context"


@dataclass(frozen=True)
class Evidence:
    """Why a number is taken for an order number."""

    kind: str  # "label" | "link" | "subject" | "context"
    label: str  # the label as found, e.g. "Order ID", "orderId=", "Order … : order shipped"
    snippet: str  # a little surrounding text, at most 80 characters


@dataclass
class Order:
    value: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Tracking:
    value: str
    carrier: str | None
    format: str  # "S10", "LP", "AP", "YT", "4PX", "DHL", "numeric", "other"
    check_digit_valid: bool | None  # None when the format has no check digit
    snippet: str


@dataclass(frozen=True)
class OtherId:
    """A number that was looked at and set aside."""

    value: str
    kind: str  # "payment", "package", "sku", "invalid_tracking", "short_order", "other_shop_order"
    snippet: str


@dataclass
class Result:
    orders: list[Order] = field(default_factory=list)
    tracking: list[Tracking] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    other_ids: list[OtherId] = field(default_factory=list)
    not_aliexpress: bool = False
    shop: str | None = None
    notes: list[str] = field(default_factory=list)
    # How many entries of each list were left out past MAX_LISTED.
    not_listed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LISTS, 0))

    @property
    def order_numbers(self) -> list[str]:
        return [order.value for order in self.orders]

    @property
    def tracking_numbers(self) -> list[str]:
        return [item.value for item in self.tracking]

    def to_dict(self) -> dict:
        return {
            "order_numbers": self.order_numbers,
            "orders": [
                {
                    "value": order.value,
                    "evidence": [
                        {"kind": e.kind, "label": e.label, "snippet": e.snippet}
                        for e in order.evidence
                    ],
                }
                for order in self.orders
            ],
            "tracking_numbers": self.tracking_numbers,
            "tracking": [
                {
                    "value": t.value,
                    "carrier": t.carrier,
                    "format": t.format,
                    "check_digit_valid": t.check_digit_valid,
                    "snippet": t.snippet,
                }
                for t in self.tracking
            ],
            "product_ids": list(self.product_ids),
            "other_ids": [
                {"value": o.value, "kind": o.kind, "snippet": o.snippet}
                for o in self.other_ids
            ],
            "not_aliexpress": self.not_aliexpress,
            "shop": self.shop,
            "notes": list(self.notes),
            "not_listed": dict(self.not_listed),
        }

    def cut_to_size(self) -> None:
        """At most MAX_LISTED entries in each list; the rest are counted, so
        the page never has to draw a hundred thousand rows."""
        for name in _LISTS:
            items = getattr(self, name)
            if len(items) > MAX_LISTED:
                self.not_listed[name] += len(items) - MAX_LISTED
                setattr(self, name, items[:MAX_LISTED])
                _add_note(self.notes, "not_all_listed")


_LISTS = ("orders", "tracking", "product_ids", "other_ids")
