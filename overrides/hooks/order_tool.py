"""The order-number tool's widget: put it into its page, in the page's language.

* A page places the tool with one line, `<!-- order-tool -->`. In `on_page_content` we replace it
  with the markup from `overrides/partials/order-tool.html`, rendered with that page's language
  strings (`overrides/order-tool/strings/<locale>.json`), which are also embedded as JSON for the
  script, so the browser needs no extra request for them. The markup sits inside a
  `data-search-exclude` wrapper: Material's search plugin leaves it out of the index.
* What the tool runs (Pyodide, the trimmed stdlib, the snapshot, the extractor) and the versioned
  URLs it is served under come from `order_tool_runtime.py`; this file only wires it into MkDocs.
* Every asset URL carries a content hash (`?v=` or a hashed folder), so a static host may cache
  them for a long time and a reader still gets the new files after a deploy.

The page's language and the nested-build guard come from `i18n.py`, the one module that knows how
the site is split into languages (and lists the plugin internals it relies on). The folder layout
keeps `<locale>/<name>.md` as each file's src_path, so `files.get_file_from_path(f"{locale}/{name}")`
finds the same-language page in every language; no private API is needed.

Like the other hooks, this fails the build on anything it does not understand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

import i18n  # sibling files; MkDocs puts this folder on sys.path while it loads a hook
import order_tool_runtime as runtime

PLACEHOLDER = "<!-- order-tool -->"
TEMPLATE = "partials/order-tool.html"
# The extractor's code on the tool page: 1,900 lines in a package of modules that the browser would
# lay out (and Lighthouse count as tiny text) on every load. The page gets one empty <pre> per
# module, in stage order; tool.js fetches the modules and fills them when the reader opens their
# <details>. Without JavaScript, each module's link to its file still works.
SOURCE_PLACEHOLDER = "<!-- order-tool-source -->"
TOOL_FILES = ("tool.js", "worker.js", "tool.css")
STRINGS_DIR = runtime.ROOT / "overrides" / "order-tool" / "strings"
# Pages the tool links to, by file name; each language has them under the same name.
LINKED_PAGES = {"manual_url": "hitta-ordernumret.md", "tracking_url": "spara-paketet.md"}
PLACEHOLDER_FIELD = re.compile(r"\{(\w+)\}")


def _load_strings(locale: str) -> dict[str, str]:
    path = STRINGS_DIR / f"{locale}.json"
    if not path.is_file():
        raise PluginError(f"order_tool: no UI strings for language '{locale}': add {path}")
    try:
        strings = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PluginError(f"order_tool: {path} is not valid JSON: {error}") from error
    if not isinstance(strings, dict) or not all(isinstance(v, str) and v.strip() for v in strings.values()):
        raise PluginError(f"order_tool: {path} must map each key to a non-empty string")
    return strings


def _check_strings(config: MkDocsConfig) -> None:
    """Every language has the same keys as the default, with the same {placeholders}.

    A missing key would surface as a blank in the page; a renamed placeholder as a literal "{x}".
    """
    default, locales = i18n.default_language(config), i18n.built_languages(config)
    reference = _load_strings(default)
    for locale in locales:
        strings = _load_strings(locale)
        if strings.keys() != reference.keys():
            diff = sorted(strings.keys() ^ reference.keys())
            raise PluginError(f"order_tool: strings/{locale}.json and {default}.json differ in keys: {diff}")
        for key, text in strings.items():
            if set(PLACEHOLDER_FIELD.findall(text)) != set(PLACEHOLDER_FIELD.findall(reference[key])):
                raise PluginError(f"order_tool: strings/{locale}.json '{key}' has other placeholders than {default}")


def _check_tool_files(config: MkDocsConfig) -> None:
    for name in TOOL_FILES:
        runtime.asset_version(config, name)  # fails on a missing file
    if f"{runtime.TOOL_DIR}/tool.css" in [str(css) for css in config.extra_css]:
        raise PluginError("order_tool: remove tool.css from extra_css; the tool's page links it itself")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Validate everything up front, so a broken setup fails before any page is built.
    _check_strings(config)
    _check_tool_files(config)
    runtime.build_runtime()  # cached: later calls find it made
    return config


def _template_env(config: MkDocsConfig) -> Environment:
    """The theme's template folders, but autoescaped, and a typo in a string key is an error.

    MkDocs' own theme environment does not autoescape; this partial puts UI strings into attributes.
    """
    return Environment(loader=FileSystemLoader(config.theme.dirs), autoescape=True, undefined=StrictUndefined)


def _linked_page_url(files: Files, locale: str, name: str, page: Page) -> str:
    """The URL of the same-language page `name`, relative to `page`."""
    file = files.get_file_from_path(f"{locale}/{name}")
    if file is None:
        raise PluginError(f"order_tool: {page.file.src_uri} links to {name}, which '{locale}' lacks")
    return get_relative_url(file.url, page.url)


def _script_json(value: object) -> Markup:
    """JSON that is safe inside <script type="application/json">: no "</" or "<!--" can end it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _render_source(strings: dict[str, str], modules: list[tuple[str, str]]) -> str:
    """One sentence saying each file opens on its own, then per module (file name, URL), in the order
    given, its name as that link and an empty listing. The name alone is the link's text: ten links
    that all began "Open the code as a file" made a screen reader's list of links useless.

    The listing is a bare <pre>; tool.js puts the <code> in when it fills it. Material mounts every
    `pre > code` present at load (a copy button, size watchers, forced layouts), and ten hidden
    listings made its load task about 120 ms longer under Lighthouse's 4x slowdown (the tool page
    scored 86-91 with them, 91-95 without, six paired runs)."""
    block = Markup(
        '<div data-source><p><a href="{url}" data-source-link><code>{name}</code></a></p>'
        '<pre class="order-tool-source" data-source-code data-loading="{loading}" data-failed="{failed}">'
        "</pre></div>"
    )
    intro = Markup("<p>{intro}</p>").format(intro=strings["source_intro"])
    return str(intro + Markup("").join(
        block.format(url=url, name=name, loading=strings["source_loading"], failed=strings["source_failed"])
        for name, url in modules
    ))


def render_tool(page: Page, config: MkDocsConfig, files: Files) -> tuple[str, str]:
    """The tool's markup, and the markup for the extractor's code listing."""
    locale = i18n.page_language(page, config)
    strings = _load_strings(locale)
    built = runtime.build_runtime()

    def url(path: str, version: str | None = None) -> str:
        relative = get_relative_url(path, page.url)
        return f"{relative}?v={version}" if version else relative

    def tool_asset(name: str) -> str:
        return url(f"{runtime.TOOL_DIR}/{name}", runtime.asset_version(config, name))

    # The one place the size limit is put into words; tool.js reuses this text.
    max_size = strings["size_mb"].replace("{n}", runtime.size_limit_mb())
    links = {key: _linked_page_url(files, locale, name, page) for key, name in LINKED_PAGES.items()}
    tool_config = {
        "worker": tool_asset("worker.js"),
        "runtime": url(built.runtime_dir) + "/",
        "extractor": url(f"{runtime.TOOL_DIR}/{runtime.EXTRACTOR_NAME}", built.extractor_version),
        "snapshot": url(f"{runtime.TOOL_DIR}/{runtime.SNAPSHOT_NAME}", built.snapshot_version),
        "snapshotDelta": tool_asset(runtime.SNAPSHOT_DELTA.name),
        # What a restored Python imports from: the stdlib less what the snapshot holds.
        "snapshotStdlib": url(f"{built.runtime_dir}/{runtime.REST_STDLIB}"),
        "snapshotPolicy": runtime.SNAPSHOT_POLICY,
        "maxBytes": runtime.MAX_INPUT_BYTES,
        "runBudgetMs": runtime.RUN_BUDGET_MS,
        "maxSize": max_size,
        **links,
    }
    modules = [
        (f"{runtime.EXTRACTOR.name}/{path.name}",
         url(f"{runtime.TOOL_DIR}/{runtime.EXTRACTOR_SOURCE_DIR}/{path.name}", runtime.short_hash(path.read_bytes())))
        for path in runtime.extractor_files()
    ]
    source = _render_source(strings, modules)
    return source, _template_env(config).get_template(TEMPLATE).render(
        t=strings,
        strings_json=_script_json(strings),
        config_json=_script_json(tool_config),
        script_url=tool_asset("tool.js"),
        max_size=max_size,
        **links,
    )


# In page.content, like Material's own shortcodes; the wrapper's data-search-exclude keeps the
# tool's labels and JSON out of the search index. csp.py (on_post_page) then hashes the result.
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    count, sources = html.count(PLACEHOLDER), html.count(SOURCE_PLACEHOLDER)
    if count == 0 and sources == 0:
        return html
    if count != 1 or sources > 1:
        raise PluginError(
            f"order_tool: {page.file.src_uri} has {count} {PLACEHOLDER} and {sources} {SOURCE_PLACEHOLDER} "
            "lines; one tool per page, and the code listing only beside it"
        )
    source, tool = render_tool(page, config, files)
    html = html.replace(SOURCE_PLACEHOLDER, f"<div data-search-exclude>{source}</div>")
    return html.replace(PLACEHOLDER, f"<div data-search-exclude>{tool}</div>")


# The tool's stylesheet, in <head> of the one page that has the tool, so it is there before the
# first paint (in the body it would arrive late and shift the page). csp.py (-200) runs after this.
@event_priority(-150)
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if "data-order-tool" not in output:
        return output
    if output.count("</head>") != 1:
        raise PluginError(f"order_tool: {page.file.src_uri} has no single </head> for the tool's stylesheet")
    css = f"{get_relative_url(f'{runtime.TOOL_DIR}/tool.css', page.url)}?v={runtime.asset_version(config, 'tool.css')}"
    return output.replace("</head>", f'<link rel="stylesheet" href="{css}">\n</head>')


@event_priority(-50)  # before i18n's post_build (-100), which runs the nested language builds
def on_post_build(config: MkDocsConfig) -> None:
    # i18n builds each other language into the same site_dir from inside the default language's
    # post_build; those nested builds call this too. The runtime is shared, so copy it only once.
    if i18n.is_nested_build(config):
        return
    runtime.copy_runtime(runtime.build_runtime(), Path(config.site_dir))
