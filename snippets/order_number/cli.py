"""The command line: python snippets/order_number [--json] [PATH|-]."""

from __future__ import annotations

import argparse
import sys

from .base import ExtractionError, MAX_INPUT_BYTES, _without_surrogates
from .result import Result
from .api import extract, to_json


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
