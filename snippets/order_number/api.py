"""Stage 5, the public API: extract(), to_json() and run_json()."""

from __future__ import annotations

import json
import re

from .base import ExtractionError, MAX_INPUT_BYTES, UnreadableInput, _without_surrogates
from .result import Result
from .decoding import decode
from .normalizing import normalize
from .finding import DocumentFacts, find_candidates
from .reconciling import classify, other_shop


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
