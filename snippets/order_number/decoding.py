"""Stage 1, decode: bytes -> Document (mail source, HTML or plain text)."""

from __future__ import annotations

import binascii
import codecs
import email
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.policy import Compat32
from typing import Iterator

from .base import (
    InputTooLarge,
    MAX_INPUT_BYTES,
    UnreadableInput,
    _MAX_ALL_HEADER_LINES,
    _MAX_BOUNDARY_LINES,
    _MAX_HEADER_CHARS,
    _MAX_HEADER_LINES,
    _MAX_PARTS,
    _SURROGATE_RE,
    _without_surrogates,
)


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
