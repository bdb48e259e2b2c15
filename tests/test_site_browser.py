"""Every page in every language, in real Chromium over HTTP: no console errors, no failed or foreign
requests, axe clean, nothing wider than a phone, the language selector keeps the reader on the same
page; with `make screenshots`, screenshots at desktop and phone size in light and dark mode."""

from __future__ import annotations

import posixpath
import re

import pytest

from conftest import (
    COLOR_SCHEMES,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    VIEWPORTS,
    built_html,
    describe_violations,
    page_names,
    page_url_path,
)

PAGES = [(lang, name) for lang in LANGUAGES for name in page_names()]


def assert_clean(watched, what: str) -> None:
    assert watched.console_errors == [], f"{what}: console errors {watched.console_errors}"
    assert watched.failed_requests == [], f"{what}: failed requests {watched.failed_requests}"
    assert watched.foreign_requests == [], f"{what}: requests to other hosts {watched.foreign_requests}"


# Dark mode changes colours, not words: the palette is the same CSS in every language. So every page
# is checked in both schemes in the default language, and in the others the pages whose own content
# has colour (the figures, the tool, the start page's cards); every page of every language is checked
# in light mode. With `make screenshots`, every page in both.
PAGES_WITH_COLOUR = ("index.md", "hitta-ordernumret.md", "ordernummer-ur-mejl.md")


def schemes_to_check(lang: str, name: str, screenshots: bool) -> tuple[str, ...]:
    if lang == DEFAULT_LANGUAGE or name in PAGES_WITH_COLOUR or screenshots:
        return COLOR_SCHEMES
    return COLOR_SCHEMES[:1]


@pytest.mark.parametrize(("lang", "name"), PAGES, ids=[f"{lang}-{name}" for lang, name in PAGES])
def test_page_in_browser(lang, name, open_page, axe_violations, screenshot, request) -> None:
    path = page_url_path(name, lang)
    # One browser context per page: a load per colour scheme, and the two sizes as viewport changes.
    watched = open_page(viewport=VIEWPORTS["desktop"], color_scheme=COLOR_SCHEMES[0])
    page = watched.page
    # Material keeps the palette it chose in localStorage (written again as a page unloads); each
    # load here is a first visit, which follows prefers-color-scheme.
    page.add_init_script("localStorage.clear()")
    watched.goto(path)
    assert page.get_attribute("html", "lang") == lang
    for scheme in schemes_to_check(lang, name, request.config.getoption("--screenshots")):
        if scheme != COLOR_SCHEMES[0]:
            # Let the search worker finish fetching its stemmer first: a reload would abort it.
            page.wait_for_load_state("networkidle")
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size(VIEWPORTS["desktop"])
            page.reload(wait_until="load")
        # Material applies the palette from prefers-color-scheme; make sure it followed.
        expected = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            if size == "desktop":
                violations = axe_violations(page)
                assert violations == [], f"{lang}{path} ({scheme}): {describe_violations(violations)}"
            # Nothing may push the page sideways on a phone (figures, tables and code scroll inside).
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{lang}{path} {size}: {overflow}px wider than the screen"
            screenshot(page, f"{lang}-{name.removesuffix('.md')}-{size}-{scheme}")
            if size == "phone" and scheme == COLOR_SCHEMES[0]:
                # What only a narrow screen brings: tables and code that scroll sideways, each of
                # which a keyboard must be able to reach, with every <details> open (once: the
                # colour scheme changes no widths).
                page.evaluate("""async () => {
                    // Not the tool page's code listing: opening it fetches ten files (its own test).
                    document.querySelectorAll('details:not(:has([data-source]))').forEach((d) => { d.open = true; });
                    for (let frame = 0; frame < 2; frame++) await new Promise(requestAnimationFrame);
                }""")  # ResizeObserver callbacks come after the first frame's animation callbacks
                violations = axe_violations(page, ["scrollable-region-focusable"])
                assert violations == [], f"{lang}{path} ({scheme}, {size}): {describe_violations(violations)}"
    page.wait_for_load_state("networkidle")
    assert_clean(watched, f"{lang}{path}")


SELECTOR_LINK = re.compile(r'<a href="(?P<href>[^"]*)" hreflang="(?P<lang>[^"]+)" class="md-select__link">')


@pytest.mark.parametrize(("lang", "name"), PAGES, ids=[f"{lang}-{name}" for lang, name in PAGES])
def test_language_selector_links_to_the_same_page_in_every_language(lang, name) -> None:
    """Every page's selector, as built: one link per language, each to the same page in that language."""
    path = page_url_path(name, lang)
    html = built_html(name, lang).read_text(encoding="utf-8")
    links = {match["lang"]: match["href"] for match in SELECTOR_LINK.finditer(html)}
    assert sorted(links) == sorted(LANGUAGES), f"{lang}/{name}: selector offers {sorted(links)}"
    for target, href in links.items():
        assert posixpath.normpath(posixpath.join(path, href)).rstrip("/") + "/" == page_url_path(name, target), (
            f"{lang}/{name}: the {target} link {href!r} does not lead to {page_url_path(name, target)}"
        )


# Material's script takes over the selector's clicks (it maps the page through the sitemaps), so a
# real click is tried once per language, from a different page each time and to another language,
# while the build test above covers every page's links.
CLICKS = [(lang, page_names()[i % len(page_names())], LANGUAGES[(i + 1) % len(LANGUAGES)]) for i, lang in enumerate(LANGUAGES)]


@pytest.mark.parametrize(("lang", "name", "target"), CLICKS, ids=[f"{lang}-{name}-to-{target}" for lang, name, target in CLICKS])
def test_language_selector_leads_to_the_same_page(lang, name, target, open_page) -> None:
    watched = open_page(page_url_path(name, lang), viewport=VIEWPORTS["desktop"])
    page = watched.page
    # Let Material fetch the sitemaps it uses to rewrite the selector's links.
    page.wait_for_load_state("networkidle")
    page.hover(".md-header__option .md-select")
    link = page.locator(f'.md-select__link[hreflang="{target}"]')
    link.wait_for(state="visible")
    link.click()
    page.wait_for_load_state("load")
    assert page.url == watched.server_url + page_url_path(name, target)
    assert page.get_attribute("html", "lang") == target
    page.wait_for_load_state("networkidle")
    assert_clean(watched, f"{lang}/{name} -> {target}")


SEARCHES = {
    # A Swedish query finds Swedish pages and never English ones (and the other way round).
    "sv": ("beställningar", "/"),
    "en": ("orders", "/en/"),
    # Inflected forms, so the query only finds its pages through that language's stemmer.
    "nb": ("bestillingene", "/nb/"),
    "da": ("bestillingerne", "/da/"),
    "fi": ("tilausnumeron", "/fi/"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_finds_pages_in_the_same_language_only(lang, open_page) -> None:
    query, root = SEARCHES[lang]
    watched = open_page(page_url_path("index.md", lang), viewport=VIEWPORTS["desktop"])
    page = watched.page
    # The reader's way in: the "/" shortcut focuses the search box, then they type.
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")
    assert hrefs, f"no hits for {query!r}"
    paths = [href.removeprefix(watched.server_url) for href in hrefs]
    for path in paths:
        if lang == DEFAULT_LANGUAGE:
            assert not any(path.startswith(f"/{other}/") for other in LANGUAGES if other != lang), path
        else:
            assert path.startswith(root), path
    assert_clean(watched, f"search {lang}")
