"""Build checks: strict build, every page in every language, translated nav, per-language search and
sitemaps, and the privacy promises that can be read off the HTML."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DEFAULT_LANGUAGE, DOCS, LANGUAGES, ROOT, SITE, built_html, load_mkdocs_yml, page_names

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//(?!127\.0\.0\.1)""", re.I)


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


def test_each_language_has_its_own_search_index() -> None:
    for lang in LANGUAGES:
        folder = SITE if lang == DEFAULT_LANGUAGE else SITE / lang
        index = json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert index["config"]["lang"] == [lang]
        locations = [doc["location"] for doc in index["docs"]]
        assert locations, f"{lang}: empty search index"
        others = [other for other in LANGUAGES if other != DEFAULT_LANGUAGE]
        assert not any(loc.split("/")[0] in others for loc in locations), f"{lang}: foreign entries"
        titles = {doc["title"] for doc in index["docs"] if "#" not in doc["location"]}
        for name in page_names():
            h1 = re.search(r"^# (.+)$", (DOCS / lang / name).read_text(encoding="utf-8"), re.M).group(1)
            assert re.sub(r"\s*\{.*\}\s*$", "", h1).strip() in titles, f"{lang}/{name} not in its index"


def test_each_language_folder_has_a_sitemap() -> None:
    for lang in LANGUAGES:
        folder = SITE if lang == DEFAULT_LANGUAGE else SITE / lang
        sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
        locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
        assert len(locs) >= len(page_names())
        if lang != DEFAULT_LANGUAGE:
            assert all(f"/{lang}/" in loc for loc in locs)


def test_no_external_resources_in_any_page() -> None:
    """Nothing a page loads by itself may come from another host (links the reader clicks are fine)."""
    for html_file in SITE.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html, re.I):
            if re.match(r"<link\b", tag, re.I) and re.search(r'rel="(?:alternate|canonical)"', tag):
                continue
            assert not EXTERNAL_URL.search(tag), f"{html_file.relative_to(SITE)}: {tag}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_every_page_has_a_content_security_policy() -> None:
    for html_file in SITE.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert meta, f"{html_file.relative_to(SITE)} has no CSP"
        policy = dict(d.strip().split(" ", 1) for d in meta.group(1).split(";"))
        assert policy["connect-src"] == "'self'"
        assert policy["worker-src"] == "'self'"
        assert "'wasm-unsafe-eval'" in policy["script-src"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
    headers = (SITE / "_headers").read_text(encoding="utf-8")
    assert "connect-src 'self'" in headers and "frame-ancestors 'none'" in headers


def material_config(html: str) -> dict:
    """Material's `<script id="__config">` JSON: what its JavaScript reads at run time."""
    match = re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no Material __config script"
    return json.loads(match.group(1))


def test_instant_navigation_is_off_in_every_page() -> None:
    # navigation.instant breaks the i18n language switcher. Checked in what the browser gets, so a
    # feature list added per language (or by a plugin) is caught too.
    for html_file in SITE.rglob("*.html"):
        features = material_config(html_file.read_text(encoding="utf-8"))["features"]
        assert not any(f.startswith("navigation.instant") for f in features), html_file.relative_to(SITE)


def test_only_the_tool_page_loads_the_tool() -> None:
    """The tool's script, and with it Python, is only on the page that has the tool."""
    with_tool = []
    for html_file in SITE.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]*)"', html)
        if any(re.search(r"(^|/)assets/order-tool/tool\.js", src) for src in scripts):
            with_tool.append(html_file.relative_to(SITE).as_posix())
        assert "worker.js" not in " ".join(scripts), html_file.relative_to(SITE)
    expected = sorted(f"{lang}/ordernummer-ur-mejl/index.html".removeprefix(f"{DEFAULT_LANGUAGE}/") for lang in LANGUAGES)
    assert sorted(with_tool) == expected
