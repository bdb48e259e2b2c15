"""The one place that knows how this site is split into languages, and the glossary hook.

The site uses mkdocs-static-i18n with `docs_structure: folder`: every page lives under
`docs/<locale>/`, the default language is built to `/` and every other one to `/<locale>/`. Every
other hook asks this module instead of working it out again.

API (small and stable; other hooks import it as `import i18n`):

    built_languages(config) -> list[str]      the built locales, default first
    default_language(config) -> str           the locale built to `/`
    page_language(page, config) -> str        the locale of a page, from its folder (`en/…` -> "en");
                                              a page outside every built language stops the build
    output_prefix(config, locale) -> str      where a locale's pages go in site/: "" or "en/"
    language_of_url(config, url) -> str       the locale of a site-relative URL or path ("en/x/" -> "en")
    search_language(locale) -> str            the lunr language Material's search stems with ("nb" -> "no")
    is_nested_build(config) -> bool           True while i18n builds a non-default language inside the
                                              default language's post_build (see "The nested builds")

Each function validates the i18n setup first and raises `PluginError` with what to fix, like
Material's own hooks do on unknown input.

How another hook imports it: MkDocs 1.6 loads each hook with `spec_from_file_location` and puts the
hook's folder first on `sys.path` while the hook module runs (mkdocs/config/config_options.py,
`Hooks._load_hook`). So `import i18n` at the top of a sibling hook finds this file, in whatever order
the `hooks:` list names them. MkDocs registers this file as a hook under its path
(`overrides/hooks/i18n.py`) and a sibling's import makes a second module object named `i18n`: that is
why this module keeps no state, only functions.

The nested builds: mkdocs-static-i18n builds the default language, and then, from inside that build's
`on_post_build` (priority -100), calls `mkdocs.commands.build.build()` once for each other language
into the same site_dir. Every hook runs again in each nested build. A hook that writes shared files in
`on_post_build` must skip the nested calls (`is_nested_build`), and run either before -100 (then only
the default language's pages exist) or after -100 (then every language's pages exist).

The glossary (the hook part of this file): each page gets the abbreviation list of its own language,
`snippets/glossary-<locale>.md`, appended as a pymdownx.snippets line. The abbr extension turns it
into `<abbr title="…">` around every use of a term, which Material shows as a tooltip
(`content.tooltips`). A built language without its glossary stops the build.

Internals of mkdocs-static-i18n 1.3.1 and mkdocs-material 9.8.1 that this project relies on
(checked against those versions; re-check each one when either is upgraded):

mkdocs-static-i18n 1.3.1
  - `config.plugins["i18n"]` is the plugin; `.config.docs_structure`, `.config.languages[*]` with
    `.locale`, `.default`, `.build`, `.link` (default "/" and "/<locale>/") - public config, read here.
  - `.building` (reconfigure.py:84, plugin.py:235-285): True during the nested builds - here
    (`is_nested_build`).
  - Priority -100 of its `on_files`, `on_post_page` and `on_post_build` (plugin.py) - the priorities
    of i18n_search_sitemaps.py (-110), csp.py (-200) and order_tool.py are set against it.
  - `reconfigure_search_index` (called from `on_post_build`) writes all languages into one
    `search/search_index.json` - split again by i18n_search_sitemaps.py.
  - It writes only `/sitemap.xml`, and puts `<link rel="alternate" hreflang>` links to the same page
    in each language into `config.extra.alternate` - i18n_search_sitemaps.py.
  - A page's `file.src_uri` keeps its language folder (`en/index.md`) - here (`page_language`).
  - Each language's pages are in the one `Files` collection under their folder, so
    `files.get_file_from_path(f"{locale}/{name}")` finds a page in the reader's language -
    order_tool.py (no private API: `current_language` and `norm_src_uri` are no longer used).

mkdocs-material 9.8.1
  - base.html renders `config.extra.alternate` as `<link rel="alternate" href="…" hreflang="…">`, in
    that attribute order - i18n_search_sitemaps.py (regex `HEAD_ALTERNATE`).
  - base.html's `<script id="__config" type="application/json">` holds `base`, where search looks for
    `search/search_index.json` and the selector for `sitemap.xml` - i18n_search_sitemaps.py.
  - The search plugin's `search_index.json` layout (`config.lang`, `docs[*].location`) -
    i18n_search_sitemaps.py.
  - Search stems with `assets/javascripts/lunr/min/lunr.<lang>.min.js`, named by lunr-languages'
    codes: Norwegian is "no", not "nb" (`search_language`); English needs no file -
    i18n_search_sitemaps.py checks the file exists.
  - Search leaves out any element with `data-search-exclude` - the order tool's wrapper.
  - The package keeps its templates in `material/templates/` - theme.py makes them reachable as
    `material/<name>`, so a partial override can render Material's own partial and add to it.
  - partials/search.html renders the search container as `data-md-component="search"
    role="dialog"` with no name - overrides/partials/search.html adds `aria-label` after exactly that
    text (a build test checks every page got it).
  - base.html's block `site_meta` (overrides/main.html) and its inline scripts, which csp.py hashes.
  - File names with a content hash (`bundle.<8 hex>.min.js`, `main.<8 hex>.min.css`, ...) - csp.py's
    caching rules.
  - The palette is chosen from `prefers-color-scheme` on a first visit and then kept in localStorage
    (`/.__palette`) - tests/test_site_browser.py.
  - Material's language files have no text for the toc extension's heading links, so they keep
    toc's English default title, "Permanent link" - here (`PERMALINK_TITLES`).
  - Its script mounts every `pre > code` in the page as it loads (a copy button, size watchers) -
    order_tool.py renders the extractor's listings as a bare `<pre>` until they are opened.
  - Its script puts each table in a `div.md-typeset__scrollwrap` that scrolls sideways, and offers
    the global `document$` to run code once it has mounted the page - overrides/main.html makes
    each box focusable while it scrolls (tests/test_site_browser.py, axe at phone size).

MkDocs 1.6
  - `Page.render` makes a new `markdown.Markdown` from `config.mdx_configs` for each page, right after
    that page's `on_page_markdown` (structure/pages.py, commands/build.py) - here: the page's
    language sets toc's `permalink_title` just before its page is rendered.
  - Each build renders the static templates (`404.html`) into the site folder's root before its
    pages, and writes no file for a template whose output is empty (`_build_theme_template`) -
    here (`on_post_template`): the nested builds would each write their own `404.html` over the
    default language's, the last one with the language links of the page built before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

SNIPPETS_EXTENSION = "pymdownx.snippets"


# ---------------------------------------------------------------- the languages


def _plugin(config: MkDocsConfig) -> Any:
    """The mkdocs-static-i18n plugin, after checking that its setup is the one this site expects."""
    plugin = config.plugins.get("i18n")
    if plugin is None:
        raise PluginError("i18n: the mkdocs-static-i18n plugin is not enabled")
    if plugin.config.docs_structure != "folder":
        raise PluginError("i18n: expects the i18n plugin's docs_structure: folder")
    built = [lang for lang in plugin.config.languages if lang.build]
    defaults = [lang.locale for lang in built if lang.default]
    if len(defaults) != 1:
        raise PluginError(f"i18n: expected exactly one built default language, got {defaults}")
    for lang in built:
        expected = "/" if lang.default else f"/{lang.locale}/"
        if lang.link != expected:
            raise PluginError(f"i18n: language {lang.locale} must live at {expected}, not {lang.link}")
    return plugin


def built_languages(config: MkDocsConfig) -> list[str]:
    """The built locales, default first, in mkdocs.yml's order after that."""
    built = [lang for lang in _plugin(config).config.languages if lang.build]
    return [lang.locale for lang in built if lang.default] + [lang.locale for lang in built if not lang.default]


def default_language(config: MkDocsConfig) -> str:
    return built_languages(config)[0]


def page_language(page: Page, config: MkDocsConfig) -> str:
    """The locale of a page: the first folder of its source path, which must be a built language."""
    languages = built_languages(config)
    folder = page.file.src_uri.split("/", 1)[0] if "/" in page.file.src_uri else ""
    if folder not in languages:
        raise PluginError(
            f"i18n: cannot tell the language of {page.file.src_uri} "
            f"(expected it under one of: {', '.join(lang + '/' for lang in languages)})"
        )
    return folder


def output_prefix(config: MkDocsConfig, locale: str) -> str:
    """Where a locale's pages go, relative to site_dir: "" for the default language, else "<locale>/"."""
    languages = built_languages(config)
    if locale not in languages:
        raise PluginError(f"i18n: {locale!r} is not a built language ({', '.join(languages)})")
    return "" if locale == languages[0] else f"{locale}/"


def language_of_url(config: MkDocsConfig, url: str) -> str:
    """The locale a site-relative URL or path belongs to ("en/faq/" -> "en", "faq/" -> default)."""
    languages = built_languages(config)
    first = url.lstrip("/").split("/", 1)[0]
    return first if first in languages[1:] else languages[0]


# Where lunr-languages names a language differently from its locale (https://github.com/MihaiValentin/lunr-languages).
LUNR_LANGUAGES = {"nb": "no"}


def search_language(locale: str) -> str:
    """The lunr language code Material's search uses for a locale."""
    return LUNR_LANGUAGES.get(locale, locale)


def is_nested_build(config: MkDocsConfig) -> bool:
    """True while i18n builds a non-default language from inside the default build's post_build."""
    return bool(_plugin(config).building)


# ---------------------------------------------------------------- the glossary hook


def glossary_name(locale: str) -> str:
    return f"glossary-{locale}.md"


def _snippet_dirs(config: MkDocsConfig) -> list[Path]:
    """The snippets base paths, resolved against the folder that holds mkdocs.yml."""
    if SNIPPETS_EXTENSION not in config.markdown_extensions:
        raise PluginError(f"i18n: the {SNIPPETS_EXTENSION} extension is not enabled (the glossary needs it)")
    base_paths = config.mdx_configs.get(SNIPPETS_EXTENSION, {}).get("base_path", ["."])
    if isinstance(base_paths, str):
        base_paths = [base_paths]
    root = Path(config.config_file_path).parent
    return [root / base for base in base_paths]


def _check_glossaries(config: MkDocsConfig) -> None:
    dirs = _snippet_dirs(config)
    for locale in built_languages(config):
        name = glossary_name(locale)
        if not any((folder / name).is_file() for folder in dirs):
            looked = ", ".join(str(folder) for folder in dirs)
            raise PluginError(f"i18n: {name} is missing for built language '{locale}' (looked in {looked})")


# ---------------------------------------------------------------- the headings' links

# The title of the link (¶) after each heading. toc sets one for the whole build, in English, and
# Material shows it as the link's tooltip; a Swedish page must not say "Permanent link".
PERMALINK_TITLES = {
    "sv": "Länk till det här avsnittet",
    "en": "Link to this section",
    "nb": "Lenke til dette avsnittet",
    "da": "Link til dette afsnit",
    "fi": "Linkki tähän osioon",
}


def _toc_config(config: MkDocsConfig) -> dict[str, Any]:
    """toc's settings, after checking it makes the heading links this hook titles."""
    toc = config.mdx_configs.get("toc")
    if "toc" not in config.markdown_extensions or not toc or not toc.get("permalink"):
        raise PluginError("i18n: expects the toc extension with `permalink: true` (the heading links it titles)")
    return toc


def _check_permalink_titles(config: MkDocsConfig) -> None:
    _toc_config(config)
    missing = [locale for locale in built_languages(config) if locale not in PERMALINK_TITLES]
    if missing:
        raise PluginError(f"i18n: no heading-link title (PERMALINK_TITLES) for built language(s) {missing}")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _check_glossaries(config)  # also validates the i18n setup, before anything is built
    _check_permalink_titles(config)
    return config


# ---------------------------------------------------------------- the one 404 page


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """Only the default language's build writes 404.html (overrides/404.html): hosts serve one error
    page, from the root, for every missing address. An empty output is one MkDocs does not write."""
    if template_name == "404.html" and is_nested_build(config):
        return ""
    return output_content


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    locale = page_language(page, config)
    _toc_config(config)["permalink_title"] = PERMALINK_TITLES[locale]  # read when this page renders
    return markdown.rstrip("\n") + f'\n\n--8<-- "{glossary_name(locale)}"\n'
