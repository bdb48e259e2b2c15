"""What every stage shares: the input cap, the errors, the work budget and its notes."""

from __future__ import annotations

import re


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


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """Lone surrogates cannot be written as UTF-8: each becomes U+FFFD."""
    return _SURROGATE_RE.sub("\ufffd", text)


def _add_note(notes: list[str], code: str) -> None:
    if code not in notes:  # a handful of fixed codes: a list is fine
        notes.append(code)
