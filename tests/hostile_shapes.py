"""Hostile input shapes from the security review (2026-11-security.md, H1, H2,
M1, M2, M3, L5), generated at any size. Used by tests/test_order_number_hostile.py
(exit code, valid JSON, peak memory) and bench/bench_extractor.py (CPU time
at two sizes, so growth shows as linear).

Each generator returns exactly `size` bytes or fewer, never more, so a shape
at MAX_INPUT_BYTES is searched rather than refused.
"""

from __future__ import annotations

import base64
from typing import Callable

ORDER = "8123456789012345"
HEAD = b"From: AliExpress <transaction@notice.aliexpress.com>\r\nTo: a@example.se\r\n"


def _repeat(prefix: bytes, unit: bytes, suffix: bytes, size: int) -> bytes:
    count = max(0, (size - len(prefix) - len(suffix)) // len(unit))
    return prefix + unit * count + suffix


def encoded_words(size: int) -> bytes:
    """H1: RFC 2047 words in Subject (the email header parser went to 4 GB)."""
    word = b"=?utf-8?b?T3JkZXIgSUQ6IDgxMjM0NTY3ODkwMTIzNDU=?= "
    return _repeat(HEAD + b"Subject: ", word, b"\r\n\r\nHello\r\n", size)


def rfc2231_parameters(size: int) -> bytes:
    """H2: Content-Type with thousands of RFC 2231 continuations (quadratic)."""
    return _repeat(HEAD + b"Subject: hi\r\nContent-Type: text/plain", b"; a*0*=x",
                   b"\r\n\r\nOrder ID: " + ORDER.encode() + b"\r\n", size)


def plain_parameters(size: int) -> bytes:
    return _repeat(HEAD + b"Subject: hi\r\nContent-Type: text/plain", b"; a=x",
                   b"\r\n\r\nOrder ID: " + ORDER.encode() + b"\r\n", size)


def long_subject(size: int) -> bytes:
    return _repeat(HEAD + b"Subject: ", b"word ", b"\r\n\r\nOrder ID: " + ORDER.encode() + b"\r\n", size)


def folded_subject(size: int) -> bytes:
    return _repeat(HEAD + b"Subject: x", b"\r\n word", b"\r\n\r\nOrder ID: " + ORDER.encode() + b"\r\n", size)


def many_headers(size: int) -> bytes:
    return _repeat(HEAD + b"Subject: hi\r\n", b"X-A: b\r\n", b"\r\nOrder ID: " + ORDER.encode() + b"\r\n", size)


def part_headers(size: int) -> bytes:
    """H2 inside a part: one MIME part with hundreds of thousands of header lines."""
    return _repeat(HEAD + b"Subject: hi\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
                   b"--a\r\nContent-Type: text/plain\r\n", b"X-A: b\r\n",
                   b"\r\nOrder ID: " + ORDER.encode() + b"\r\n--a--\r\n", size)


def many_parts(size: int) -> bytes:
    """M2: 60 000 MIME parts took 22 s."""
    return _repeat(HEAD + b"Subject: hi\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n",
                   b"--a\r\nContent-Type: text/plain\r\n\r\nhi\r\n", b"--a--\r\n", size)


def nested_boundary(size: int) -> bytes:
    """M2: the same boundary nested thousands deep."""
    return _repeat(HEAD + b"Subject: hi\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n",
                   b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n", b"", size)


def _numbered(prefix: bytes, item: bytes, size: int) -> bytes:
    """prefix + item % 0, item % 1, …: distinct numbers, `size` bytes at most."""
    pieces, length, i = [prefix], len(prefix), 0
    while length < size - 40:
        piece = item % i
        pieces.append(piece)
        length += len(piece)
        i += 1
    return b"".join(pieces)[:size]


def labelled_orders(size: int) -> bytes:
    """M1: 100 000 labelled order numbers."""
    return _numbered(b"AliExpress\n", b"Order ID: 8%015d\n", size)


def order_list(size: int) -> bytes:
    """M1: 'N & N & …' after one label."""
    return _numbered(b"AliExpress\nOrder ID: ", b"8%015d & ", size)


def tracking_codes(size: int) -> bytes:
    return _repeat(b"AliExpress\n", b"LP00112233445566 ", b"", size)


def short_runs(size: int) -> bytes:
    """M2 13h: 'order: 1 2 ' (every digit a candidate start)."""
    return _repeat(b"AliExpress\n", b"order: 1 2 ", b"", size)


def letter_digit_tokens(size: int) -> bytes:
    """M2 13o: 'ABCD1234567 ' (every token a code candidate)."""
    return _repeat(b"AliExpress\n", b"ABCD1234567 ", b"", size)


def nfkc_expansion(size: int) -> bytes:
    """M2 17: U+FDFA grows eighteenfold under NFKC."""
    return _repeat(b"Order ID: " + ORDER.encode() + b"\n", "\ufdfa".encode(), b"", size)


def unterminated_attributes(size: int) -> bytes:
    return _repeat(b"<html><body><p>Order ID: " + ORDER.encode() + b"</p>", b'<a title="x ', b"", size)


def base64_one_line(size: int) -> bytes:
    raw_size = (size - 200) * 3 // 4
    body = base64.b64encode((b"Order ID: " + ORDER.encode() + b" " + b"x" * raw_size)[:raw_size])
    return (HEAD + b"Subject: hi\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + body)[:size]


def bidi_and_invisible(size: int) -> bytes:
    return _repeat(b"AliExpress\n", "Order ID: \u202e8123\ufe0f4567\U000e00208901\u31642345\u202c ".encode(), b"", size)


SHAPES: dict[str, Callable[[int], bytes]] = {
    "encoded words": encoded_words,
    "RFC 2231 parameters": rfc2231_parameters,
    "plain parameters": plain_parameters,
    "long subject": long_subject,
    "folded subject": folded_subject,
    "many headers": many_headers,
    "part headers": part_headers,
    "many parts": many_parts,
    "nested boundary": nested_boundary,
    "labelled orders": labelled_orders,
    "order list": order_list,
    "tracking codes": tracking_codes,
    "short digit runs": short_runs,
    "letter-digit tokens": letter_digit_tokens,
    "NFKC expansion": nfkc_expansion,
    "unterminated attributes": unterminated_attributes,
    "base64 on one line": base64_one_line,
    "bidi and invisible": bidi_and_invisible,
}

# Charsets a mail may name that are not text encodings, or are escape codecs.
UNSAFE_CHARSETS = [
    "unicode_escape", "raw_unicode_escape", "unicode-escape", "utf-7", "punycode", "idna",
    "rot13", "rot_13", "base64", "base64_codec", "hex", "zlib", "bz2", "uu", "quopri", "undefined",
]


def unsafe_charset_mail(charset: str) -> bytes:
    return (HEAD + b"Subject: hi\r\nContent-Type: text/plain; charset=" + charset.encode()
            + b"\r\n\r\nOrder ID: " + ORDER.encode() + b" \\ud800 \\x9b \xff\xfe\r\n")


def unsafe_meta_page(charset: str) -> bytes:
    return (b"<html><head><meta charset=" + charset.encode() + b"></head><body><p>Order ID: "
            + ORDER.encode() + b" \\ud800 \xff</p></body></html>")
