"""The extractor gives byte-identical JSON in Pyodide (the browser) and CPython.

All inputs go through ONE Node process running tests/pyodide_runner.mjs,
because starting Pyodide takes a few seconds. Without Node or
node_modules/pyodide the tests are skipped locally, and fail when the CI
environment variable is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "mails"
RUNNER = ROOT / "tests" / "pyodide_runner.mjs"
PYODIDE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"
sys.path.insert(0, str(ROOT / "snippets"))

sys.path.insert(0, str(ROOT / "tests"))

import hostile_shapes as hs  # noqa: E402
import order_number as on  # noqa: E402

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.name != "expected.json")
# Inputs that are not fixtures: error paths and odd encodings, written at run time.
EXTRA_INPUTS = {
    "too-large.bin": b"Order ID: 8123456789012345\n" * (on.MAX_INPUT_BYTES // 27 + 1),
    "png.bin": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "empty.txt": b"",
    "invalid-utf8.txt": b"Bestellnummer: 8123456789012345 \xff\xfe\x80 f\xfcr Sie",
    "utf16-be.txt": "\ufeffOrder ID: 8123456789012345\n".encode("utf-16-be"),
    "nested-multipart.eml": b"From: x\r\nSubject: y\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
    + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 300,
    "unclosed-script.html": b"<p>AliExpress</p><p>Order ID: 8123456789012345</p><script>Order ID: 8123456789012346",
    "rare-unicode.txt": "AliExpress İstanbul ǅ ẞ ﬁ ㎏ \U0001d7d6 Order ID: 8123456789012345".encode(),
    # Issue 13: unsafe charsets, controls, other digits, UTF-16 without a BOM.
    "unicode-escape.eml": hs.unsafe_charset_mail("unicode_escape"),
    "raw-unicode-escape.html": hs.unsafe_meta_page("raw_unicode_escape"),
    "rot13.eml": hs.unsafe_charset_mail("rot13"),
    "c1-controls.txt": "AliExpress Order ID: 8123456789012345 \u009d0;T\u009c \u009b31m \u2028".encode(),
    "arabic-digits.txt": "Order ID: ٨١٢٣٤٥٦٧٨٩٠١٢٣٤٥".encode(),
    "utf16le-no-bom.txt": "AliExpress\r\nOrder ID: 8123456789012345\r\n".encode("utf-16-le"),
}
# Hostile shapes from the security review, at 1 MiB (the CPython tests run
# some at the cap). The runner measures their peak memory with tracemalloc.
HOSTILE_SHAPES = ["encoded words", "RFC 2231 parameters", "folded subject", "many parts",
                  "nested boundary", "labelled orders", "NFKC expansion", "short digit runs"]
for _shape in HOSTILE_SHAPES:
    EXTRA_INPUTS["hostile-" + _shape.replace(" ", "-") + ".eml"] = hs.SHAPES[_shape](1024 * 1024)
PEAK_LIMIT = 300 * 1024 * 1024


def ci_is_set() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if ci_is_set():
        pytest.fail(f"{reason} (required because CI is set)")
    pytest.skip(reason)


def run_corpus(node: str, extra_dir: Path, env: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """Every fixture and extra input through the Pyodide runner in one Node process:
    ({input name: run_json output}, the runner's stderr)."""
    inputs = {name: FIXTURES / name for name in FIXTURE_NAMES}
    for name, data in EXTRA_INPUTS.items():
        (extra_dir / name).write_bytes(data)
        inputs[name] = extra_dir / name
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps([str(path) for path in inputs.values()]).encode(),
        capture_output=True,
        timeout=600,
        env=env,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr
    lines = done.stdout.decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(inputs), stderr
    return dict(zip(inputs, lines)), stderr


@pytest.fixture(scope="session")
def pyodide_run(tmp_path_factory) -> tuple[dict[str, str], str]:
    """({input name: run_json output}, the runner's stderr) from one Node process."""
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require(PYODIDE.is_file(), "node_modules/pyodide is missing: run npm ci")
    return run_corpus(node, tmp_path_factory.mktemp("pyodide-inputs"))


@pytest.mark.parametrize("name", FIXTURE_NAMES + sorted(EXTRA_INPUTS))
def test_pyodide_gives_the_same_json_as_cpython(pyodide_run, name):
    data = EXTRA_INPUTS[name] if name in EXTRA_INPUTS else (FIXTURES / name).read_bytes()
    assert pyodide_run[0][name] == on.run_json(data)


def test_runner_used_the_browsers_python(pyodide_run):
    assert "pyodide_runner: Python 3.14." in pyodide_run[1]


@pytest.mark.parametrize("name", sorted(n for n in EXTRA_INPUTS if n.startswith("hostile-")))
def test_hostile_shape_stays_within_the_memory_budget_in_pyodide(pyodide_run, name):
    peaks = dict(re.findall(r"pyodide_runner: peak (\S+) (\d+)", pyodide_run[1]))
    assert 0 < int(peaks[name]) < PEAK_LIMIT
    assert "error" not in json.loads(pyodide_run[0][name])
