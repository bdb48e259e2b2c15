"""Stage 4, reconcile: one role per number across the document."""

from __future__ import annotations

import re

from .base import _add_note
from .result import CONTEXT, Evidence, Order, OtherId, Result, Tracking
from .finding import Finding, mentions_aliexpress


# ---------------------------------------------------------------------------
# Stage 4: reconcile (one role per number across the document)
# ---------------------------------------------------------------------------

# Other shops. A shop is named by evidence, never by a bare word in the body
# ("I wish order 8123… had arrived" is not from Wish; "Skickat från min
# Amazon Fire" is not from Amazon): the sender, a domain in a link or in the
# text, or a line that holds only the shop's name (a letterhead or signature).
# AliExpress named anywhere overrides all of it.
_OTHER_SHOP_NAMES = (
    "Amazon", "Temu", "Shein", "eBay", "Zalando", "CDON", "Etsy", "Banggood", "Joom", "Wildberries",
    "Wish",
)
_SHOP_KEYS = {name.lower(): name for name in _OTHER_SHOP_NAMES}
_SHOP_ALTERNATIVES = "|".join(sorted(_SHOP_KEYS, key=len, reverse=True))
_SHOP_DOMAIN_RE = re.compile(
    rf"(?<![a-z0-9-])({_SHOP_ALTERNATIVES})\.(?:com|se|de|co\.uk|fr|it|es|nl|pl|dk|no|fi|ru|us|ca)"
    r"(?![a-z0-9-])"
)
_SHOP_LINE_RE = re.compile(
    rf"^[ \t]{{0,8}}(?:the[ \t]{{1,3}}|ditt[ \t]{{1,3}}|your[ \t]{{1,3}})?({_SHOP_ALTERNATIVES})"
    r"(?:[ \t]{1,3}(?:team|support|kundservice|kundtjänst|customer service|sverige|sweden))?[ \t.!,]{0,8}$",
    re.M,
)
_SENDER_LINE_RE = re.compile(
    r"^[ \t]{0,8}(?:from|från|fra|lähettäjä|von|de|van|od|от|da|mittente|remitente)[ \t]{0,3}:"
    r"([^\n]{0,300})",
    re.M,
)
_SHOP_WORD_RE = re.compile(rf"(?<![a-z0-9])({_SHOP_ALTERNATIVES})(?![a-z0-9])")


def other_shop(lowered: str, senders: list[str] | None = None) -> str | None:
    """The other shop a text that never names AliExpress comes from: by its
    sender first, then by the first shop domain or letterhead line."""
    if mentions_aliexpress(lowered):
        return None
    if not any(key in lowered for key in _SHOP_KEYS):  # fast path: most mails
        return None
    sender_lines = [sender.lower() for sender in senders or []]
    sender_lines += [match.group(1) for match in _SENDER_LINE_RE.finditer(lowered)]
    for line in sender_lines:
        match = _SHOP_DOMAIN_RE.search(line) or _SHOP_WORD_RE.search(line)
        if match:
            return _SHOP_KEYS[match.group(1)]
    found = [m for m in (_SHOP_DOMAIN_RE.search(lowered), _SHOP_LINE_RE.search(lowered)) if m]
    if not found:
        return None
    return _SHOP_KEYS[min(found, key=lambda m: m.start()).group(1)]


_SET_ASIDE_KINDS = ("payment", "package", "sku", "invalid_tracking", "short_order")
_LABELLED_AS_SOMETHING_ELSE = frozenset(_SET_ASIDE_KINDS + ("tracking", "product"))
_MAX_EVIDENCE = 8  # per order: enough to explain it, few enough to show


def classify(findings: list[Finding], shop: str | None, notes: list[str]) -> Result:
    """Stage 4: let the evidence decide what each number is."""
    findings = sorted(findings, key=lambda f: f.where)
    roles: dict[str, set[str]] = {}
    for finding in findings:
        roles.setdefault(finding.value, set()).add(finding.role)
    result = Result(shop=shop, not_aliexpress=shop is not None, notes=list(notes))
    result.product_ids = list(dict.fromkeys(f.value for f in findings if f.role == "product"))
    orders = _orders(findings, roles, result.notes)
    result.tracking = _tracking(findings, orders, result.notes)
    result.other_ids = _set_aside(findings, orders, result.notes)
    if shop is not None:
        # An order mail from another shop: its numbers are not AliExpress orders.
        _add_note(result.notes, "other_shop")
        result.other_ids += [
            OtherId(order.value, "other_shop_order", order.evidence[0].snippet)
            for order in orders.values()
        ]
        orders = {}
    result.orders = list(orders.values())
    result.cut_to_size()
    return result


def _orders(findings: list[Finding], roles: dict[str, set[str]],
            notes: list[str]) -> dict[str, Order]:
    """Order numbers in order of appearance, with their evidence. A product
    ID is never an order; a bare number (context only) is not one when it
    is labelled as something else elsewhere."""
    orders: dict[str, Order] = {}
    seen: set[tuple[str, str, str]] = set()
    for finding in findings:
        if finding.role != "order":
            continue
        if "product" in roles[finding.value]:
            if finding.kind != CONTEXT:  # an order label or link on a product's ID
                _add_note(notes, "product_evidence_wins")
            continue
        if finding.kind == CONTEXT and roles[finding.value] & _LABELLED_AS_SOMETHING_ELSE:
            continue
        order = orders.setdefault(finding.value, Order(finding.value))
        key = (finding.value, finding.kind, finding.label)
        if key not in seen and len(order.evidence) < _MAX_EVIDENCE:
            seen.add(key)
            order.evidence.append(Evidence(finding.kind, finding.label, finding.snippet))
        if finding.note:
            _add_note(notes, finding.note)
    return orders


def _tracking(findings: list[Finding], orders: dict[str, Order],
              notes: list[str]) -> list[Tracking]:
    """Valid tracking numbers, each once; an order number is never one."""
    tracking: dict[str, Tracking] = {}
    for finding in findings:
        if finding.value in orders:
            continue
        if finding.role == "invalid_tracking":
            _add_note(notes, "invalid_check_digit")
        elif finding.role == "tracking" and finding.value not in tracking:
            tracking[finding.value] = Tracking(finding.value, finding.carrier, finding.format,
                                               finding.check_digit_valid, finding.snippet)
    return list(tracking.values())


def _set_aside(findings: list[Finding], orders: dict[str, Order],
               notes: list[str]) -> list[OtherId]:
    """Payment, package and SKU IDs and broken tracking codes, each once."""
    others: dict[tuple[str, str], OtherId] = {}
    for finding in findings:
        role = finding.role
        if role == "long_after_order_label":
            if _glued_list_index(finding.value, orders):
                _add_note(notes, "index_prefix_removed")
                continue
            role = "package"  # 17-18 digits after "order": AliExpress's package number
        elif role == "short_after_order_label":
            role = "short_order"  # 11-13 digits after "order": digits missing
        if role in _SET_ASIDE_KINDS and finding.value not in orders:
            item = OtherId(finding.value, role, finding.snippet)
            others.setdefault((item.value, item.kind), item)
    return list(others.values())


def _glued_list_index(digits: str, orders: dict[str, Order]) -> bool:
    """'Bestellung 1' + '8301…667' copied from a list reads as 17 digits. Only
    when those 16 digits are an order number found whole elsewhere is the
    long number taken for an index glued to it (and left out)."""
    return digits[-16:] in orders and digits[0] != "0"
