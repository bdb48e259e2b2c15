"""Build checks: strict build, every page in every language, translated nav, per-language search and
sitemaps, and the privacy promises that can be read off the HTML."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEFAULT_LANGUAGE, DOCS, LANGUAGES, SITE, built_html, load_mkdocs_yml, page_names, page_url_path

def built_pages() -> Iterator[tuple[Path, str]]:
    """Every HTML file in site/ (pages and 404.html) with its text."""
    for html_file in sorted(SITE.rglob("*.html")):
        yield html_file, html_file.read_text(encoding="utf-8")


EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def test_every_page_exists_in_every_language() -> None:
    reference = set(page_names())
    assert "index.md" in reference
    for lang in LANGUAGES:
        found = {p.relative_to(DOCS / lang).as_posix() for p in (DOCS / lang).rglob("*.md")}
        assert found == reference, f"{lang}: missing {reference - found}, extra {found - reference}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_built_pages_are_in_their_own_language(lang: str) -> None:
    for name in page_names():
        html = built_html(name, lang).read_text(encoding="utf-8")
        assert re.search(rf'<html lang="{lang}"', html), f"{name} ({lang}) has the wrong <html lang>"
        source_h1 = re.search(r"^# (.+)$", (DOCS / lang / name).read_text(encoding="utf-8"), re.M)
        assert source_h1, f"{lang}/{name} has no H1"
        # No silent fallback: the built page carries this language's own H1, not the Swedish one.
        title = re.sub(r"\s*\{.*\}\s*$", "", source_h1.group(1)).strip()
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        assert h1 and title in re.sub(r"<[^>]+>", "", h1.group(1)), f"{lang}/{name}: H1 {title!r} not built"


# Written out here, not read from the hook: the titles as a reader of each language should see them.
HEADING_LINK_TITLES = {
    "sv": "Länk till det här avsnittet",
    "en": "Link to this section",
    "nb": "Lenke til dette avsnittet",
    "da": "Link til dette afsnit",
    "fi": "Linkki tähän osioon",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_heading_links_are_titled_in_the_pages_language(lang: str) -> None:
    """toc titles every heading's ¶ link "Permanent link" for the whole build; Material shows it."""
    seen = 0
    for name in page_names():
        html = built_html(name, lang).read_text(encoding="utf-8")
        titles = re.findall(r'<a class="headerlink" href="#[^"]+" title="([^"]*)"', html)
        assert len(titles) == html.count('class="headerlink"'), f"{lang}/{name}: a heading link in another form"
        assert set(titles) <= {HEADING_LINK_TITLES[lang]}, f"{lang}/{name}: heading links titled {set(titles)}"
        seen += len(titles)
    assert seen > 20, f"{lang}: only {seen} heading links in the whole language"


def test_the_one_404_page_is_in_the_default_language_and_leads_to_every_language() -> None:
    """Hosts serve site/404.html for every missing address. Each language's build used to write its own
    over it: the last one won (Finnish), under Material's English "404 - Not found", and its language
    selector led to the FAQ page the build before had ended with."""
    assert not list(SITE.glob("*/404.html")), "a language's own 404.html, which no host serves"
    html = (SITE / "404.html").read_text(encoding="utf-8")
    assert re.search(rf'<html lang="{DEFAULT_LANGUAGE}"', html)
    assert "<h1 id=\"not-found\">Sidan finns inte</h1>" in html and "Not found" not in html
    assert "<title>Sidan finns inte - " in html
    others = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]
    # The start page, the page that answers the question, and each other language's start page.
    assert '<a href="/hitta-ordernumret/">' in html
    body = html[html.index("data-not-found-languages"):]
    assert re.findall(r'<a href="(/[^"]*)" hreflang="([^"]+)" lang="\2">', body) == [(f"/{lang}/", lang) for lang in others]
    # Material's language selector on this page leads to the start pages too, not to some other page.
    selector = re.findall(r'<a href="([^"]*)" hreflang="([^"]+)" class="md-select__link"', html)
    assert selector == [("/", DEFAULT_LANGUAGE)] + [(f"/{lang}/", lang) for lang in others]


def test_nav_is_translated() -> None:
    config = load_mkdocs_yml()
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    english = next(lang for lang in i18n["languages"] if lang["locale"] == "en")
    translations = english["nav_translations"]
    swedish_titles = [next(iter(item)) for item in config["nav"]]
    assert set(swedish_titles) <= set(translations), "every nav title needs an English translation"
    html = built_html("index.md", "en").read_text(encoding="utf-8")
    # The primary sidebar runs until the secondary one (the table of contents) starts.
    nav = html[html.index('md-nav--primary') : html.index('md-sidebar--secondary')]
    labels = {re.sub(r"\s+", " ", t).strip() for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.S)}
    for swedish in swedish_titles:
        assert translations[swedish] in labels, f"English nav lacks {translations[swedish]!r}"
        if translations[swedish] != swedish:
            assert swedish not in labels, f"English nav still says {swedish!r}"


# lunr-languages' codes: Norwegian is "no" (there is no lunr.nb), the others match the locale.
LUNR_LANGUAGE = {"sv": "sv", "en": "en", "nb": "no", "da": "da", "fi": "fi"}


def test_each_language_has_its_own_search_index() -> None:
    for lang in LANGUAGES:
        folder = SITE if lang == DEFAULT_LANGUAGE else SITE / lang
        index = json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert index["config"]["lang"] == [LUNR_LANGUAGE[lang]]
        stemmer = SITE / "assets" / "javascripts" / "lunr" / "min" / f"lunr.{LUNR_LANGUAGE[lang]}.min.js"
        assert lang == "en" or stemmer.is_file(), f"{lang}: search would load a missing {stemmer.name}"
        locations = [doc["location"] for doc in index["docs"]]
        assert locations, f"{lang}: empty search index"
        others = [other for other in LANGUAGES if other != DEFAULT_LANGUAGE]
        assert not any(loc.split("/")[0] in others for loc in locations), f"{lang}: foreign entries"
        titles = {doc["title"] for doc in index["docs"] if "#" not in doc["location"]}
        for name in page_names():
            h1 = re.search(r"^# (.+)$", (DOCS / lang / name).read_text(encoding="utf-8"), re.M).group(1)
            assert re.sub(r"\s*\{.*\}\s*$", "", h1).strip() in titles, f"{lang}/{name} not in its index"


# The tests check the site/ that `make build` left, built with or without SITE_URL (CI builds with it,
# tests it and publishes that very site/).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")


def test_sitemaps_and_canonical_links_follow_site_url() -> None:
    """With SITE_URL (CI's publish build): a sitemap per language folder and canonical links under it.
    Without (a plain `make build`): none at all, since they need absolute URLs and a made-up host
    would be indexed."""
    if not SITE_URL:
        assert not list(SITE.rglob("sitemap.xml*")), "a build without SITE_URL wrote a sitemap"
        for html_file, html in built_pages():
            assert 'rel="canonical"' not in html, html_file.relative_to(SITE)
        return
    for lang in LANGUAGES:
        folder = SITE if lang == DEFAULT_LANGUAGE else SITE / lang
        sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
        locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
        assert len(locs) == len(page_names()), f"{lang}: {len(locs)} URLs for {len(page_names())} pages"
        for loc in locs:
            assert loc.startswith(SITE_URL + "/"), loc
            in_other = [o for o in LANGUAGES if o != DEFAULT_LANGUAGE and loc.startswith(f"{SITE_URL}/{o}/")]
            assert in_other == ([] if lang == DEFAULT_LANGUAGE else [lang]), f"{lang} sitemap lists {loc}"
    for name in page_names():
        for lang in LANGUAGES:
            html = built_html(name, lang).read_text(encoding="utf-8")
            canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
            assert canonical and canonical.group(1) == SITE_URL + page_url_path(name, lang), f"{lang}/{name}"


def test_no_loopback_host_in_the_site() -> None:
    """Nothing we generate names localhost or another loopback address."""
    generated = [p for p in SITE.rglob("*") if p.suffix in {".html", ".xml", ".json", ".txt"} or p.name == "_headers"]
    for path in generated:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"localhost|127\.0\.0\.1|0\.0\.0\.0|\bNone\b(?=[a-z/\"])", text), path.relative_to(SITE)


# Everything a built site/ may hold. A file outside these is a build input leaking out (MkDocs copies
# every non-template file from the theme's custom_dir) or a stray; list it here only if readers need it.
SERVED = [
    r"(?:[a-z]{2}/)?(?:[a-z0-9-]+/)?index\.html",  # the pages, per language folder
    r"404\.html",
    r"(?:[a-z]{2}/)?search/search_index\.json",
    r"(?:[a-z]{2}/)?sitemap\.xml(?:\.gz)?",  # only with SITE_URL
    r"_headers",  # read by Netlify and Cloudflare Pages, never served by them (nginx: see its config)
    r"assets/favicon\.svg",
    r"assets/images/favicon\.png",  # Material's default icon, unused but copied by the theme
    r"assets/stylesheets/site\.css",
    r"assets/stylesheets/(?:main|palette)\.[0-9a-f]{8}\.min\.css(?:\.map)?",
    r"assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js(?:\.map)?",
    r"assets/javascripts/workers/search\.[0-9a-f]{8}\.min\.js(?:\.map)?",
    r"assets/javascripts/lunr/(?:min/lunr\.[a-z.]+\.min\.js|tinyseg\.js|wordcut\.js)",
    r"assets/order-tool/(?:[0-9a-f]+/)?(?:tool\.js|worker\.js|tool\.css|snapshot-delta\.mjs|order_number\.zip|python-snapshot\.bin)",
    # The extractor's modules as plain files, for the tool page's code listing.
    r"assets/order-tool/order_number/[a-z_]+\.py",
    # Pyodide, in a folder named by its version or content hash, with .gz and .br copies for hosts
    # with gzip_static and brotli_static.
    r"assets/pyodide/(?:[0-9a-f.]+/)?(?:pyodide\.mjs|pyodide\.asm\.mjs|pyodide\.asm\.wasm|python_stdlib_rest\.zip|pyodide-lock\.json)(?:\.gz|\.br)?",
    r"assets/pyodide/[0-9a-f]+/python_stdlib\.bin",
]


def test_site_holds_only_what_the_site_serves() -> None:
    served = re.compile("|".join(f"(?:{pattern})" for pattern in SERVED))
    files = [p.relative_to(SITE).as_posix() for p in SITE.rglob("*") if p.is_file()]
    stray = [name for name in files if not served.fullmatch(name)]
    assert stray == [], f"site/ holds files it should not publish: {stray}"
    # And the leaks named in the review are gone for good.
    assert not (SITE / "hooks").exists() and not (SITE / "order-tool").exists()


def test_no_external_resources_in_any_page() -> None:
    """Nothing a page loads by itself may come from another host (links the reader clicks are fine)."""
    for html_file, html in built_pages():
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html, re.I):
            if re.match(r"<link\b", tag, re.I) and re.search(r'rel="(?:alternate|canonical)"', tag):
                continue
            assert not EXTERNAL_URL.search(tag), f"{html_file.relative_to(SITE)}: {tag}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


# The one page with the tool, in every language (its folder under site/).
TOOL_PAGES = sorted(("" if lang == DEFAULT_LANGUAGE else f"{lang}/") + "ordernummer-ur-mejl" for lang in LANGUAGES)


def csp_directives(policy: str) -> dict[str, str]:
    return dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())


def test_every_page_has_a_content_security_policy() -> None:
    tool_pages = []
    for html_file, html in built_pages():
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert meta, f"{html_file.relative_to(SITE)} has no CSP"
        policy = csp_directives(meta.group(1))
        assert policy["connect-src"] == "'self'"
        assert policy["worker-src"] == "'self'"
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        if "'wasm-unsafe-eval'" in policy["script-src"]:
            tool_pages.append(html_file.relative_to(SITE).parent.as_posix())
    assert sorted(tool_pages) == TOOL_PAGES, "'wasm-unsafe-eval' belongs only where Python runs"


def test_headers_file_gives_python_its_own_policy() -> None:
    from site_server import headers_for, read_headers_file

    rules = read_headers_file(SITE)
    page = headers_for(rules, "/")
    worker = headers_for(rules, "/assets/order-tool/worker.js")
    for headers in (page, worker):
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "wasm-unsafe-eval" not in page["Content-Security-Policy"]
    # Two policies for the worker (joined by a comma): every response's, and its own.
    own = csp_directives(worker["Content-Security-Policy"].split(", ", 1)[1])
    assert own["script-src"] == "'self' 'wasm-unsafe-eval'" and own["connect-src"] == "'self'"
    assert "Cache-Control" not in page, "pages must be revalidated"


def test_only_versioned_assets_are_cached_for_long() -> None:
    """Every file that _headers lets a browser keep must be named by a URL that changes with it."""
    from site_server import headers_for, read_headers_file

    rules = read_headers_file(SITE)
    html = "\n".join(p.read_text(encoding="utf-8") for p in SITE.rglob("*.html"))
    for path in sorted(SITE.rglob("*")):
        if not path.is_file():
            continue
        url = "/" + path.relative_to(SITE).as_posix()
        if "immutable" not in headers_for(rules, url).get("Cache-Control", ""):
            continue
        hashed_name = re.search(r"\.[0-9a-f]{8}\.min\.(js|css)(\.map)?$", path.name)
        referenced = re.findall(rf'{re.escape(path.name)}(\?v=[0-9a-f]+)?"', html)
        if hashed_name or url.startswith(("/assets/pyodide/", "/assets/order-tool/")):
            continue  # Material's hashed names; the tool and Pyodide are versioned by order_tool.py
        assert referenced and all(referenced), f"{url} is cached for a year but linked without ?v=: {referenced}"


def test_search_dialog_has_an_accessible_name() -> None:
    """Material's search container is a role="dialog"; overrides/partials/search.html names it."""
    for html_file, html in built_pages():
        dialogs = re.findall(r'<div class="md-search"[^>]*>', html)
        assert len(dialogs) == 1, f"{html_file.relative_to(SITE)}: {dialogs}"
        assert re.search(r'role="dialog" aria-label="[^"]+"', dialogs[0]), f"{html_file.relative_to(SITE)}: {dialogs[0]}"


def material_config(html: str) -> dict:
    """Material's `<script id="__config">` JSON: what its JavaScript reads at run time."""
    match = re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no Material __config script"
    return json.loads(match.group(1))


def test_instant_navigation_is_off_in_every_page() -> None:
    # navigation.instant breaks the i18n language switcher. Checked in what the browser gets, so a
    # feature list added per language (or by a plugin) is caught too.
    for html_file, html in built_pages():
        features = material_config(html)["features"]
        assert not any(f.startswith("navigation.instant") for f in features), html_file.relative_to(SITE)


def test_only_the_tool_page_loads_the_tool() -> None:
    """The tool's script, and with it Python, is only on the page that has the tool."""
    with_tool = []
    for html_file, html in built_pages():
        scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]*)"', html)
        if any(re.search(r"(^|/)assets/order-tool/tool\.js", src) for src in scripts):
            with_tool.append(html_file.relative_to(SITE).parent.as_posix())
        assert "worker.js" not in " ".join(scripts), html_file.relative_to(SITE)
    assert sorted(with_tool) == TOOL_PAGES
