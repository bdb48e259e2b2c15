"""What the tests and the browser benchmark share: a localhost server for the built site that
behaves like the static hosts in the README, and how to start Chromium here.

Used by the tests (through conftest's fixtures) and by `tests/bench/bench_browser.py`.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from functools import partial
from pathlib import Path

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


def read_headers_file(site: Path) -> dict[str, str]:
    """The headers the build wrote for static hosts (site/_headers, `/*` block only)."""
    path = site / "_headers"
    headers: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(" ") and ":" in line:
                name, value = line.strip().split(":", 1)
                headers[name.strip()] = value.strip()
    return headers


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves site/ like a static host: right MIME types, the _headers, and a cache policy."""

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
    site_headers: dict[str, str] = {}
    cache_assets = False

    def end_headers(self) -> None:
        for name, value in self.site_headers.items():
            self.send_header(name, value)
        # What the README recommends to hosts: assets cached (they carry ?v= or a versioned runtime),
        # pages revalidated. Tests revalidate everything, so each run sees the newest build.
        cached = self.cache_assets and self.path.startswith("/assets/")
        self.send_header("Cache-Control", "public, max-age=604800" if cached else "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def serve_site(site: Path, *, cache_assets: bool = False) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving `site` on a free loopback port in a daemon thread; returns (server, base URL)."""
    handler = type(
        "Handler", (SiteHandler,), {"site_headers": read_headers_file(site), "cache_assets": cache_assets}
    )
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
