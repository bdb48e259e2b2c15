"""Find AliExpress order numbers in whatever a reader pastes.

The reader may paste the text they copied from their mail client, the raw
message source ("Visa original" / "Visa meddelandekälla"), or a saved HTML
page. This module returns the order number(s) and sets aside everything that
only looks like one: tracking numbers, product IDs, payment and package IDs,
phone numbers, prices, dates and postal codes.

It works in five stages, each a plain function:

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

The same file runs in CPython >= 3.11 and in Pyodide (Python 3.14) in the
browser; it uses the standard library only. Input is capped at
MAX_INPUT_BYTES, and the work is bounded too: at most 4096 characters of a
header and 1000 header lines reach the email parser, at most 1000 MIME
parts are read, NFKC may add at most 256 K characters, and at most 10 000
candidates are judged. What the budget drops is named in ``notes``; at most
MAX_LISTED entries of each list are returned, the rest counted in
``not_listed``. No regular expression can backtrack catastrophically:
repeats are bounded and never nested ambiguously, and most patterns only
look at a short window before a number.

Command line::

    python order_number.py [--json] [PATH|-]

Exit status: 0 when at least one order number was found, 1 when none,
2 when the input could not be read (unreadable, too large, missing file,
or any other failure): then one line on stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
import binascii
import bisect
import codecs
import email
import html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.policy import Compat32
from typing import Iterator

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

# Largest input we read: 5 MiB. A mail with its attachments stripped is far
# smaller; the cap keeps the browser tab responsive and bounds the work.
MAX_INPUT_BYTES = 5 * 1024 * 1024


class ExtractionError(ValueError):
    """The input cannot be searched at all."""

    code = "error"


class InputTooLarge(ExtractionError):
    """The input is larger than MAX_INPUT_BYTES."""

    code = "too_large"


class UnreadableInput(ExtractionError):
    """The input is not text (an image, a PDF, an archive, binary data)."""

    code = "unreadable"


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
    kind: str  # "payment", "package", "sku", "invalid_tracking", "other_shop_order"
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


# ---------------------------------------------------------------------------
# Stage 1: decode
# ---------------------------------------------------------------------------


@dataclass
class Document:
    """Readable text, kept apart by origin. Links are scanned like text but
    never lend a label to the text around them."""

    subjects: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, code: str) -> None:
        if code not in self.notes:
            self.notes.append(code)


# Files that are certainly not text; saying so beats returning nothing.
_BINARY_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
                      b"\xd0\xcf\x11\xe0")  # the last: an Outlook .msg (OLE) file
# C0 control bytes that never occur in text (tab, newlines, form feed and
# ESC, used by ISO-2022 charsets, are allowed).
_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27)) + b"\x7f"

_HEADER_NAME_RE = re.compile(rb"[A-Za-z][A-Za-z0-9-]{0,76}:")
_KNOWN_HEADERS = frozenset(
    b"from to cc subject date sender reply-to message-id mime-version content-type "
    b"content-transfer-encoding received return-path delivered-to dkim-signature "
    b"authentication-results arc-seal x-mailer x-received in-reply-to references".split()
)
_QP_SOFT_BREAK_RE = re.compile(rb"=\r?\n")
_QP_ESCAPE_RE = re.compile(rb"=[0-9A-F]{2}")
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,300}?charset\s{0,3}=\s{0,3}["']?([A-Za-z0-9_.:-]{1,40})""", re.I
)
_HTML_HINT_RE = re.compile(
    r"<(?:!doctype|html|head|body|div|table|tr|td|p|br|a\s|span|meta|img|font|center)\b", re.I
)
# Labels such as ISO-8859-1 and US-ASCII mean windows-1252 in practice (as in browsers).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252",
                    "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
# Codecs a mail may name that turn bytes into something other than its text:
# escape codecs make lone surrogates out of "\\ud800", the others execute
# no decoding a mail client would do. Only text encodings are honoured.
# Names are compared after lower-casing and turning "-" and " " into "_", and
# before any lookup, so the answer does not depend on which codec modules the
# runtime has (Pyodide's trimmed standard library may lack bz2 or zlib).
_UNSAFE_CODECS = frozenset("""
unicode_escape raw_unicode_escape utf_7 utf7 u7 unicode_1_1_utf_7 punycode idna undefined
base64 base64_codec base_64 bz2 bz2_codec hex hex_codec quopri quopri_codec quotedprintable
quoted_printable rot13 rot_13 uu uu_codec zip zlib zlib_codec
""".split())

# The work budget. The standard email parser takes quadratic time and
# gigabytes of memory on some header shapes (long runs of RFC 2047 words,
# thousands of parameters), and linear but slow time on thousands of MIME
# parts. Everything it sees is bounded first; what is dropped becomes a note.
_MAX_HEADER_CHARS = 4096  # per header value: a real Subject is far shorter
_MAX_BOUNDARY_LINES = 1000  # "--boundary" lines: a real mail has a handful
_MAX_PARTS = 500
_MAX_HEADER_LINES = 1000  # lines in one header block (the message's or a part's)
_MAX_ALL_HEADER_LINES = 20_000  # lines in all header blocks together
_MAX_CANDIDATES = 10_000  # numbers and codes judged in a whole document; a real mail has < 300
MAX_LISTED = 100  # entries per list in the result; the rest are counted


def decode(data: str | bytes) -> Document:
    """Stage 1: turn the pasted input into readable text."""
    raw = _bytes_within_limit(data)
    raw = _without_byte_order_mark(raw)
    _reject_binary(raw)
    document = Document()
    if _looks_like_rfc822(raw):
        document.note("raw_email")
        try:
            bounded = _with_few_header_lines(_with_few_parts(raw, document), document)
            message = email.message_from_bytes(bounded, policy=_BOUNDED_POLICY)
            _read_message(message, document)
            return document
        except Exception:  # noqa: BLE001 - the email package raises many kinds
            # A message too broken for the email package: read it as text.
            document = Document()
    _read_loose_text(raw, document)
    return document


class _BoundedPolicy(Compat32):
    """compat32 (no header objects: 15 times faster than policy.default on
    many parts) that hands back at most _MAX_HEADER_CHARS of any header, so
    Content-Type parameters and encoded words are never parsed at length.
    Header values stay raw strings; _header_text decodes the few we read."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value[:_MAX_HEADER_CHARS]


_BOUNDED_POLICY = _BoundedPolicy()


def _with_few_header_lines(raw: bytes, document: Document) -> bytes:
    """At most _MAX_HEADER_LINES lines in any header block (the message's own
    and each part's, folded lines included) and _MAX_ALL_HEADER_LINES in all:
    the parser spends tens of microseconds on each, and a mail has about 50.
    The lines past the limit are left out, up to the blank line that ends
    the block; once the whole budget is spent, later blocks get no headers."""
    edits: list[tuple[int, int]] = []  # (start, end): raw[start:end] becomes a blank line
    budget = _MAX_ALL_HEADER_LINES
    for block in _header_block_starts(raw):
        position, lines = block, 0
        while True:
            end = raw.find(b"\n", position)
            if end < 0 or end - position <= 1 and raw[position:end] in (b"", b"\r"):
                break  # the end of the input, or the blank line that ends the headers
            if budget == 0:
                edits.append((position, position))
                break
            if lines == _MAX_HEADER_LINES:
                edits.append((position, _end_of_header_block(raw, position)))
                break
            lines += 1
            budget -= 1
            position = end + 1
    if not edits:
        return raw
    document.note("headers_cut_short")
    pieces, previous = [], 0
    for start, end in edits:
        if start < previous:
            continue  # inside a block already left out
        pieces += [raw[previous:start], b"\r\n"]
        previous = end
    return b"".join(pieces) + raw[previous:]


def _end_of_header_block(raw: bytes, position: int) -> int:
    """Where the blank line after `position` begins (the end if there is none)."""
    found = [i + 1 for i in (raw.find(b"\n\n", position), raw.find(b"\n\r\n", position)) if i >= 0]
    return min(found) if found else len(raw)


def _header_block_starts(raw: bytes) -> Iterator[int]:
    """The start of the message, and the line after each "--boundary" line."""
    yield 0
    position = raw.find(b"\n--")
    while position >= 0:
        end = raw.find(b"\n", position + 1)
        if end < 0:
            return
        yield end + 1
        position = raw.find(b"\n--", end)


def _with_few_parts(raw: bytes, document: Document) -> bytes:
    """Cut a message with thousands of "--boundary" lines short: the parser's
    time grows with the number of parts, and an order mail has a handful."""
    if raw.count(b"\n--", 0) <= _MAX_BOUNDARY_LINES:
        return raw
    position = -1
    for _ in range(_MAX_BOUNDARY_LINES):
        position = raw.find(b"\n--", position + 1)
    document.note("too_many_parts")
    return raw[:position + 1]


def _bytes_within_limit(data: str | bytes) -> bytes:
    """Strings are searched as their UTF-8 bytes, so both paths agree."""
    if isinstance(data, str):
        if len(data) > MAX_INPUT_BYTES:  # each character is at least one byte
            raise InputTooLarge(f"input is larger than {MAX_INPUT_BYTES} bytes")
        data = data.encode("utf-8", errors="replace")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("extract() takes str or bytes")
    data = bytes(data)
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(f"input is larger than {MAX_INPUT_BYTES} bytes")
    return data


def _without_byte_order_mark(raw: bytes) -> bytes:
    """Saved pages and Windows text files may be UTF-16 or carry a BOM."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableInput("broken UTF-16 text") from error
    text = _utf16_without_bom(raw)
    return raw if text is None else _without_surrogates(text).encode("utf-8")


def _reject_binary(raw: bytes) -> None:
    if raw.startswith(_BINARY_SIGNATURES):
        raise UnreadableInput("this is a binary file (PDF, image, archive or .msg), not text")
    sample = raw[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    # The floor lets a short paste with a few stray control characters through.
    if sample and controls > max(32, len(sample) // 20):
        raise UnreadableInput("this does not look like text")


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 saved without a byte order mark shows as a NUL in every other
    byte (for Latin text); the side of the NULs gives the byte order."""
    sample = raw[:4096]
    if len(sample) < 8:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.6 and even_nuls < half * 0.05:
        codec = "utf-16-le"
    elif even_nuls > half * 0.6 and odd_nuls < half * 0.05:
        codec = "utf-16-be"
    else:
        return None
    return raw[: len(raw) // 2 * 2].decode(codec, errors="replace")


def _looks_like_rfc822(raw: bytes) -> bool:
    """Header lines at the very top, one of them a well-known mail header."""
    lines = raw[:16384].lstrip(b"\r\n").split(b"\n", 60)[:60]
    if lines and lines[0].startswith(b"From "):  # mbox separator line
        lines = lines[1:]
    names: list[bytes] = []
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") and names:  # folded continuation line
            continue
        match = _HEADER_NAME_RE.match(line)
        if not match:
            return False
        names.append(match.group()[:-1].lower())
    return len(names) >= 2 and any(name in _KNOWN_HEADERS for name in names)


def _read_message(message: Message, document: Document) -> None:
    """Walk every MIME part, attached messages (message/rfc822) included."""
    for count, part in enumerate(message.walk()):
        if count == _MAX_PARTS:
            document.note("too_many_parts")
            break
        if part.get_content_type() == "message/rfc822":
            document.note("attached_message")
        subject = _header_text(part, "subject")
        if subject:
            document.subjects.append(subject)
        sender = _header_text(part, "from")
        if sender:
            document.senders.append(sender)
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)  # undoes base64 / quoted-printable
        if not isinstance(payload, bytes):
            continue
        text = _decode_text(payload, [part.get_content_charset()], document)
        if part.get_content_subtype() == "html" or _looks_like_html(text):
            _add_html(text, document)
        else:
            document.texts.append(text)


_FOLD_RE = re.compile(r"\r?\n(?=[ \t])")


def _header_text(part: Message, name: str) -> str:
    """A decoded header (RFC 2047 words handled), at most _MAX_HEADER_CHARS
    long; a header too broken to decode is read as it stands."""
    value = part.get(name)  # already cut to _MAX_HEADER_CHARS by the policy
    if value is None:
        return ""
    value = _FOLD_RE.sub("", str(value))
    if _SURROGATE_RE.search(value):
        # 8-bit bytes in a header (surrogate-escaped by the parser): UTF-8 or windows-1252.
        return _decode_text(value.encode("ascii", "surrogateescape"), [], None)
    if "=?" not in value:
        return value
    try:
        return _without_surrogates(str(make_header(decode_header(value))))
    except Exception:  # noqa: BLE001 - unknown charsets, broken base64
        return value


def _read_loose_text(raw: bytes, document: Document) -> None:
    """Text without mail headers: a paste, a saved page, a source fragment."""
    if _looks_like_quoted_printable(raw):
        raw = binascii.a2b_qp(raw)
        document.note("quoted_printable")
    match = _META_CHARSET_RE.search(raw, 0, 65536)
    declared = [match.group(1).decode("ascii")] if match else []
    text = _decode_text(raw, declared, document)
    if _looks_like_html(text):
        _add_html(text, document)
    else:
        document.texts.append(text)


def _looks_like_quoted_printable(raw: bytes) -> bool:
    """Soft line breaks plus =XX escapes: a fragment of a raw message body."""
    soft_breaks = len(_QP_SOFT_BREAK_RE.findall(raw, 0, 262144))
    return soft_breaks >= 2 or (soft_breaks == 1 and _QP_ESCAPE_RE.search(raw) is not None)


def _decode_text(raw: bytes, declared: list[str | None], document: Document | None) -> str:
    """UTF-8 first (it rarely decodes anything else by accident), then the
    declared charset if it is a real text encoding, then windows-1252, which
    decodes almost anything."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in declared:
        if not charset:
            continue
        codec = _CHARSET_ALIASES.get(charset.strip().lower(), charset.strip())
        if not _is_text_codec(codec):
            if document is not None:
                document.note("unsafe_charset")
            continue
        try:
            return _without_surrogates(raw.decode(codec))
        except (LookupError, UnicodeError, ValueError, TypeError, ImportError):
            continue
    return raw.decode("cp1252", errors="replace")


def _is_text_codec(name: str) -> bool:
    """A codec that decodes bytes to text: not rot13, base64, zlib or an escape codec."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _UNSAFE_CODECS:
        return False
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError, ImportError):
        return True  # unknown names fail to decode and are skipped anyway
    return getattr(info, "_is_text_encoding", True) and info.name.replace("-", "_") not in _UNSAFE_CODECS


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """Lone surrogates cannot be written as UTF-8: each becomes U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", text)


def _looks_like_html(text: str) -> bool:
    return _HTML_HINT_RE.search(text, 0, 65536) is not None


# HTML is read by the small tokenizer below rather than html.parser.HTMLParser:
# HTMLParser takes quadratic time on unterminated tags and comments in CPython
# before 3.11.13 / 3.12.11 / 3.13.4 (CVE-2025-6069), and its handling of
# scripts and comments differs between Python versions, while the browser
# (Pyodide) and the command line must give identical results. Every pattern
# is bounded and the text is read once, front to back.
_MARKUP_RE = re.compile(
    r"<(?:"
    r"!--.*?(?:--!?>|\Z)"  # a comment, closed or not
    r"|[!?][^>]{0,4096}>?"  # <!DOCTYPE …>, <![CDATA[…]]>, <?xml …?>
    r"|(?P<slash>/?)(?P<tag>[A-Za-z][A-Za-z0-9:-]{0,40})"  # a start or end tag
    r"(?P<attributes>(?:[^>\"']|\"[^\"]{0,1000000}\"|'[^']{0,1000000}'){0,4000})>?"
    r")",
    re.S,
)
_ATTRIBUTE_RE = re.compile(
    r"""([^\s"'>/=]{1,100})\s{0,20}=\s{0,20}"""  # name =
    r"""("[^"]{0,1000000}"|'[^']{0,1000000}'|[^\s"'>]{1,100000})"""  # "value", 'value' or value
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br center dd div dl dt fieldset figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section table tbody "
    "tfoot thead title tr ul".split()
)
_CELL_TAGS = frozenset(("td", "th"))
# Content never shown: skipped up to the matching end tag.
_HIDDEN_TAGS = {
    tag: re.compile(rf"</{tag}(?=[\s/>]|\Z)", re.I) for tag in ("script", "style", "template")
}
# Where link targets live. Images count: tracking pixels carry orderId= too.
_LINK_ATTRIBUTES = {"a": "href", "area": "href", "img": "src", "iframe": "src", "form": "action"}
_TAGS_WITH_VALUES = frozenset(_LINK_ATTRIBUTES) | {"input"}
# Elements the reader never sees: the hidden attribute, display:none,
# visibility:hidden, a zero font size or opacity, Outlook's mso-hide.
_HIDDEN_ATTRIBUTE_RE = re.compile(
    r"""(?:^|[\s"'])hidden(?:[\s=/]|$)"""
    r"|display\s{0,8}:\s{0,8}none|visibility\s{0,8}:\s{0,8}hidden|mso-hide\s{0,8}:\s{0,8}all"
)  # a zero font-size or opacity: see _is_hidden
_LONG_ATTRIBUTES = 4000  # the tokenizer reads at most 4000 attribute pieces of a tag
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_HTML_SPACE_RE = re.compile(r"[ \t\r\n\f]{1,4096}")
_BLOCK_MARK, _CELL_MARK = "\x1e", "\x1f"  # record and unit separators
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_entities(text: str) -> str:
    """Character references that end in ";" only: "&notify=1" in a URL stays."""
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(lambda match: html.unescape(match.group()), text)


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """Visible text of an HTML document, and its link targets apart.

    Scripts and styles are dropped, blocks end up on their own lines and
    table cells are separated by tabs, so a label and its value stay close.
    """
    # Blocks and cells are marked with two control characters while reading,
    # so that whitespace can be tidied in one pass at the end.
    markup = markup.replace(_BLOCK_MARK, " ").replace(_CELL_MARK, " ")
    parts: list[str] = []
    links: list[str] = []
    position = 0
    hidden_from = 0
    while hidden_from is not None:
        hidden_from = None
        for token in _MARKUP_RE.finditer(markup, position):
            parts.append(markup[position:token.start()])
            position = token.end()
            slash, tag, attributes = token.groups()
            if tag is None:
                continue  # a comment or declaration
            tag = tag.lower()
            if not token.group().endswith(">") and (
                len(attributes) >= _LONG_ATTRIBUTES or markup.startswith(('"', "'"), position)
            ):
                # A tag the tokenizer's caps cut short (a title="…" over a megabyte,
                # thousands of attributes): the rest of it is still inside the tag, as
                # in a browser, not visible text.
                hidden_from = position = _end_of_cut_tag(markup, position)
                break
            if not slash and attributes and _is_hidden(attributes):
                if tag not in _VOID_TAGS:
                    hidden_from = position = _end_of_element(markup, position, tag)
                    break
                continue  # a hidden <input> or <img>: its value and link are not shown
            if not slash:
                if tag in _TAGS_WITH_VALUES:
                    _read_start_tag(tag, attributes, parts, links)
                if tag in _HIDDEN_TAGS:
                    # Skip the hidden content, then tokenize afresh after it.
                    hidden_from = position = _end_of_hidden_content(markup, position, tag)
                    break
            if tag in _CELL_TAGS:
                parts.append(_CELL_MARK)
            elif tag in _BLOCK_TAGS:
                parts.append(_BLOCK_MARK)
    parts.append(markup[position:])
    # Line breaks in HTML source are just spaces on screen.
    text = _HTML_SPACE_RE.sub(" ", unescape_entities("".join(parts)))
    return _tidy_html_text(text.replace(_BLOCK_MARK, "\n").replace(_CELL_MARK, "\t")), links


def _read_start_tag(tag: str, attributes: str, parts: list[str], links: list[str]) -> None:
    wanted = _LINK_ATTRIBUTES.get(tag, "value" if tag == "input" else None)
    if wanted is None or "=" not in attributes:
        return
    for name, raw_value in _ATTRIBUTE_RE.findall(attributes):
        if name.lower() != wanted:
            continue
        value = raw_value.strip("\"'")
        if tag == "input":
            parts.append(f" {value} ")  # a read-only field holding the number
            continue
        value = unescape_entities(value).strip()
        if value and not value.lower().startswith(("javascript:", "data:")):
            links.append(value)  # scripts and inline data are not links


def _end_of_cut_tag(markup: str, position: int) -> int:
    """Past the ">" that ends a tag, skipping a quoted value that starts at `position`."""
    if markup.startswith(('"', "'"), position):
        close = markup.find(markup[position], position + 1)
        if close < 0:
            return len(markup)
        position = close + 1
    end = markup.find(">", position)
    return len(markup) if end < 0 else end + 1


def _is_hidden(attributes: str) -> bool:
    lowered = attributes.lower()
    # Substring tests first (fast): most tags carry a style, few hide anything.
    if "hidden" in lowered or "none" in lowered or "mso-hide" in lowered:
        if _HIDDEN_ATTRIBUTE_RE.search(lowered) is not None:
            return True
    for name in ("font-size", "opacity"):
        at = lowered.rfind(name)  # the last declaration wins in CSS
        if at >= 0 and _ZERO_VALUE_RE.match(lowered, at + len(name)):
            return True
    return False


_ZERO_VALUE_RE = re.compile(r"\s{0,8}:\s{0,8}(?:0+(?:\.0*)?|\.0+)(?![0-9.])")


def _end_of_element(markup: str, position: int, tag: str) -> int:
    """Just past the end tag matching a start tag that ends at `position`,
    counting nested elements of the same name; the end if never closed."""
    depth = 1
    pattern = re.compile(rf"<(/?){re.escape(tag)}(?=[\s/>])", re.I)
    for match in pattern.finditer(markup, position):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            end = markup.find(">", match.end(), match.end() + 1024)
            return match.end() if end < 0 else end + 1
    return len(markup)


def _end_of_hidden_content(markup: str, position: int, tag: str) -> int:
    """Just past </script> (or </style>, </template>); the end if unclosed."""
    closing = _HIDDEN_TAGS[tag].search(markup, position)
    if closing is None:
        return len(markup)
    end = markup.find(">", closing.end(), closing.end() + 1024)
    return closing.end() if end < 0 else end + 1


def _tidy_html_text(text: str) -> str:
    text = re.sub(r"[ \t]{0,64}\n[ \t\n]{0,4096}", "\n", text)
    text = re.sub(r" {0,64}\t[ \t]{0,4096}", "\t", text)
    return re.sub(r" {2,4096}", " ", text).strip()


def _add_html(markup: str, document: Document) -> None:
    text, links = html_to_text(markup)
    document.note("html")
    document.texts.append(text)
    document.links.extend(links)


# ---------------------------------------------------------------------------
# Stage 2: normalize
# ---------------------------------------------------------------------------

# Zero-width characters, bidi controls, soft hyphens, variation selectors,
# tag characters and Hangul fillers: invisible, but they split a copied
# number in two, or (bidi overrides) show the digits in another order.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_BIDI_OVERRIDE_RE = re.compile("[\u202d\u202e\u2066-\u2068]")
# Combining marks glued to a digit ("8\u0301"): nothing a number needs.
_MARK_AFTER_DIGIT_RE = re.compile("(?<=[0-9])[\u0300-\u036f\u20d0-\u20ff]{1,16}")
# Decimal digits of other scripts (Arabic-Indic, Devanagari, Thai, ...), which
# NFKC leaves alone. Each block is ten code points from its zero; checked
# against unicodedata so a block the running Python lacks is skipped.
_DIGIT_ZEROS = (
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
    0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
    0xAA50, 0xABF0,
)
_ASCII_DIGITS = {
    chr(zero + n): str(n)
    for zero in _DIGIT_ZEROS
    for n in range(10)
    if unicodedata.decimal(chr(zero + n), None) == n
}
_OTHER_DIGIT_RE = re.compile("[" + "".join(sorted(_ASCII_DIGITS)) + "]")
_NFKC_CHUNK = 65536
_NFKC_GROWTH = 256 * 1024  # characters NFKC may add to a segment (U+FDFA alone becomes 18)
_QUOTE_MARKER_RE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?){1,32}", re.M)
_SOFT_BREAK_IN_NUMBER_RE = re.compile(r"(?<=[0-9])=\n(?=[0-9])")


def _nfkc_within_budget(text: str, notes: list[str] | None) -> str:
    """NFKC, chunk by chunk, stopping once it has added _NFKC_GROWTH
    characters: a few kilobytes of ligatures must not become megabytes."""
    if len(text) <= _NFKC_CHUNK:
        return unicodedata.normalize("NFKC", text)
    pieces, added, position = [], 0, 0
    while position < len(text):
        end = min(len(text), position + _NFKC_CHUNK)
        limit = min(len(text), end + 64)
        while end < limit and not text[end].isascii():
            end += 1  # do not split a letter from its combining marks
        piece = unicodedata.normalize("NFKC", text[position:end])
        added += len(piece) - (end - position)
        pieces.append(piece)
        position = end
        if added > _NFKC_GROWTH and position < len(text):
            if notes is not None:
                _add_note(notes, "text_cut_short")
            break
    return "".join(pieces)


def normalize(text: str, notes: list[str] | None = None) -> str:
    """Stage 2: undo what copying and mail clients do to a number."""
    text = unescape_entities(text)  # "&amp;" in a pasted source or link
    if not text.isascii():
        if notes is not None and _BIDI_OVERRIDE_RE.search(text):
            _add_note(notes, "text_direction_hidden")  # the reader may see the digits reversed
        text = _INVISIBLE_RE.sub("", text)
        text = _nfkc_within_budget(text, notes)  # full-width digits, NBSP, "№" -> "No"
        if _OTHER_DIGIT_RE.search(text):
            text = _OTHER_DIGIT_RE.sub(lambda match: _ASCII_DIGITS[match.group()], text)
        text = _MARK_AFTER_DIGIT_RE.sub("", _without_surrogates(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ">" in text:
        text = _QUOTE_MARKER_RE.sub("", text)
    if "=\n" in text:
        text = _SOFT_BREAK_IN_NUMBER_RE.sub("", text)
    return text


# ---------------------------------------------------------------------------
# Stage 3: find and judge (every candidate, with its evidence and role)
# ---------------------------------------------------------------------------

# Labels, as lower-case regular-expression fragments. They are matched on
# lower-cased, normalized text, where "№" has become "no". Longer forms come
# first within each list.
_ORDER_LABELS = [
    r"order[ -]?(?:ids?|numbers?|nummer|no\.?|nr\.?|num\.?|code|reference|#)",
    r"ref(?:erence)?\.?[ ]?(?:number|no\.?|nr\.?)",
    r"bestell(?:ungs)?[ -]?(?:nr\.?|nummer|id)", r"auftragsnummer",
    r"n[°o]\.?[ ]?(?:de[ ]?)?commande", r"num[ée]ro de commande", r"commande[ ]?(?:n[°o]\.?|#)",
    r"n[úu]mero del? pedido", r"n[°o]\.?[ ]?(?:de[ ]?)?pedido", r"pedido[ ]?(?:n[°o]\.?|#)",
    r"id del pedido", r"n[úu]mero do pedido", r"n[úu]mero da encomenda",
    r"best[äa]llnings[ -]?(?:nummer|nr\.?|id)",
    r"ordre[ -]?(?:nummer|nr\.?)", r"bestillings[ -]?(?:nummer|nr\.?)",
    r"tilausnumero", r"tilauksen numero", r"tilausnro\.?",
    r"numer zam[óo]wienia", r"nr\.? zam[óo]wienia", r"zam[óo]wienie (?:nr\.?|numer)",
    r"номер заказа", r"заказ ?(?:no\.?|#)", r"no ?заказа",
    r"numero d(?:ell)?['’] ?ordine", r"ordine (?:n\.?|nr\.?|#)", r"n\. ?ordine",
    r"bestel(?:ling)?[ -]?(?:nummer|nr\.?)",
]
# Words that name an order on their own: "Order 8…: order shipped", "Bestellung 8…".
_ORDER_WORDS = [
    r"your order", r"order", r"bestellung", r"pedido", r"commande", r"encomenda", r"ordine",
    r"bestelling", r"beställning(?:en)?", r"bestilling(?:en)?", r"ordre(?:n)?", r"tilaus",
    r"zam[óo]wienie", r"заказ",
]
# Subject lines that list several orders: "2 Bestellungen wurden bestätigt: N & N".
_ORDER_LIST_SUBJECTS = [
    r"bestellungen wurden (?:bestätigt|versandt|verschickt|zugestellt)",
    r"orders (?:have been |were )?(?:confirmed|shipped|delivered)",
]
_TRACKING_LABELS = [
    r"tracking[ -]?(?:number|no\.?|nr\.?|id|code|nummer)?", r"track(?: &| and) trace(?:[ -]?code)?",
    r"waybill(?: number| no\.?)?", r"logistics number", r"shipment number",
    r"sendungs(?:verfolgungs)?nummer", r"sendungs-?nr\.?",
    r"spårnings(?:nummer|-?id|kod)", r"kolli(?:nummer|-?id)", r"sändnings(?:nummer|-?id)",
    r"försändelse(?:nummer|-?id)", r"sporingsnummer", r"forsendelses(?:nummer|-?id)",
    r"seurantanumero", r"seurantakoodi", r"lähetystunnus",
    r"numer (?:przesyłki|śledzenia|nadania)",
    r"трек[ -]?номер", r"номер отслеживания", r"почтовый идентификатор",
    r"n[úu]mero de seguimiento", r"c[óo]digo de seguimiento",
    r"num[ée]ro de suivi", r"n[°o]\.? de suivi",
    r"codice di tracciamento", r"numero di tracciamento", r"c[óo]digo de rastreio",
    r"track-?and-?trace-?code", r"zendingnummer",
]
_PACKAGE_LABELS = [
    r"package(?:[ -]?(?:id|no\.?|number))?", r"parcel(?:[ -]?(?:id|no\.?|number))?",
    r"paquete", r"packstück", r"paket(?:[ -]?(?:id|nummer|nr\.?))?", r"colis", r"paczka",
    r"посылка", r"pacco", r"pakke",
]
_PAYMENT_LABELS = [
    r"payment[ -]?(?:id|number|no\.?|reference)", r"transaction[ -]?(?:id|number|no\.?)",
    r"betalnings[ -]?(?:id|nummer|referens)", r"zahlungs[ -]?(?:id|nummer|referenz)",
    r"transaktions[ -]?(?:id|nummer)", r"id de pago", r"num[ée]ro de paiement",
]
_PRODUCT_LABELS = [
    r"product[ -]?(?:id|number|no\.?)", r"item[ -]?(?:id|number|no\.?)",
    r"artikel[ -]?(?:nummer|nr\.?|id)", r"produkt[ -]?(?:id|nummer|nr\.?)",
]
_SKU_LABELS = [r"sku(?:[ -]?id)?"]
_PHONE_LABELS = [
    r"telefon(?:nummer)?", r"tel[ée]fono", r"t[ée]l[ée]phone", r"tel\.?", r"phone(?: number)?",
    r"mobil(?:e|telefon|nummer)?", r"puh(?:elin)?\.?", r"телефон", r"tlf\.?",
]

_LABEL_GROUPS = {
    "order": _ORDER_LABELS,
    "order_list": _ORDER_LIST_SUBJECTS,
    "tracking": _TRACKING_LABELS,
    "package": _PACKAGE_LABELS,
    "payment": _PAYMENT_LABELS,
    "product": _PRODUCT_LABELS,
    "sku": _SKU_LABELS,
    "phone": _PHONE_LABELS,
    "order_word": _ORDER_WORDS,  # last: "Order ID" must win over "Order"
}
_ORDER_CATEGORIES = frozenset(("order", "order_word", "order_list"))

_NOT_AFTER_LETTER = r"(?<![^\W\d_])"  # a label starts a word
_ANY_LABEL = "|".join(
    f"(?P<{name}>{'|'.join(fragments)})" for name, fragments in _LABEL_GROUPS.items()
)
# What may stand between a label and its number: spaces, a colon or "#", a
# linking word ("is", "är"), and up to two line breaks (a table copied as text).
_GAP = (
    r"[ \t]{0,3}(?:[:#=|.\-–—][ \t]{0,3}){0,2}"
    r"(?:(?:is|är|er|ist|est|es|jest|on)[ \t:]{1,3})?"
    r"(?:\n[ \t]{0,4}){0,2}"
)
# These patterns run on short lower-cased windows (see _lowered_window), so
# they are written in lower case and need no re.IGNORECASE, which is slow.
_LABEL_BEFORE_RE = re.compile(f"{_NOT_AFTER_LETTER}(?:{_ANY_LABEL}){_GAP}\\Z")
_LABEL_NEARBY_RE = re.compile(f"{_NOT_AFTER_LETTER}(?:{_ANY_LABEL})(?![^\\W\\d_])")
_LABEL_WINDOW = 64
_CONTEXT_WINDOW = 120
_GAP_CHARACTERS = frozenset(" \t\n:#=|.-–—")

# URL parameters right before the digits ("orderId=", "orderId%3D" in a
# wrapped link). Any other parameter (tracking, logging, "pvid=") is ignored.
_EQUALS = r"(?:=|%3d|%253d)"  # "=", also percent-encoded in a wrapped link
_PARAMETER_BEFORE_RE = re.compile(
    r"(?:(?<![a-z0-9_])|(?<=%3f)|(?<=%26))(?:"  # after "?", "&" or their encodings
    rf"(?P<order>(?:orderids?|tradeorderids?|tradeid|o_ids|order_?id){_EQUALS})"
    rf"|(?P<product>(?:productids?|product_id|itemid|item_id|x_object_id){_EQUALS})"
    rf"|(?P<sku>(?:sku_?id|skuids?|sku){_EQUALS})"
    rf"|(?P<payment>(?:pmntid|paymentid|payment_id|payid){_EQUALS})"
    r")\Z"
)
_PARAMETER_WINDOW = 48
# URL paths: aliexpress.ru/order-list/<order>, /item/<product>.html, /item/<slug>/<product>.html.
_PATH_BEFORE_RE = re.compile(
    r"(?:(?P<order_path>/order-list/)|(?P<product_path>/item/(?:[^/\s?#&]{1,160}/)?))\Z"
)
_PATH_WINDOW = 200
# Values in trackingNumber= style parameters, lower-case codes included.
_TRACKING_PARAM_RE = re.compile(
    r"(?:trackingNumber|trackingNo|tracking_number|trackNo|mailNo|logisticsNo)"
    r"(?:=|%3D)([A-Za-z0-9]{6,40})"
)
# Separators in a list of orders: "N & N", "N, N", "orderIds=N%2CN".
_LIST_SEPARATOR_RE = re.compile(
    r"[ \t]{0,3}(?:&|,|;|/|\+|and|und|och|og|y|et|e|i|и|%2C|%252C)[ \t]{0,3}", re.I
)
# After the number in a subject: "Order N: order shipped", "Your order N is closed".
_SUBJECT_TAIL_RE = re.compile(
    r"[ \t]{0,2}:|[ \t]{1,2}(?:is|has|was|wurde|ist|ha sido|a été|har|är|er)(?![^\W\d_])", re.I
)
# Buttons whose text sticks to a copied code: "RB123456785SECopy".
_BUTTON_WORDS = (
    "Copy", "Kopiera", "Kopieren", "Copiar", "Copier", "Copia", "Kopiuj", "Kopier", "Копировать",
)

# Where a number may start: a run of six or more digits, or a shorter run
# followed by more digits after a space, hyphen, tab or line break (a number
# grouped in fours or split over two lines). All other short runs (prices,
# dates, postal codes) are skipped inside the regex engine. (The leading
# [0-9] lets the engine jump from digit to digit: three times faster.)
_NUMBER_START_RE = re.compile(r"[0-9](?:[0-9]{5,63}|[0-9]{0,4}(?=[ \t\n-]{1,4}[0-9]))")
# "8123 4567 8901 2345": four groups, the same separator, no fifth group.
_GROUPED_RE = re.compile(
    r"([0-9]{4})([ -])([0-9]{4})\2([0-9]{4})\2([0-9]{2,4})(?![0-9])(?![ -][0-9])"
)
# "81234567" + line break or table cell + "89012345".
_SPLIT_RE = re.compile(r"([0-9]{1,13}) {0,2}[\n\t] {0,2}([0-9]{1,18})(?![0-9])")
# Letter+digit codes: S10, LP…, AP…, YT…, 4PX…CN, UPS 1Z…, Cainiao CNUSUP…,
# plus whatever a button glued on.
_CODE_TOKEN_RE = re.compile(
    r"(?:1Z[0-9A-Z]{16}|CN[A-Z]{4}[0-9]{9,13}|[A-Z4][A-Z0-9]{1,3}[0-9]{6,20})[A-Za-z0-9]{0,16}"
)
_TRACKING_SHAPES = (
    ("S10", re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")),
    ("LP", re.compile(r"LP[0-9]{14}")),
    ("AP", re.compile(r"AP[0-9]{14}")),
    ("YT", re.compile(r"YT[0-9]{16}")),
    ("4PX", re.compile(r"4PX[0-9]{8,16}CN")),
    ("CN", re.compile(r"CNUSUP[0-9]{9,13}")),  # Cainiao's US network
    ("UPS", re.compile(r"1Z[0-9A-Z]{16}")),
    ("DHL", re.compile(r"00340[0-9]{15}")),  # an SSCC (GS1) label from DHL
    ("USPS", re.compile(r"(?:420[0-9]{5}(?:[0-9]{4})?)?9[1-5][0-9]{20}")),
    ("SSCC", re.compile(r"00[0-9]{18}")),  # GS1 shipping label (PostNord, Bring, DHL …)
)
_FORMAT_CARRIERS = {
    "LP": "Cainiao", "AP": "Cainiao", "YT": "YunExpress", "4PX": "4PX", "DHL": "DHL",
    "CN": "Cainiao", "UPS": "UPS", "USPS": "USPS",
}
# Formats that are digits only: taken without a label only when unmistakable.
_NUMERIC_FORMATS = ("DHL", "USPS", "SSCC")
# Postal operator by the country code that ends an S10 code.
_S10_CARRIERS = {
    "CN": "China Post", "SE": "PostNord", "DK": "PostNord", "NO": "Posten Norge", "FI": "Posti",
    "DE": "Deutsche Post", "NL": "PostNL", "GB": "Royal Mail", "US": "USPS", "ES": "Correos",
    "FR": "La Poste", "PL": "Poczta Polska", "RU": "Russian Post", "HK": "Hongkong Post",
    "SG": "Singapore Post", "IT": "Poste Italiane",
}
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# ISO 3166-1 alpha-2: an S10 code ends with the issuing country.
_ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
_CARRIER_NAMES = (
    "PostNord", "Budbee", "Instabox", "DHL", "Bring", "Posten", "Posti", "UPS", "FedEx", "GLS",
    "DPD", "Hermes", "DB Schenker", "Early Bird", "Airmee", "Best Transport", "Cainiao",
    "YunExpress", "4PX", "Yanwen", "China Post", "Correos", "Poczta Polska", "InPost", "USPS",
)
# Case-sensitive ("PostNord", "Postnord", "POSTNORD"): "bring" in a sentence
# is not the carrier Bring.
_CARRIER_SPELLINGS = {
    spelling: name for name in _CARRIER_NAMES for spelling in (name, name.title(), name.upper())
}
_CARRIER_RE = re.compile(
    "(?<![A-Za-z0-9])("
    + "|".join(re.escape(s) for s in sorted(_CARRIER_SPELLINGS, key=len, reverse=True))
    + ")(?![A-Za-z0-9])"
)


def s10_check_digit(serial: str) -> int:
    """Check digit of a UPU S10 code from its 8-digit serial number."""
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS)) % 11
    return {0: 5, 1: 0}.get(remainder, 11 - remainder)


def is_valid_s10(code: str) -> bool:
    """True for two letters, 8 digits, the right check digit and a real
    ISO 3166 country code."""
    code = code.upper()
    if not _TRACKING_SHAPES[0][1].fullmatch(code) or code[-2:] not in _ISO_COUNTRIES:
        return False
    return s10_check_digit(code[2:10]) == int(code[10])


def gs1_check_digit(body: str) -> int:
    """GS1 mod 10 (SSCC, USPS): weights 3 and 1 from the right, 10 minus the sum mod 10."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return -total % 10


def ups_check_digit(code: str) -> int:
    """UPS 1Z: letters count as (code point - 63) mod 10; every second character doubles."""
    total = 0
    for index, character in enumerate(code[2:17]):
        value = int(character) if character.isdigit() else (ord(character) - 63) % 10
        total += value * 2 if index % 2 else value
    return -total % 10


def tracking_check_digit_valid(code: str, code_format: str) -> bool | None:
    """Whether the check digit fits; None for formats that have none."""
    if code_format == "S10":
        return is_valid_s10(code)
    if code_format == "UPS":
        return ups_check_digit(code) == int(code[-1]) if code[-1].isdigit() else False
    if code_format in ("DHL", "SSCC"):
        return gs1_check_digit(code[2:-1]) == int(code[-1])
    if code_format == "USPS":
        return gs1_check_digit(code[-22:-1]) == int(code[-1])
    return None


def is_product_id_shaped(digits: str) -> bool:
    """AliExpress product IDs: 11 digits from 32, 13 from 4000/4001, 16 from 1005/3256."""
    if len(digits) == 16:
        return digits.startswith(("1005", "3256"))
    if len(digits) == 13:
        return digits.startswith(("4000", "4001"))
    return len(digits) == 11 and digits.startswith("32")


@dataclass
class Finding:
    """One number seen in the text, with what it seems to be and why."""

    role: str  # "order", "product", "tracking", "payment", "package", "sku", "invalid_tracking"
    value: str
    where: tuple[int, int]  # (segment, offset), to keep first-appearance order
    snippet: str = ""
    kind: str = ""  # evidence kind, for orders
    label: str = ""
    carrier: str | None = None
    format: str = ""
    check_digit_valid: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class _Number:
    """Digits read from the text; grouped or split numbers span several runs."""

    start: int
    end: int
    digits: str
    note: str | None = None


@dataclass(frozen=True)
class _Label:
    """A label in the text, or a parameter or path in a link."""

    source: str  # "label" or "link"
    category: str  # a key of _LABEL_GROUPS, or a group name of the link patterns
    text: str  # as found
    start: int


def make_snippet(text: str, start: int, end: int, width: int = 80) -> str:
    """Whitespace-collapsed context around text[start:end], at most `width`
    characters. Angle brackets are dropped so no markup ever travels on."""
    room = max(0, width - (end - start))
    left = max(0, start - room // 2)
    right = min(len(text), end + room - (start - left))
    # Start and end on whole words, so the reader sees "Order ID: …", not "der ID: …".
    if left > 0 and text[left - 1].isalnum():
        space = _first_space(text, left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text) and text[right].isalnum():
        space = max(text.rfind(c, end, right) for c in " \t\n")
        right = space if space >= 0 else right
    snippet = text[left:right].replace("<", " ").replace(">", " ")
    return _collapse(snippet)[:width]


def _first_space(text: str, start: int, end: int) -> int:
    found = [i for i in (text.find(c, start, end) for c in " \t\n") if i >= 0]
    return min(found) if found else -1


def _collapse(text: str) -> str:
    return " ".join(text.split())


class DocumentFacts:
    """What is known about the whole document while single numbers are judged."""

    def __init__(self, segments: list[str], senders: list[str], subject_count: int = 0,
                 notes: list[str] | None = None) -> None:
        self.subject_count = subject_count  # segments[:subject_count] are Subject headers
        self.notes = [] if notes is None else notes  # the budget notes what it leaves unread
        self.candidates_left = _MAX_CANDIDATES
        self._all_text = "\n".join(senders + segments)
        self.lowered = self._all_text.lower()
        self.aliexpress = mentions_aliexpress(self.lowered)
        self._first_carrier: str | None | bool = False  # False: not looked up yet

    def spend_candidate(self) -> bool:
        """One more number or code to judge; False once the budget is spent.
        Stopping early keeps every input within its time budget; the first
        thousands of candidates hold any real order mail's evidence."""
        if self.candidates_left <= 0:
            _add_note(self.notes, "stopped_early")
            return False
        self.candidates_left -= 1
        return True

    @property
    def first_carrier(self) -> str | None:
        """The first carrier the document names: in a carrier's own text
        (PostNord, Budbee, Instabox) that is the sender."""
        if self._first_carrier is False:
            match = _CARRIER_RE.search(self._all_text)
            self._first_carrier = _CARRIER_SPELLINGS[match.group(1)] if match else None
        return self._first_carrier


def find_candidates(segments: list[str], facts: DocumentFacts) -> list[Finding]:
    """Stage 3: every number and code in every segment, with its evidence."""
    findings: list[Finding] = []
    for index, text in enumerate(segments):
        code_spans: list[tuple[int, int]] = []
        findings.extend(_codes_in(text, index, code_spans, facts))
        findings.extend(_tracking_params_in(text, index, facts))
        findings.extend(_numbers_in(text, index, code_spans, facts))
    return findings


def _codes_in(text: str, segment: int, spans: list[tuple[int, int]],
              facts: DocumentFacts) -> Iterator[Finding]:
    """Tracking codes with letters (S10, LP, AP, YT, 4PX), by shape."""
    for match in _CODE_TOKEN_RE.finditer(text):
        start, end = match.span()
        if start and text[start - 1].isalnum():
            continue  # part of a longer word
        if end < len(text) and text[end].isalnum():
            continue  # longer than any code we know
        if not facts.spend_candidate():
            return
        code = _without_button_word(match.group())
        end = start + len(code)
        code_format = _tracking_format(code)
        if code_format is None:
            label = _label_before(text, start)
            if label is None or label.category != "tracking":
                continue
            code_format = "other"
        spans.append((start, end))
        yield _tracking_finding(text, code, code_format, segment, start, end, facts)


def _without_button_word(code: str) -> str:
    for word in _BUTTON_WORDS:
        if code.endswith(word) and len(code) > len(word):
            return code[: -len(word)]
    return code


def _tracking_format(code: str) -> str | None:
    for name, shape in _TRACKING_SHAPES:
        if shape.fullmatch(code):
            return name
    return None


def _tracking_finding(text: str, code: str, code_format: str, segment: int,
                      start: int, end: int, facts: DocumentFacts) -> Finding:
    check = tracking_check_digit_valid(code, code_format)
    carrier = _FORMAT_CARRIERS.get(code_format)
    if code_format == "S10":
        # The country code names the postal operator that issued the code.
        carrier = _S10_CARRIERS.get(code[-2:])
    if carrier is None:
        carrier = _carrier_on_line(text, start) or facts.first_carrier
    role = "tracking" if check is not False else "invalid_tracking"
    return Finding(role, code, (segment, start), make_snippet(text, start, end),
                   carrier=carrier, format=code_format, check_digit_valid=check)


def _carrier_on_line(text: str, position: int) -> str | None:
    """A carrier named earlier on the code's own line: "USPS tracking number: …"."""
    window_start = max(0, position - 200)  # bounded: never scan back to the start
    line_start = text.rfind("\n", window_start, position) + 1 or window_start
    last = None
    for match in _CARRIER_RE.finditer(text, line_start, position):
        last = match.group(1)
    return _CARRIER_SPELLINGS[last] if last else None


def _tracking_params_in(text: str, segment: int, facts: DocumentFacts) -> Iterator[Finding]:
    if "rack" not in text and "No=" not in text and "No%3D" not in text:
        return
    for match in _TRACKING_PARAM_RE.finditer(text):
        if not facts.spend_candidate():
            return
        code = match.group(1).upper()
        start, end = match.span(1)
        code_format = _tracking_format(code) or ("numeric" if code.isdigit() else "other")
        yield _tracking_finding(text, code, code_format, segment, start, end, facts)


@dataclass
class _ListState:
    """The last order found in a segment, so that 'N & N' lists carry on."""

    order: Finding | None = None
    end: int = -1


def _numbers_in(text: str, segment: int, code_spans: list[tuple[int, int]],
                facts: DocumentFacts) -> Iterator[Finding]:
    """Every number in the text, judged by what precedes it."""
    previous = _ListState()
    read_up_to = 0
    for match in _NUMBER_START_RE.finditer(text):
        start = match.start()
        if start < read_up_to or _inside_spans(code_spans, start):
            continue  # part of a number read already, or of a tracking code
        if start and "0" <= text[start - 1] <= "9":
            continue  # the tail of a run longer than any number: digit soup
        if not facts.spend_candidate():
            return
        number, label = _read_number(text, start, match.end())
        read_up_to = number.end
        code_end = _end_of_longer_code(text, number.end)
        if code_end is not None:
            # "09980000020033D": the digits begin a longer code; never report a prefix.
            read_up_to = code_end
            if label is not None and label.category == "tracking" and code_end - start <= 40:
                code = text[start:code_end].upper()
                yield _tracking_finding(text, code, "other", segment, start, code_end, facts)
            continue
        if not 6 <= len(number.digits) <= 30:
            continue  # too short to be anything we report; or digit soup
        finding = _judge_number(text, segment, number, label, previous, facts)
        if finding is None:
            continue
        if finding.role == "order":
            previous.order, previous.end = finding, number.end
        if finding.role != "ignore":
            yield finding


# Capitals and digits right after a number, not the start of a word ("Copy", "Order").
_CODE_TAIL_RE = re.compile(r"[A-Z0-9]{1,40}(?![A-Za-z0-9])")


def _end_of_longer_code(text: str, end: int) -> int | None:
    """Where the code ends when capitals stick to the digits ("…0033D")."""
    if end >= len(text) or not "A" <= text[end] <= "Z":
        return None
    match = _CODE_TAIL_RE.match(text, end)
    return match.end() if match else None


def _inside_spans(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether position falls in one of the sorted, non-overlapping spans."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _read_number(text: str, start: int, end: int) -> tuple[_Number, _Label | None]:
    """The number at text[start:end] and the label or link right before it.
    Digits grouped in fours or split over two lines are joined, but only
    right after an order label."""
    single = _Number(start, end, text[start:end])
    if end - start >= 6:
        link = _link_before(text, start)
        if link is not None:
            return single, link
    label = _label_before(text, start)
    if label is not None and label.category in _ORDER_CATEGORIES:
        joined = _grouped_in_fours(text, start) or _split_over_lines(text, start)
        if joined is not None:
            return joined, label
    if label is not None and label.category == "tracking":
        match = _TRACKING_GROUPS_RE.match(text, start)
        if match is not None:
            digits = re.sub(r"[ -]", "", match.group())
            return _Number(start, match.end(), digits, "grouped_digits"), label
    return single, label


# "9400 1112 0108 0805 4830 16": groups of four, the same separator, after a tracking label.
_TRACKING_GROUPS_RE = re.compile(r"[0-9]{4}([ -])(?:[0-9]{4}\1){1,6}[0-9]{1,4}(?![0-9])")


def _grouped_in_fours(text: str, start: int) -> _Number | None:
    """'8123 4567 8901 2345' (last group 2-4 digits) -> one number."""
    match = _GROUPED_RE.match(text, start)
    if match is None:
        return None
    return _Number(start, match.end(), "".join(match.group(1, 3, 4, 5)), "grouped_digits")


def _split_over_lines(text: str, start: int) -> _Number | None:
    """'81234567' + line break or table cell + '89012345' -> one number."""
    match = _SPLIT_RE.match(text, start)
    if match is None or not 14 <= len(match.group(1)) + len(match.group(2)) <= 18:
        return None
    return _Number(start, match.end(), match.group(1) + match.group(2), "split_number_joined")


def _lowered_window(text: str, start: int, size: int) -> tuple[str, int]:
    """text[start - size:start] in lower case, plus one character of left
    context for look-behinds. Returns the window and its offset in text.
    Positions stay valid: the few letters that grow when lower-cased ("İ")
    are left as they are."""
    offset = max(0, start - size - 1)
    window = text[offset:start]
    lowered = window.lower()
    if len(lowered) != len(window):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in window)
    return lowered, offset


def _search_before(pattern: re.Pattern[str], text: str, start: int, size: int,
                   source: str) -> _Label | None:
    """The match of `pattern` (anchored with \\Z) that ends right at `start`."""
    window, offset = _lowered_window(text, start, size)
    match = pattern.search(window, 1 if offset else 0)
    if match is None:
        return None
    category = match.lastgroup or ""
    label_start, label_end = match.span(category)
    label_text = text[offset + label_start:offset + label_end]
    return _Label(source, category, label_text, offset + label_start)


def _label_before(text: str, start: int) -> _Label | None:
    """The label that directly precedes position `start`, if any."""
    if not _may_follow_label(text, start):
        return None
    return _search_before(_LABEL_BEFORE_RE, text, start, _LABEL_WINDOW, "label")


def _may_follow_label(text: str, start: int) -> bool:
    """Cheap pre-check: skip the gap backwards; a label ends in a letter."""
    position = start
    while position > 0 and start - position < 16 and text[position - 1] in _GAP_CHARACTERS:
        position -= 1
    return position > 0 and (text[position - 1].isalpha() or text[position - 1] in "#.°")


def _link_before(text: str, start: int) -> _Label | None:
    """A URL parameter or path right before the digits: 'orderId=', '/item/'."""
    before = text[max(0, start - 5):start].lower()
    if before.endswith(("=", "%3d")):
        found = _search_before(_PARAMETER_BEFORE_RE, text, start, _PARAMETER_WINDOW, "link")
        # Tracking, logging and other parameters: not an order, whatever the digits.
        return found or _Label("link", "other", "", start)
    if before.endswith("/"):
        # Paths are lower case: search the text itself, no lower-cased copy.
        match = _PATH_BEFORE_RE.search(text, max(0, start - _PATH_WINDOW), start)
        if match is not None:
            category = match.lastgroup or ""
            return _Label("link", category, match.group(category), match.start(category))
    return None


def _judge_number(text: str, segment: int, number: _Number, label: _Label | None,
                  previous: _ListState, facts: DocumentFacts) -> Finding | None:
    """What the evidence around one number says it is, strongest first."""
    if label is not None and label.source == "link":
        return _finding_from_link(text, segment, number, label)
    if _tracking_format(number.digits) == "DHL":  # unmistakable, whatever the label says
        return _tracking_finding(text, number.digits, "DHL", segment,
                                 number.start, number.end, facts)
    if label is not None and label.category == "tracking":
        return _tracking_from_label(text, segment, number, facts)
    if label is not None:
        return _finding_from_label(text, segment, number, label, facts)
    if previous.order is not None:
        listed = _continues_order_list(text, segment, number, previous)
        if listed is not None:
            return listed
    if facts.aliexpress:
        return _finding_from_context(text, segment, number)
    return None


def _finding_from_link(text: str, segment: int, number: _Number, link: _Label) -> Finding | None:
    digits, where = number.digits, (segment, number.start)
    snippet = make_snippet(text, number.start, number.end)
    if link.category in ("order", "order_path"):
        # orderId= names an order whatever its first digits (evidence before shape).
        if _order_shaped(digits):
            return Finding("order", digits, where, snippet, LINK, link.text)
        return Finding("ignore", digits, where)
    if link.category in ("product", "product_path"):
        return Finding("product", digits, where, snippet)
    if link.category in ("sku", "payment"):
        return Finding(link.category, digits, where, snippet)
    return Finding("ignore", digits, where)  # tracking, log and other parameters


def _tracking_from_label(text: str, segment: int, number: _Number,
                         facts: DocumentFacts) -> Finding | None:
    """Digits after a tracking label: a known numeric format is checked by its
    check digit; any other run of 8-30 digits is taken as it stands."""
    digits = number.digits
    if not 8 <= len(digits) <= 30:
        return Finding("ignore", digits, (segment, number.start))
    code_format = _tracking_format(digits)
    if code_format not in _NUMERIC_FORMATS:
        code_format = "numeric"
    return _tracking_finding(text, digits, code_format, segment, number.start, number.end, facts)


def _order_shaped(digits: str) -> bool:
    """14 to 16 digits, not starting with 0."""
    return 14 <= len(digits) <= 16 and digits[0] != "0"


def _finding_from_label(text: str, segment: int, number: _Number, label: _Label,
                        facts: DocumentFacts) -> Finding | None:
    digits, where = number.digits, (segment, number.start)
    snippet = make_snippet(text, label.start, number.end)
    category = label.category
    if category in _ORDER_CATEGORIES:
        in_subject = segment < facts.subject_count or _on_subject_line(text, label.start)
        return _order_from_label(text, segment, number, label, snippet, in_subject)
    if category == "product":
        return Finding("product", digits, where, snippet)
    if category in ("package", "payment", "sku"):
        return Finding(category, digits, where, snippet)
    return Finding("ignore", digits, where)  # phone numbers, short tracking numbers


def _order_from_label(text: str, segment: int, number: _Number, label: _Label,
                      snippet: str, in_subject: bool) -> Finding | None:
    digits, note, where = number.digits, number.note, (segment, number.start)
    if len(digits) in (17, 18) and digits[0] != "0":
        # AliExpress package numbers have 17-18 digits ("Tu pedido 3151…0012 de
        # Ecommerce"). Never cut one down to an order number; classify() checks
        # whether it is a list index glued to an order found elsewhere.
        return Finding("long_after_order_label", digits, where, snippet)
    if not _order_shaped(digits):
        return None
    tail = _SUBJECT_TAIL_RE.match(text, number.end)
    explicit = label.category != "order_word" or (tail is not None and in_subject)
    if not explicit and is_product_id_shaped(digits):
        return None  # "Order 1005…" in running text: a product's ID, most likely
    if label.category == "order_list" or (label.category == "order_word" and tail):
        # "Your order N has shipped" reads like a subject; only a subject line is called one.
        if in_subject:
            subject = _subject_label(text, label, number, tail.end() if tail else number.end)
            return Finding("order", digits, where, snippet, SUBJECT, subject, note=note)
    return Finding("order", digits, where, snippet, LABEL, _collapse(label.text), note=note)


# A subject line in pasted text: "Ämne: SV: Order N: order shipped", or a
# subject pasted on its own as the first line: "VB: Order N: order shipped".
_REPLY_PREFIXES = r"(?:(?:re|sv|vs|vl|vb|fw|fwd|aw|wg|tr|odp|rv)[ \t]{0,2}:[ \t]{0,3}){0,4}"
_SUBJECT_HEADER_RE = re.compile(
    r"(?:subject|ämne|betreff|objet|asunto|assunto|emne|aihe|temat|тема|oggetto|onderwerp)"
    r"[ \t]{0,3}:[ \t]{0,3}" + _REPLY_PREFIXES
)
_FIRST_LINE_RE = re.compile(_REPLY_PREFIXES)


def _on_subject_line(text: str, label_start: int) -> bool:
    """Whether the label follows a "Subject:" header on its line, or opens the text."""
    line_start = text.rfind("\n", max(0, label_start - 80), label_start) + 1
    if line_start == 0 and label_start > 80:
        return False  # a long line: not a header line
    before = text[line_start:label_start].lower().lstrip(" \t")
    if _SUBJECT_HEADER_RE.fullmatch(before):
        return True
    return line_start == 0 and _FIRST_LINE_RE.fullmatch(before) is not None


def _subject_label(text: str, label: _Label, number: _Number, tail_end: int) -> str:
    """'Order … : order shipped': the subject with the number left out."""
    rest_end = min(len(text), tail_end + 40)
    line_end = text.find("\n", number.end, rest_end)
    rest = _collapse(text[number.end:rest_end if line_end < 0 else line_end])
    if label.category == "order_list":
        return _collapse(f"{label.text} …")
    return _collapse(f"{label.text} … {rest}")


def _continues_order_list(text: str, segment: int, number: _Number,
                          previous: _ListState) -> Finding | None:
    """'N & N', 'N, N' or 'orderIds=N%2CN': the next item inherits the evidence."""
    order = previous.order
    if order is None or order.kind == CONTEXT:
        return None
    if not _LIST_SEPARATOR_RE.fullmatch(text, previous.end, number.start):
        return None
    if not _order_shaped(number.digits):
        return None
    snippet = make_snippet(text, number.start, number.end)
    where = (segment, number.start)
    return Finding("order", number.digits, where, snippet, order.kind, order.label)


def _finding_from_context(text: str, segment: int, number: _Number) -> Finding | None:
    """A bare number in an AliExpress mail, after an order word nearby
    (e.g. a table header "Order ID | Date" above a row of values)."""
    digits = number.digits
    if not _order_shaped(digits) or digits[0] not in "358" or is_product_id_shaped(digits):
        return None
    if _inside_link_or_word(text, number.start):
        return None
    window, offset = _lowered_window(text, number.start, _CONTEXT_WINDOW)
    last = None
    for match in _LABEL_NEARBY_RE.finditer(window, 1 if offset else 0):
        last = match
    if last is None or last.lastgroup not in _ORDER_CATEGORIES:
        return None
    label = text[offset + last.start():offset + last.end()]
    snippet = make_snippet(text, number.start, number.end)
    return Finding("order", digits, (segment, number.start), snippet, CONTEXT, _collapse(label))


def _inside_link_or_word(text: str, start: int) -> bool:
    """Digits glued to a word or inside a URL-like token ("…/kf/S8123….jpg", "x=8123…")."""
    if start and text[start - 1].isalpha():
        return True
    window_start = max(0, start - 300)  # bounded: never scan back to the start
    token_start = max(text.rfind(c, window_start, start) for c in " \n\t") + 1
    token = text[max(token_start, window_start):start]
    return any(mark in token for mark in ("://", "=", "/", "?", "&", "%", "@"))


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
_ALIEXPRESS_MARKS = ("aliexpress", "ali express", "алиэкспресс", "али экспресс", "速卖通")


def mentions_aliexpress(lowered: str) -> bool:
    return any(mark in lowered for mark in _ALIEXPRESS_MARKS)


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


_SET_ASIDE_KINDS = ("payment", "package", "sku", "invalid_tracking")
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
        if role in _SET_ASIDE_KINDS and finding.value not in orders:
            item = OtherId(finding.value, role, finding.snippet)
            others.setdefault((item.value, item.kind), item)
    return list(others.values())


def _glued_list_index(digits: str, orders: dict[str, Order]) -> bool:
    """'Bestellung 1' + '8301…667' copied from a list reads as 17 digits. Only
    when those 16 digits are an order number found whole elsewhere is the
    long number taken for an index glued to it (and left out)."""
    return digits[-16:] in orders and digits[0] != "0"


def _add_note(notes: list[str], code: str) -> None:
    if code not in notes:  # a handful of fixed codes: a list is fine
        notes.append(code)


# ---------------------------------------------------------------------------
# Stage 5: public API
# ---------------------------------------------------------------------------


def extract(data: str | bytes) -> Result:
    """Find the AliExpress order numbers in a pasted mail, page or source.

    Raises InputTooLarge past MAX_INPUT_BYTES and UnreadableInput for
    binary data; both are ExtractionError (a ValueError).
    """
    document = decode(data)
    notes = document.notes
    segments = [normalize(text, notes) for text in document.subjects + document.texts]
    if document.links:
        segments.append(normalize("\n".join(document.links), notes))
    facts = DocumentFacts(segments, document.senders, len(document.subjects), notes)
    findings = find_candidates(segments, facts)
    return classify(findings, other_shop(facts.lowered, document.senders), notes)


# Characters a terminal or a text field may act on rather than show: DEL and
# the C1 controls (CSI, OSC), line and paragraph separators, bidi and other
# format characters. json.dumps escapes only C0; these are escaped too.
_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


def _dumps(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = _without_surrogates(text)  # always encodable as UTF-8
    return _JSON_UNSAFE_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def to_json(result: Result) -> str:
    """Canonical JSON: the same bytes in CPython and Pyodide, valid UTF-8,
    with every control character escaped."""
    return _dumps(result.to_dict())


def run_json(data: str | bytes) -> str:
    """What the browser calls. Never raises: input that cannot be read, for
    whatever reason, gives {"error": ...}."""
    try:
        return to_json(extract(data))
    except ExtractionError as error:
        code = error.code
    except (MemoryError, RecursionError, Exception):  # noqa: BLE001 - never crash the page
        code = UnreadableInput.code
    return _dumps({"error": {"code": code, "limit_bytes": MAX_INPUT_BYTES}})


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _read_input(path: str | None) -> bytes:
    """At most one byte past the cap, so a huge file is refused cheaply."""
    if path is None or path == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    with open(path, "rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def _summary(result: Result) -> str:
    lines = []
    if result.not_aliexpress:
        lines.append(f"This looks like an order mail from {result.shop}, not AliExpress.")
    if result.order_numbers:
        lines.append("Order number(s): " + ", ".join(result.order_numbers))
    else:
        lines.append("No AliExpress order number found.")
    if result.tracking:
        codes = [f"{t.value} ({t.carrier})" if t.carrier else t.value for t in result.tracking]
        lines.append("Tracking number(s), not order numbers: " + ", ".join(codes))
    if result.product_ids:
        lines.append("Product ID(s), not order numbers: " + ", ".join(result.product_ids))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Find AliExpress order numbers in an e-mail.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("path", nargs="?", help="file to read; '-' or nothing reads stdin")
    args = parser.parse_args(argv)
    try:
        result = extract(_read_input(args.path))
        output = to_json(result) + "\n" if args.json else _summary(result)
    except OSError as error:
        return _cannot_read(f"cannot read {args.path}: {error.strerror or error}")
    except ExtractionError as error:
        return _cannot_read(str(error))
    except (MemoryError, RecursionError, Exception) as error:  # noqa: BLE001 - one line, no traceback
        return _cannot_read(f"could not read the input ({type(error).__name__})")
    sys.stdout.buffer.write(output.encode("utf-8", errors="replace"))
    sys.stdout.flush()
    return 0 if result.orders else 1


def _cannot_read(message: str) -> int:
    """Exit status 2 and one line on stderr: the input could not be read.
    (0 and 1 mean an order number was, or was not, found.)"""
    line = " ".join(_without_surrogates(message).split())
    sys.stderr.write(f"order_number: {line}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
