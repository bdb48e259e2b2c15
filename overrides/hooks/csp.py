"""Content-Security-Policy for every page: one policy, written twice.

* As a `<meta http-equiv>` tag in each page (overrides/main.html holds the placeholder). Material
  renders a few small inline scripts; instead of allowing every inline script, we hash the ones each
  page actually has.
* As `site/_headers` (the format Netlify and Cloudflare Pages read; other hosts: see README), which
  also covers what a meta tag cannot reach: the Web Worker that runs Python gets its policy from the
  response headers of its own script. The test server reads the same file.

`connect-src 'self'` is the point: even a bug cannot send a pasted mail to another host.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

import i18n  # overrides/hooks/i18n.py: MkDocs puts this folder on sys.path while loading a hook

PLACEHOLDER = "__CSP__"

# 'wasm-unsafe-eval' lets the Pyodide worker compile WebAssembly; it does not allow eval().
# Styles stay 'unsafe-inline' because Material sets style attributes; styles cannot send data.
BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# Only honoured as a header, not in a meta tag.
HEADER_ONLY: dict[str, list[str]] = {"frame-ancestors": ["'none'"]}

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


# `mkdocs serve` injects an inline live-reload script whose text changes on every request, so it
# cannot be hashed. Only there, inline scripts are allowed instead of hashed.
_serving = False


def on_startup(command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def render_policy(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


def _inline_script_hashes(html: str) -> list[str]:
    """sha256 sources for inline scripts the browser would execute (JSON data blocks are not run)."""
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if "src=" in attrs or "application/json" in attrs or "application/ld+json" in attrs:
            continue
        if "type=" in attrs and "module" not in attrs and "javascript" not in attrs:
            raise PluginError(f"csp: inline script with unknown type: <script{attrs}>")
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return hashes


def page_policy(html: str) -> dict[str, list[str]]:
    if _serving:
        return {**BASE_POLICY, "script-src": BASE_POLICY["script-src"] + ["'unsafe-inline'"]}
    hashes = sorted(set(_inline_script_hashes(html)))
    return {**BASE_POLICY, "script-src": BASE_POLICY["script-src"] + hashes}


@event_priority(-200)  # after every other plugin has finished changing the page
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if output.count(PLACEHOLDER) != 1:
        raise PluginError(f"csp: expected one {PLACEHOLDER} placeholder in {page.file.src_uri}")
    return output.replace(PLACEHOLDER, render_policy(page_policy(output)))


@event_priority(-200)
def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """Static templates (404.html) extend main.html too, but are not pages."""
    if template_name.endswith(".html") and PLACEHOLDER in output_content:
        return output_content.replace(PLACEHOLDER, render_policy(page_policy(output_content)))
    return output_content


def header_policy(site_dir: Path) -> str:
    """One policy for every file: the union of all built pages' inline-script hashes."""
    hashes: set[str] = set()
    for html in site_dir.rglob("*.html"):
        hashes.update(_inline_script_hashes(html.read_text(encoding="utf-8")))
    policy = {**BASE_POLICY, **HEADER_ONLY}
    policy["script-src"] = BASE_POLICY["script-src"] + sorted(hashes)
    return render_policy(policy)


@event_priority(-200)
def on_post_build(config: MkDocsConfig) -> None:
    if i18n.is_nested_build(config):
        return  # a nested per-language build; the outer call sees every page
    headers = (
        "/*\n"
        f"  Content-Security-Policy: {header_policy(Path(config.site_dir))}\n"
        "  Referrer-Policy: no-referrer\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()\n"
    )
    Path(config.site_dir, "_headers").write_text(headers, encoding="utf-8")
