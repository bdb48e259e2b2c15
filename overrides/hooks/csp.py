"""Content-Security-Policy and the other response headers: a meta tag in each page, `site/_headers`.

* Each page carries its policy as a `<meta http-equiv>` tag (overrides/main.html holds the
  placeholder). Material renders a few small inline scripts; instead of allowing every inline script,
  we hash the ones each page actually has. Only the page that starts the Python worker allows
  `'wasm-unsafe-eval'` (for browsers that give a worker its page's policy).
* `site/_headers` (the format Netlify and Cloudflare Pages read; nginx: tests/hosting/nginx.conf
  sends the same, and a test checks that it does) has one block per path pattern:
  - `/*`: the directives a meta tag cannot carry (`frame-ancestors`) plus `connect-src 'self'` for
    every response, and Referrer-Policy, nosniff, Permissions-Policy, COOP and CORP;
  - the worker script that runs Python gets its own policy, the only one with
    `'wasm-unsafe-eval'`. A worker takes its policy from its own response headers, never from the
    page; on a host that sends no headers the worker cuts its own network (see README, "Hosting");
  - versioned assets (a content hash in the name or in `?v=`) may be cached for a year.
  A host sends every matching block, and joins two values of one header with a comma: for CSP that
  means both policies apply.

`connect-src 'self'` is the point: a pasted mail is not sent to another host. CSP does not govern
navigation (a link or `location = …`); the tool builds links from digits only.
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

# Styles stay 'unsafe-inline' because Material sets style attributes; styles cannot send data.
BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# For every response, as a header: what a meta tag cannot carry, and no connection to another host.
# It restricts no script, so it needs none of the pages' inline-script hashes.
ALL_RESPONSES_POLICY: dict[str, list[str]] = {
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# The worker that runs Python, the one place that compiles WebAssembly. 'wasm-unsafe-eval' allows
# exactly that; it does not allow eval().
PYTHON_WORKER = "/assets/order-tool/worker.js"
PYTHON_WORKER_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "connect-src": ["'self'"],
    "worker-src": ["'none'"],
    "object-src": ["'none'"],
}
ALL_RESPONSES_HEADERS = {
    "Content-Security-Policy": None,  # ALL_RESPONSES_POLICY
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # No other site's window keeps a handle on ours (a tab-napping opener), and no other site may
    # embed our files.
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Paths whose URL changes whenever their content does: Material's hashed file names, ?v= on our
# stylesheets and favicon (site_files.py), and the tool's and Pyodide's versioned URLs (order_tool.py).
VERSIONED_PATHS = (
    "/assets/stylesheets/*",
    "/assets/javascripts/workers/*",
    "/assets/order-tool/*",
    "/assets/pyodide/*",
    "/assets/favicon.svg",
)
MATERIAL_BUNDLE = re.compile(r"bundle\.[0-9a-f]{8}\.min\.js(\.map)?")
CACHE_VERSIONED = "public, max-age=31536000, immutable"

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


def starts_python(html: str) -> bool:
    """Whether the page starts the Python worker (the tool's config names the worker's URL)."""
    return PYTHON_WORKER.removeprefix("/") in html


def page_policy(html: str) -> dict[str, list[str]]:
    script_src = list(BASE_POLICY["script-src"])
    # Browsers that give a dedicated worker its page's policy (older Safari) need it on the page too;
    # every other page compiles no WebAssembly.
    if starts_python(html):
        script_src.append("'wasm-unsafe-eval'")
    if _serving:
        return {**BASE_POLICY, "script-src": script_src + ["'unsafe-inline'"]}
    return {**BASE_POLICY, "script-src": script_src + sorted(set(_inline_script_hashes(html)))}


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


def headers_file(site_dir: Path) -> str:
    """site/_headers: one block per path pattern, in the format Netlify and Cloudflare Pages read."""
    blocks: list[tuple[str, dict[str, str]]] = [
        ("/*", {**ALL_RESPONSES_HEADERS, "Content-Security-Policy": render_policy(ALL_RESPONSES_POLICY)}),
        (PYTHON_WORKER, {"Content-Security-Policy": render_policy(PYTHON_WORKER_POLICY)}),
    ]
    bundles = sorted(p.name for p in (site_dir / "assets" / "javascripts").glob("bundle.*") if MATERIAL_BUNDLE.fullmatch(p.name))
    if not bundles:
        raise PluginError("csp: no Material bundle.<hash>.min.js in site/assets/javascripts/")
    for path in [*VERSIONED_PATHS, *(f"/assets/javascripts/{name}" for name in bundles)]:
        blocks.append((path, {"Cache-Control": CACHE_VERSIONED}))
    return "".join(
        path + "\n" + "".join(f"  {name}: {value}\n" for name, value in headers.items()) for path, headers in blocks
    )


@event_priority(-200)
def on_post_build(config: MkDocsConfig) -> None:
    if i18n.is_nested_build(config):
        return  # a nested per-language build; the outer call sees every page
    if not (Path(config.site_dir) / PYTHON_WORKER.lstrip("/")).is_file():
        raise PluginError(f"csp: {PYTHON_WORKER} is not in the site; update PYTHON_WORKER")
    Path(config.site_dir, "_headers").write_text(headers_file(Path(config.site_dir)), encoding="utf-8")
