"""The built site behind a real nginx (Debian's nginx-light), configured with tests/hosting/nginx.conf,
the very file the README points hosts to: right MIME types, the headers site/_headers asks for, and
the tool reaches a result.

`make test` installs nginx with apt (the Makefile's system step). A missing nginx fails, never skips.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from conftest import ROOT
from site_server import headers_for, read_headers_file

NGINX_CONF = ROOT / "tests" / "hosting" / "nginx.conf"
TOOL_PAGE = "/ordernummer-ur-mejl/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"tests/hosting/nginx.conf no longer has exactly one {old!r}: update this test"
    return text.replace(old, new)


@pytest.fixture(scope="module")
def nginx_url(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    nginx = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if nginx is None:
        pytest.fail("nginx is not installed: run `make test` (it installs Debian's nginx-light)")
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    site_conf = NGINX_CONF.read_text(encoding="utf-8")
    site_conf = _replace_once(site_conf, "listen 80;", f"listen 127.0.0.1:{port};")
    site_conf = _replace_once(site_conf, "root /var/www/ordernummerguiden/site;", f"root {site_dir};")
    (prefix / "site.conf").write_text(site_conf, encoding="utf-8")
    shutil.copy("/etc/nginx/mime.types", prefix / "mime.types")
    # Debian's module files name their .so relative to nginx's prefix, which this test moves.
    (prefix / "modules").symlink_to("/usr/lib/nginx/modules")
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    (prefix / "nginx.conf").write_text(
        f"""
# As Debian's own nginx.conf does: the brotli_static module (libnginx-mod-http-brotli-static).
include /etc/nginx/modules-enabled/*.conf;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
{"user root;" if _is_root() else ""}
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {prefix}/site.conf;
}}
""",
        encoding="utf-8",
    )
    command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    checked = subprocess.run([*command[:5], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"nginx stopped: {server.stderr.read().decode()}")
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def fetch(url: str) -> tuple[int, dict[str, str], list[str]]:
    """Status, headers (lower-case names; repeated ones joined with ", ") and the raw CSP lines."""
    try:
        response = urllib.request.urlopen(url, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    headers: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return response.status, headers, response.headers.get_all("Content-Security-Policy") or []


def _one(site_dir: Path, pattern: str) -> str:
    matches = sorted(site_dir.glob(pattern))
    assert matches, f"no {pattern} in site/"
    return "/" + matches[0].relative_to(site_dir).as_posix()


def test_nginx_serves_each_kind_of_file_with_its_type(nginx_url: str, site_dir: Path) -> None:
    expected = {
        "/": "text/html",
        "/en/": "text/html",
        "/assets/stylesheets/site.css": "text/css",
        _one(site_dir, "assets/javascripts/bundle.*.min.js"): "application/javascript",
        _one(site_dir, "assets/pyodide/**/pyodide.mjs"): "text/javascript",
        _one(site_dir, "assets/pyodide/**/pyodide.asm.wasm"): "application/wasm",
        _one(site_dir, "assets/pyodide/**/python_stdlib_rest.zip"): "application/zip",
        # Gzip inside, inflated by the worker: no host may label it as an encoding the browser undoes.
        _one(site_dir, "assets/pyodide/**/python_stdlib.bin"): "application/octet-stream",
        _one(site_dir, "assets/pyodide/**/pyodide-lock.json"): "application/json",
        "/search/search_index.json": "application/json",
        "/assets/favicon.svg": "image/svg+xml",
    }
    for path, mime in expected.items():
        status, headers, _ = fetch(nginx_url + path)
        assert status == 200, path
        assert headers["content-type"].split(";")[0] == mime, f"{path}: {headers['content-type']}"
    assert "charset=utf-8" in fetch(nginx_url + "/")[1]["content-type"]


def test_nginx_sends_what_the_headers_file_says(nginx_url: str, site_dir: Path) -> None:
    rules = read_headers_file(site_dir)
    paths = [
        "/",
        "/en/handla/",
        "/assets/order-tool/worker.js",
        "/assets/stylesheets/site.css",
        "/assets/favicon.svg",
        "/assets/javascripts/lunr/tinyseg.js",
        _one(site_dir, "assets/javascripts/bundle.*.min.js"),
        _one(site_dir, "assets/javascripts/workers/search.*.min.js"),
        _one(site_dir, "assets/pyodide/**/pyodide.asm.wasm"),
        "/search/search_index.json",
    ]
    for path in paths:
        status, headers, csp_lines = fetch(nginx_url + path)
        assert status == 200, path
        expected = headers_for(rules, path)
        assert expected, f"_headers has no rule for {path}"
        for name, value in expected.items():
            if name == "Content-Security-Policy":
                assert ", ".join(csp_lines) == value, f"{path}: CSP {csp_lines} != {value!r}"
            else:
                assert headers.get(name.lower()) == value, f"{path}: {name} {headers.get(name.lower())!r} != {value!r}"
        if "Cache-Control" not in expected:
            assert headers["cache-control"] == "no-cache", f"{path} must be revalidated"
    assert "wasm-unsafe-eval" not in fetch(nginx_url + "/")[1]["content-security-policy"]


def test_nginx_keeps_build_files_private(nginx_url: str) -> None:
    assert fetch(nginx_url + "/_headers")[0] == 404
    with pytest.raises(urllib.error.HTTPError) as missing:  # one request: status, headers and the page
        urllib.request.urlopen(nginx_url + "/en/no-such-page/", timeout=10)
    status, headers = missing.value.status, missing.value.headers
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert "<h1 id=\"not-found\">Sidan finns inte</h1>" in missing.value.read().decode("utf-8")  # the site's own
    assert headers["x-content-type-options"] == "nosniff"


@pytest.fixture
def nginx_page(browser: object, nginx_url: str):
    context = browser.new_context()
    # Nothing may leave for another host; abort it, and the test sees the failed request.
    origin = nginx_url.split("//", 1)[1]
    context.route(lambda url: origin not in url.split("/")[2:3], lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A cache-only lookup that misses (the worker asks the HTTP cache for the Python snapshot before
    # it decides to download it) is not an error.
    page.on("requestfailed", lambda request: request.failure == "net::ERR_CACHE_MISS"
            or errors.append(f"failed {request.url}"))
    yield page, errors
    context.close()


def test_tool_reaches_a_result_behind_nginx(nginx_page, nginx_url: str) -> None:
    page, errors = nginx_page
    page.goto(nginx_url + TOOL_PAGE, wait_until="load")
    page.fill('[data-testid="order-input"]', "AliExpress\nOrder ID: 8123456789012345\n")
    page.click('[data-testid="order-submit"]')
    page.wait_for_selector('[data-testid="order-status"][data-state="done"]', timeout=60_000)
    assert "8123456789012345" in page.inner_text("body")
    assert errors == []


def test_headers_rules_apply_per_path_like_netlify(tmp_path: Path) -> None:
    """The test server's reading of _headers (review L4): each block only for its own paths, splats
    across slashes, placeholders for one segment, repeated headers joined."""
    (tmp_path / "_headers").write_text(
        "/*\n  X-A: all\n/assets/*\n  Cache-Control: long\n  X-A: assets\n/:lang/page/\n  X-B: placeholder\n",
        encoding="utf-8",
    )
    rules = read_headers_file(tmp_path)
    assert headers_for(rules, "/") == {"X-A": "all"}
    assert headers_for(rules, "/assets/x/y.js") == {"X-A": "all, assets", "Cache-Control": "long"}
    assert headers_for(rules, "/en/page/") == {"X-A": "all", "X-B": "placeholder"}
    assert headers_for(rules, "/en/x/page/") == {"X-A": "all"}


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip", "gzip", gzip.decompress),
    ("gzip, deflate, br, zstd", "br", brotli.decompress),  # what Chromium sends
], ids=["gzip", "brotli"])
def test_nginx_sends_the_runtime_compressed(nginx_url: str, site_dir: Path, accept, encoding, decode) -> None:
    """Readers are on 4G: the 9 MB WebAssembly file goes out as the build's compressed copy
    (gzip_static, brotli_static), with its type and headers, and decodes to the very file."""
    path = _one(site_dir, "assets/pyodide/**/pyodide.asm.wasm")
    original = (site_dir / path.lstrip("/")).read_bytes()
    request = urllib.request.Request(nginx_url + path, headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Content-Type"] == "application/wasm"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        body = response.read()
    assert len(body) < len(original) / 2 and decode(body) == original
    if encoding == "br":
        assert len(body) < (site_dir / (path.lstrip("/") + ".gz")).stat().st_size * 0.95, "brotli should beat gzip"
