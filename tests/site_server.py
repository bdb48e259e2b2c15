"""What the tests and the browser benchmark share: a localhost server for the built site that
behaves like the static hosts in the README, and how to start Chromium here.

Used by the tests (through conftest's fixtures) and by `tests/bench/bench_browser.py`.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import sys
import threading
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

# Headless, and nothing that calls home: this machine has no network but the package registries.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """Debian's Chromium if installed (or $CHROMIUM); None lets Playwright use its own download."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


HeaderRules = list[tuple["re.Pattern[str]", list[tuple[str, str]]]]


def _path_pattern(rule: str) -> "re.Pattern[str]":
    """A `_headers` path as Netlify and Cloudflare Pages match it: `*` takes the rest of the path
    (slashes too), `:name` one segment, anything else literally."""
    parts = []
    for part in re.split(r"(\*|:\w+)", rule):
        if part == "*":
            parts.append(".*")
        elif part.startswith(":"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(part))
    return re.compile("".join(parts))


def read_headers_file(site: Path) -> HeaderRules:
    """The rules in site/_headers: each block's path pattern and its (name, value) lines, in order."""
    path = site / "_headers"
    rules: HeaderRules = []
    if not path.exists():
        return rules
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((_path_pattern(line.strip()), []))
        elif ":" in line and rules:
            name, value = line.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
        else:
            raise ValueError(f"{path}:{number}: not a path, nor a header under one: {line!r}")
    return rules


def headers_for(rules: HeaderRules, url_path: str) -> dict[str, str]:
    """Every matching block's headers; a header set by several blocks gets their values joined with
    ", " (for Content-Security-Policy that means each policy applies)."""
    headers: dict[str, str] = {}
    for pattern, lines in rules:
        if pattern.fullmatch(url_path):
            for name, value in lines:
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves site/ like a static host: right MIME types, the _headers rules per path, and a cache policy."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".py": "text/x-python; charset=utf-8",
        ".zip": "application/zip",
        ".bin": "application/octet-stream",
    }
    header_rules: HeaderRules = []
    cache_assets = False

    def send_head(self):  # noqa: ANN201 - stdlib signature
        # Netlify and Cloudflare read _headers and never serve it.
        if urlsplit(self.path).path == "/_headers":
            self.send_error(404)
            return None
        return super().send_head()

    def end_headers(self) -> None:
        headers = headers_for(self.header_rules, urlsplit(self.path).path)
        # Tests revalidate everything, so each run sees the newest build; the benchmark caches
        # what _headers says may be cached.
        if not self.cache_assets or "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-cache"
        for name, value in headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # A browser that closes while a download is under way (a test ends during the tool's
        # background fetch of the snapshot) is not a server error; anything else is printed.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def serve_site(
    site: Path, *, cache_assets: bool = False, send_headers: bool = True
) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving `site` on a free loopback port in a daemon thread; returns (server, base URL).

    send_headers=False serves like a host that ignores _headers (GitHub Pages, a bare bucket).
    """
    rules = read_headers_file(site) if send_headers else []
    handler = type("Handler", (SiteHandler,), {"header_rules": rules, "cache_assets": cache_assets})
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
