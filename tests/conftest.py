"""Shared fixtures: the built site, a local HTTP server for it, and a real Chromium; the test layers.

`make test` and `make check` build the site strictly into site/ before pytest starts (the one strict
build of a run); these fixtures only read it. The browser is Debian's Chromium where it exists (CI
and these machines), else Playwright's own. A missing browser fails the run; it is never a skip.

Layers (markers registered in pytest.ini), given here by test file so no test file needs a marker
(a file named test_*_browser.py is a browser file without being listed):
unit (the extractor, in CPython and Pyodide), build (the built site and the hooks), content (the
pages' text), browser (real Chromium). A test is a browser test exactly when it uses the `browser`
fixture, directly or through `open_page`, whatever its file; a test in a browser file that does not
is a build test. `make check` runs everything but `browser`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from site_server import CHROMIUM_FLAGS, chromium_executable, serve_site

ROOT = Path(__file__).resolve().parent.parent
# SITE_DIR lets a developer test a build kept apart from the site/ that `make serve` rewrites.
SITE = Path(os.environ.get("SITE_DIR", ROOT / "site")).resolve()
DOCS = ROOT / "docs"
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def load_mkdocs_yml() -> dict:
    """mkdocs.yml as data; the Python objects it names (the emoji index) are irrelevant here."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    Loader.add_constructor("!ENV", lambda loader, node: None)  # site_url: not needed by the tests
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def _built_languages() -> list[dict]:
    plugins = load_mkdocs_yml()["plugins"]
    i18n = next(plugin["i18n"] for plugin in plugins if isinstance(plugin, dict) and "i18n" in plugin)
    return [lang for lang in i18n["languages"] if lang.get("build", True)]


# The languages come from mkdocs.yml, default first, so a new language is tested without edits here.
DEFAULT_LANGUAGE = next(lang["locale"] for lang in _built_languages() if lang.get("default"))
LANGUAGES = (DEFAULT_LANGUAGE,) + tuple(
    lang["locale"] for lang in _built_languages() if lang["locale"] != DEFAULT_LANGUAGE
)


def page_names() -> list[str]:
    """Every page, by its file name under docs/sv/ (the default language is the reference)."""
    return sorted(p.relative_to(DOCS / DEFAULT_LANGUAGE).as_posix() for p in (DOCS / DEFAULT_LANGUAGE).rglob("*.md"))


def page_url_path(name: str, lang: str) -> str:
    """The URL path of a page as MkDocs builds it (use_directory_urls)."""
    stem = name[: -len(".md")]
    stem = "" if stem == "index" else stem.removesuffix("/index") + "/"
    prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
    return "/" + prefix + stem


def built_html(name: str, lang: str) -> Path:
    return SITE / page_url_path(name, lang).lstrip("/") / "index.html"


# ---------------------------------------------------------------- layers

TEST_LAYERS = {
    "test_order_number.py": "unit",
    "test_order_number_properties.py": "unit",
    "test_order_number_pyodide.py": "unit",
    "test_order_number_hostile.py": "unit",
    "test_hooks.py": "build",
    "test_site_build.py": "build",
    "test_hosting.py": "build",
    "test_facts.py": "build",  # the hook, the facts file, the built pages
    "test_content.py": "content",
    "test_site_browser.py": "browser",
    "test_tool_browser.py": "browser",
    "test_tool_runtime.py": "build",
    "test_lighthouse.py": "browser",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="save full-page screenshots into test-artifacts/screenshots/ (`make screenshots`)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        layer = TEST_LAYERS.get(name) or ("browser" if name.endswith("_browser.py") else None)
        if layer is None:
            raise pytest.UsageError(f"{name} has no test layer: add it to TEST_LAYERS in tests/conftest.py")
        if "browser" in getattr(item, "fixturenames", ()):
            layer = "browser"
        elif layer == "browser":
            layer = "build"  # a check on the built files that happens to sit beside browser tests
        item.add_marker(getattr(pytest.mark, layer))


# ---------------------------------------------------------------- the built site and its server


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail("site/ is not built: run `make test` (it builds first) or `make build`")
    return SITE


@pytest.fixture(scope="session")
def server_url(site_dir: Path) -> Iterator[str]:
    server, url = serve_site(site_dir)
    yield url
    server.shutdown()


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the Makefile installs it
        pytest.fail("Playwright is not installed: run `make test`")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_FLAGS, headless=True
            )
        except Exception as error:  # a missing browser is a failure, never a skip
            pytest.fail(f"Chromium could not start: {error}")
        yield launched
        launched.close()


@dataclass
class WatchedPage:
    """A page plus everything it did that a test may want to assert on."""

    page: object
    context: object
    server_url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server_url + path, wait_until="load")
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"


def _watch(context: object, page: object, server_url: str) -> WatchedPage:
    watched = WatchedPage(page=page, context=context, server_url=server_url)
    origin = urlsplit(server_url).netloc

    def on_request(request: object) -> None:
        watched.requests.append(request.url)
        if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and urlsplit(request.url).netloc != origin:
            watched.foreign_requests.append(request.url)

    def on_response(response: object) -> None:
        if response.status >= 400:
            watched.failed_requests.append(f"{response.status} {response.url}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda request: watched.failed_requests.append(f"failed {request.url}"))
    page.on("console", lambda msg: msg.type == "error" and watched.console_errors.append(msg.text))
    page.on("pageerror", lambda error: watched.console_errors.append(f"pageerror: {error}"))
    return watched


@pytest.fixture
def open_page(browser: object, server_url: str) -> Iterator[Callable[..., WatchedPage]]:
    """open_page(path, **context_options) -> WatchedPage, in a fresh browser context."""
    contexts = []

    def opener(path: str | None = None, **context_options: object) -> WatchedPage:
        context = browser.new_context(**context_options)
        contexts.append(context)
        # Anything not addressed to the test server would leave the machine: block it, and record it.
        origin = urlsplit(server_url).netloc
        context.route(
            lambda url: urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin,
            lambda route: route.abort(),
        )
        watched = _watch(context, context.new_page(), server_url)
        if path is not None:
            watched.goto(path)
        return watched

    yield opener
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- checks shared by browser tests


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail("node_modules/axe-core is missing: run `make test` (npm ci)")
    return AXE_JS.read_text(encoding="utf-8")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_violations(axe_source: str) -> Callable[[object], list[dict]]:
    """Run axe-core (WCAG 2.0 and 2.1, A and AA) on the page as it is now; return the violations."""

    def run(page: object, rules: list[str] | None = None) -> list[dict]:
        """rules: only these axe rules (ids), for a check that needs no other."""
        # evaluate() runs through the DevTools protocol, so the page's CSP does not block axe itself.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
        result = page.evaluate(
            "only => axe.run(document, {runOnly: only, resultTypes: ['violations']})",
            only,
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return run


def describe_violations(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[object, str], Path | None]:
    """Save a full-page PNG into test-artifacts/screenshots/ (git-ignored) for a person to look at.

    Only with `--screenshots` (`make screenshots`): nothing asserts on them, and they cost about a
    minute per run.
    """
    if not request.config.getoption("--screenshots"):
        return lambda page, name: None
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: object, name: str) -> Path:
        path = folder / (re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".png")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
COLOR_SCHEMES = ("light", "dark")
