"""Stage 2, normalize: text -> text, undoing what copying does."""

from __future__ import annotations

import re
import unicodedata

from .base import _add_note, _without_surrogates
from .decoding import unescape_entities


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
