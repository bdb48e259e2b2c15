"""Find AliExpress order numbers in whatever a reader pastes.

The reader may paste the text they copied from their mail client, the raw
message source ("Visa original" / "Visa meddelandekälla"), or a saved HTML
page. This module returns the order number(s) and sets aside everything that
only looks like one: tracking numbers, product IDs, payment and package IDs,
phone numbers, prices, dates and postal codes.

It works in five stages, each a plain function in its own module of this
package (``decoding``, ``normalizing``, ``finding``, ``reconciling``, ``api``;
``base`` and ``result`` hold what they share, ``cli`` the command line):

1. decode     bytes -> Document. Raw RFC 822 messages are parsed with the
              standard ``email`` package (MIME parts, quoted-printable,
              base64, RFC 2047 subjects, attached messages); HTML becomes
              text with its links kept apart and hidden elements dropped;
              only real text charsets are honoured.
2. normalize  text -> text. Undo what copying does: zero-width, bidi and
              other invisible characters, full-width and other scripts'
              digits (NFKC), entities, ``>`` quote markers,
              quoted-printable soft breaks inside a number.
3. find and judge   text -> Findings. Every candidate starts at a run of
              digits (or a letter+digit code such as a tracking number).
              Its evidence is what stands right before it (table below).
4. reconcile  Findings -> Result. One role per number across the document.
5. result     Result.to_dict() / to_json() / run_json(): stable JSON for the
              browser tool and the command line.

Decision table: evidence before shape, and a reported number always stands
whole in the mail (never cut out of a longer run of digits).

====================================  =======================================
Evidence right before the number      What the number is
====================================  =======================================
link ``orderId=``, ``tradeOrderId=``,   order (14-16 digits, no leading 0),
``o_ids=``, ``/order-list/``            whatever its first digits
link ``productId=``, ``/item/N.html``   product ID
link ``sku_id=``, ``pmntId=``           set aside: SKU, payment
any other link parameter                ignored (logging, tracking pixels)
``00340`` + 15 digits (any label)       DHL tracking (GS1 check digit)
order label ("Order ID", "Ref.          order, whatever its first digits
Number", "Ordrenummer",
"Tilausnumero", ...) or a subject
line ("Order N: order shipped")
order word in running text              order, unless shaped like a product
("Your order N")                        ID (16 digits from 1005/3256, 13
                                        from 4000/4001, 11 from 32)
order label + 17-18 digits              set aside: package (AliExpress's
                                        package numbers), never cut to 16;
                                        left out if its last 16 digits are
                                        an order found whole elsewhere (a
                                        list index glued on by copying)
order label + 11-13 digits (not        set aside: short_order (digits
product-shaped)                         missing), so the reader learns why
                                        no order number was found
tracking label                          tracking: S10 (check digit, ISO
                                        country), UPS 1Z, USPS, GS1 SSCC
                                        checked; other runs of 8-30 digits
                                        as they stand; a wrong check digit
                                        is set aside as invalid_tracking
shape alone: S10, LP/AP, YT, 4PX,       tracking
CNUSUP, UPS 1Z
product / package / payment / SKU       product ID; set aside: package,
label                                   payment, SKU
phone label                             ignored
"N & N", "N, N" after an order          order, with the same evidence
nothing, in a mail that names           order ("context") if 14-16 digits
AliExpress                              from 3, 5 or 8, not product-shaped,
                                        with an order word within 120
                                        characters before it
====================================  =======================================

Across the document (stage 4): a number with product evidence anywhere is a
product, never an order (note ``product_evidence_wins``); a context-only
order loses to any label that says otherwise; and a mail that never names
AliExpress but comes from another shop (by its sender, a shop domain in a
link or the text, or a line holding only the shop's name, never a bare word
in a sentence) reports its orders as ``other_shop_order``.

The same files run in CPython >= 3.11 and in Pyodide (Python 3.14) in the
browser; it uses the standard library only. Input is capped at
MAX_INPUT_BYTES, and the work is bounded too: at most 4096 characters of a
header and 1000 header lines reach the email parser, at most 1000 MIME
parts are read, NFKC may add at most 256 K characters, and at most 10 000
candidates are judged. What the budget drops is named in ``notes``; at most
MAX_LISTED entries of each list are returned, the rest counted in
``not_listed``. No regular expression can backtrack catastrophically:
repeats are bounded and never nested ambiguously, and most patterns only
look at a short window before a number.

Command line, from the repository's root::

    python snippets/order_number [--json] [PATH|-]

(or ``python -m order_number`` with ``snippets`` on the path).

Exit status: 0 when at least one order number was found, 1 when none,
2 when the input could not be read (unreadable, too large, missing file,
or any other failure): then one line on stderr and nothing on stdout.
"""

from __future__ import annotations

from .base import MAX_INPUT_BYTES, MAX_LISTED, ExtractionError, InputTooLarge, UnreadableInput
from .result import Evidence, Order, OtherId, Result, Tracking
from .decoding import decode
from .normalizing import normalize
from .finding import (
    gs1_check_digit,
    is_valid_s10,
    s10_check_digit,
    tracking_check_digit_valid,
    ups_check_digit,
)
from .api import extract, run_json, to_json
from .cli import main

__all__ = [
    "MAX_INPUT_BYTES",
    "ExtractionError",
    "InputTooLarge",
    "UnreadableInput",
    "Evidence",
    "Order",
    "Tracking",
    "OtherId",
    "Result",
    "extract",
    "to_json",
    "run_json",
    "MAX_LISTED",
    "s10_check_digit",
    "is_valid_s10",
    "gs1_check_digit",
    "ups_check_digit",
    "tracking_check_digit_valid",
    "main",
]
