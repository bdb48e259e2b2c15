"""Give every language its own search index and sitemap.

mkdocs-static-i18n builds one language after the other into one site. Two things are left shared that
should not be:

* The search index. i18n writes all languages into `/search/search_index.json`, so a Swedish query
  could land on English pages, and lunr runs every language's stemmer over every word. We split the
  index per language: `/search/search_index.json` holds the default language and `/<lang>/search/...`
  the others, each with only its own stemmer. Pages of a non-default language get their Material
  `base` pointed at their language root, which is where Material's search looks for the index.
* The sitemap and the language selector. Material fetches `sitemap.xml` at each page's `base` and
  next to each `<link rel=alternate>` in the head, expecting those links to be language roots; on a
  click in the selector it maps the page through that sitemap. i18n writes only `/sitemap.xml` and
  makes the head links point at the page itself, so Material asked for `/en/sitemap.xml` and
  `/en/<page>/sitemap.xml`: 404s, a console error on every page. And its mapping compares absolute
  URLs from `site_url`, so on any other host or port it sends the reader to the language's start page.
  i18n already gives the selector a link to the same page in each language, so Material's mapping
  adds nothing. We write one sitemap per language folder (with the per-page hreflang pairs, which is
  where search engines read them) and drop the head's alternate links, so Material does not intercept.
  A build without `site_url` (no SITE_URL in the environment) writes no sitemap at all: sitemaps need
  absolute URLs, and a made-up host would be worse than none.

Which language a page or URL belongs to, and the nested-build guard, come from i18n.py, which also
lists every mkdocs-static-i18n and Material internal this file relies on.

Like Material's own hooks, this fails the build on anything it does not understand.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from pathlib import Path
from xml.etree import ElementTree

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

import i18n  # overrides/hooks/i18n.py: MkDocs puts this folder on sys.path while loading a hook

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="(?P<lang>[^"]+)">')
CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def _languages(config: MkDocsConfig) -> tuple[str, list[str]]:
    """The default locale and the other built locales."""
    default, *others = i18n.built_languages(config)
    return default, others


def _page_dir(page: Page) -> str:
    return page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"


def _drop_head_alternates(output: str, page: Page, default: str, others: list[str]) -> str:
    def drop(match: re.Match[str]) -> str:
        if match.group("lang") not in (default, *others):
            raise PluginError(f"i18n_search_sitemaps: unknown hreflang {match.group('lang')!r} in {page.file.src_uri}")
        return ""

    rewritten, count = HEAD_ALTERNATE.subn(drop, output)
    if count != 1 + len(others):
        raise PluginError(f"i18n_search_sitemaps: expected {1 + len(others)} alternate links in {page.file.src_uri}, found {count}")
    return rewritten


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    default, others = _languages(config)
    output = _drop_head_alternates(output, page, default, others)
    locale = i18n.page_language(page, config)
    if locale == default:
        return output
    # Point a non-default language page's Material `base` at its language root.
    match = CONFIG_SCRIPT.search(output)
    if match is None:
        raise PluginError(f"i18n_search_sitemaps: no Material __config script in {page.file.src_uri}")
    material = json.loads(match.group(2))
    material["base"] = posixpath.relpath(locale, _page_dir(page).rstrip("/") or ".")
    return output[: match.start(2)] + json.dumps(material) + output[match.end(2) :]


def _split_search_index(config: MkDocsConfig, site: Path, default: str, others: list[str]) -> None:
    index_path = site / "search" / "search_index.json"
    if not index_path.exists():
        raise PluginError("i18n_search_sitemaps: search/search_index.json was not written")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    buckets: dict[str, list[dict]] = {default: [], **{locale: [] for locale in others}}
    for entry in index["docs"]:
        locale = i18n.language_of_url(config, entry["location"])
        if locale == default:
            buckets[default].append(entry)
        else:
            # Locations become relative to the language root, which is that page's new `base`.
            buckets[locale].append({**entry, "location": entry["location"][len(locale) + 1 :]})
    for locale, docs in buckets.items():
        lang = i18n.search_language(locale)
        stemmer = site / "assets" / "javascripts" / "lunr" / "min" / f"lunr.{lang}.min.js"
        if lang != "en" and not stemmer.is_file():
            raise PluginError(f"i18n_search_sitemaps: no lunr stemmer for {locale} (looked for {stemmer.relative_to(site)})")
        target = site / i18n.output_prefix(config, locale) / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        split = {**index, "config": {**index["config"], "lang": [lang]}, "docs": docs}
        target.write_text(json.dumps(split, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _split_sitemap(config: MkDocsConfig, site: Path) -> None:
    """One sitemap per language folder, each with only that language's URLs (and their hreflang pairs)."""
    sitemap_path = site / "sitemap.xml"
    if not sitemap_path.exists():
        raise PluginError("i18n_search_sitemaps: sitemap.xml was not written")
    site_url = config.site_url.rstrip("/") + "/"
    combined = sitemap_path.read_bytes()  # read once: the default language's sitemap replaces it
    ElementTree.register_namespace("", SITEMAP_NS)
    ElementTree.register_namespace("xhtml", XHTML_NS)
    for locale in i18n.built_languages(config):
        root = ElementTree.fromstring(combined)
        tree = ElementTree.ElementTree(root)
        for url in list(root):
            loc = url.findtext(f"{{{SITEMAP_NS}}}loc") or ""
            if not loc.startswith(site_url):
                raise PluginError(f"i18n_search_sitemaps: sitemap URL {loc!r} is not under site_url {site_url}")
            if i18n.language_of_url(config, loc.removeprefix(site_url)) != locale:
                root.remove(url)
        if len(root) == 0:
            raise PluginError(f"i18n_search_sitemaps: no sitemap URLs for {locale}")
        target = site / i18n.output_prefix(config, locale) / "sitemap.xml"
        tree.write(target, encoding="UTF-8", xml_declaration=True)
        target.with_suffix(".xml.gz").write_bytes(gzip.compress(target.read_bytes(), mtime=0))


def _drop_sitemaps(site: Path) -> None:
    """Without site_url a sitemap can only hold relative or made-up URLs; a sitemap needs absolute ones."""
    for path in [*site.rglob("sitemap.xml"), *site.rglob("sitemap.xml.gz")]:
        path.unlink()


@event_priority(-110)  # after i18n's own post_build (-100), which writes the combined index
def on_post_build(config: MkDocsConfig) -> None:
    # i18n builds the other languages from inside the default language's post_build, then writes the
    # combined index. Those nested builds call us too; only the outer call sees the final files.
    if i18n.is_nested_build(config):
        return
    default, others = _languages(config)
    site = Path(config.site_dir)
    _split_search_index(config, site, default, others)
    if config.site_url:
        _split_sitemap(config, site)
    else:
        _drop_sitemaps(site)
