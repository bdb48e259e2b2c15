"""The order-number tool: put it into its page and ship what it runs.

* A page places the tool with one line, `<!-- order-tool -->`. We replace it with the markup from
  `overrides/partials/order-tool.html`, rendered with that page's language strings
  (`overrides/order-tool/strings/<locale>.json`), which are also embedded as JSON for the script, so
  the browser needs no extra request for them.
* The extractor the browser runs is `snippets/order_number.py` itself, copied into the build at
  `/assets/order-tool/order_number.py`. There is no second copy to drift.
* The Pyodide runtime is copied from `node_modules/pyodide` to `/assets/pyodide/` once per build,
  not once per language, and nothing from a CDN is ever referenced.
* A memory snapshot of Python with the extractor imported (`order_tool_snapshot.mjs`, run with
  Node.js) goes to `/assets/order-tool/python-snapshot.bin`. Restoring it instead of booting
  CPython and importing `email` makes the tool ready several times sooner. It is cached in
  `node_modules/.cache/order-tool/` under a hash of everything it is made from.

Asset URLs carry `?v=<content hash>`, so a static host may cache them for a long time and a reader
still gets the new file after a deploy.

Like the other hooks, this fails the build on anything it does not understand.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

PLACEHOLDER = "<!-- order-tool -->"
TEMPLATE = "partials/order-tool.html"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PYODIDE_DEST = "assets/pyodide"
TOOL_DIR = "assets/order-tool"  # under docs_dir: tool.js, worker.js, tool.css
TOOL_FILES = ("tool.js", "worker.js", "tool.css")
EXTRACTOR_NAME = "order_number.py"
SNAPSHOT_NAME = "python-snapshot.bin"  # gzip inside; a neutral suffix so no host re-encodes it
SNAPSHOT_SCRIPT = Path(__file__).with_name("order_tool_snapshot.mjs")
# Pages the tool links to, by file name; each language has them under the same name.
LINKED_PAGES = {"manual_url": "hitta-ordernumret.md", "tracking_url": "spara-paketet.md"}
PLACEHOLDER_FIELD = re.compile(r"\{(\w+)\}")

def _root(config: MkDocsConfig) -> Path:
    if not config.config_file_path:
        raise PluginError("order_tool: cannot locate the project root (no config file path)")
    return Path(config.config_file_path).resolve().parent


def _pyodide_dir(config: MkDocsConfig) -> Path:
    folder = _root(config) / "node_modules" / "pyodide"
    missing = [name for name in PYODIDE_FILES if not (folder / name).is_file()]
    if missing:
        raise PluginError(f"order_tool: {folder} lacks {', '.join(missing)}; run `npm ci` (or `make setup`)")
    return folder


def _extractor(config: MkDocsConfig) -> Path:
    path = _root(config) / "snippets" / EXTRACTOR_NAME
    if not path.is_file():
        raise PluginError(f"order_tool: the extractor {path} is missing")
    return path


def _max_input_bytes(source: str) -> int:
    """MAX_INPUT_BYTES from the extractor's source, so the page states the same limit it enforces.

    Read with ast rather than importing: the build should not execute the snippet.
    """
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "MAX_INPUT_BYTES" for t in targets) and node.value:
                value = _constant_int(node.value)
                if value > 0:
                    return value
    raise PluginError("order_tool: snippets/order_number.py defines no positive MAX_INPUT_BYTES")


def _constant_int(node: ast.expr) -> int:
    """Evaluate an int literal or a product/sum of them (e.g. 5 * 1024 * 1024)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Pow)):
        left, right = _constant_int(node.left), _constant_int(node.right)
        if isinstance(node.op, ast.Mult):
            return left * right
        return left + right if isinstance(node.op, ast.Add) else left**right
    raise PluginError("order_tool: MAX_INPUT_BYTES must be an integer expression of literals")


def _locales(config: MkDocsConfig) -> tuple[str, list[str]]:
    """The default locale and every built locale, from the i18n plugin's config."""
    plugin = config.plugins.get("i18n")
    if plugin is None:
        raise PluginError("order_tool: the mkdocs-static-i18n plugin is not enabled")
    built = [lang for lang in plugin.config.languages if lang.build]
    defaults = [lang.locale for lang in built if lang.default]
    if len(defaults) != 1:
        raise PluginError(f"order_tool: expected one default language, got {defaults}")
    return defaults[0], [lang.locale for lang in built]


def _strings_dir(config: MkDocsConfig) -> Path:
    return _root(config) / "overrides" / "order-tool" / "strings"


def _load_strings(config: MkDocsConfig, locale: str) -> dict[str, str]:
    path = _strings_dir(config) / f"{locale}.json"
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
    default, locales = _locales(config)
    reference = _load_strings(config, default)
    for locale in locales:
        strings = _load_strings(config, locale)
        if strings.keys() != reference.keys():
            diff = sorted(strings.keys() ^ reference.keys())
            raise PluginError(f"order_tool: strings/{locale}.json and {default}.json differ in keys: {diff}")
        for key, text in strings.items():
            if set(PLACEHOLDER_FIELD.findall(text)) != set(PLACEHOLDER_FIELD.findall(reference[key])):
                raise PluginError(f"order_tool: strings/{locale}.json '{key}' has other placeholders than {default}")


def _check_tool_files(config: MkDocsConfig) -> None:
    folder = Path(config.docs_dir) / TOOL_DIR
    missing = [name for name in TOOL_FILES if not (folder / name).is_file()]
    if missing:
        raise PluginError(f"order_tool: {folder} lacks {', '.join(missing)}")
    if f"{TOOL_DIR}/tool.css" not in [str(css) for css in config.extra_css]:
        raise PluginError(f"order_tool: add {TOOL_DIR}/tool.css to extra_css in mkdocs.yml")


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _snapshot_key(config: MkDocsConfig) -> str:
    """A hash of everything the snapshot is made from: runtime, extractor, and the script."""
    digest = hashlib.sha256()
    pyodide = _pyodide_dir(config)
    for path in [*(pyodide / name for name in PYODIDE_FILES), _extractor(config), SNAPSHOT_SCRIPT]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _make_snapshot(config: MkDocsConfig) -> Path:
    """The cached snapshot for the current inputs, made with Node.js when there is none."""
    key = _snapshot_key(config)
    cache = _root(config) / "node_modules" / ".cache" / "order-tool"
    target = cache / f"snapshot-{key}.bin"
    if target.is_file():
        return target
    node = shutil.which("node")
    if node is None:
        raise PluginError("order_tool: Node.js (`node`) is needed to build the Python snapshot")
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("snapshot-*.bin"):
        old.unlink()  # one snapshot is enough; each is 7 MB
    partial = target.with_suffix(".partial")
    command = [node, str(SNAPSHOT_SCRIPT), str(_pyodide_dir(config)), str(_extractor(config)), str(partial)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 or not partial.is_file():
        raise PluginError(f"order_tool: making the Python snapshot failed:\n{done.stdout}{done.stderr}")
    partial.replace(target)  # only complete snapshots get the real name
    return target


_snapshot: Path | None = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # Validate everything up front, so a broken setup fails before any page is built.
    global _snapshot
    _pyodide_dir(config)
    _max_input_bytes(_extractor(config).read_text(encoding="utf-8"))
    _check_strings(config)
    _check_tool_files(config)
    _snapshot = _make_snapshot(config)  # cached: the second language finds it made
    return config


def _template_env(config: MkDocsConfig) -> Environment:
    """The theme's template folders, but autoescaped, and a typo in a string key is an error.

    MkDocs' own theme environment does not autoescape; this partial puts UI strings into attributes.
    """
    return Environment(
        loader=FileSystemLoader(config.theme.dirs), autoescape=True, undefined=StrictUndefined
    )


def _linked_page_url(files: Files, name: str, page: Page) -> str:
    """The URL of the same-language page `name`, relative to `page`."""
    # i18n keeps only the current language's pages in `files`; norm_src_uri drops the language folder.
    for file in files.documentation_pages():
        if getattr(file, "norm_src_uri", file.src_uri) == name:
            return get_relative_url(file.url, page.url)
    raise PluginError(f"order_tool: {page.file.src_uri} links to {name}, which this language lacks")


def _asset_url(config: MkDocsConfig, page: Page, name: str) -> str:
    data = (Path(config.docs_dir) / TOOL_DIR / name).read_bytes()
    return f"{get_relative_url(f'{TOOL_DIR}/{name}', page.url)}?v={_short_hash(data)}"


def _script_json(value: object) -> Markup:
    """JSON that is safe inside <script type="application/json">: no "</" or "<!--" can end it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_tool(page: Page, config: MkDocsConfig, files: Files) -> str:
    locale = config.plugins["i18n"].current_language
    strings = _load_strings(config, locale)
    extractor = _extractor(config).read_bytes()
    pyodide = _pyodide_dir(config)
    max_bytes = _max_input_bytes(extractor.decode("utf-8"))
    if _snapshot is None:
        raise PluginError("order_tool: on_config did not run")
    snapshot_version = _snapshot.stem.removeprefix("snapshot-")
    sizes = {name: (pyodide / name).stat().st_size for name in PYODIDE_FILES if name != "pyodide.mjs"}
    tool_config = {
        "worker": _asset_url(config, page, "worker.js"),
        "extractor": f"{get_relative_url(f'{TOOL_DIR}/{EXTRACTOR_NAME}', page.url)}?v={_short_hash(extractor)}",
        "snapshot": f"{get_relative_url(f'{TOOL_DIR}/{SNAPSHOT_NAME}', page.url)}?v={snapshot_version}",
        "maxBytes": max_bytes,
        # Byte sizes of the downloads, so the progress bar can weigh each finished one.
        "sizes": {**sizes, SNAPSHOT_NAME: _snapshot.stat().st_size},
    }
    links = {key: _linked_page_url(files, name, page) for key, name in LINKED_PAGES.items()}
    return _template_env(config).get_template(TEMPLATE).render(
        t=strings,
        strings_json=_script_json(strings),
        config_json=_script_json({**tool_config, **links}),
        script_url=_asset_url(config, page, "tool.js"),
        max_size=strings["size_mb"].replace("{n}", f"{max_bytes / (1024 * 1024):g}"),
        **links,
    )


_files: Files | None = None


@event_priority(-110)  # after i18n's own on_files (-100) has swapped in this language's files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _files
    _files = files  # this language's pages, to link to the manual steps in the same language
    return files


# In the final HTML rather than in page.content: the search index is built from page.content, and
# the tool's labels and JSON do not belong in it. csp.py (priority -200) then hashes the result.
@event_priority(-150)
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    count = output.count(PLACEHOLDER)
    if count == 0:
        return output
    if count > 1:
        raise PluginError(f"order_tool: {page.file.src_uri} has {count} {PLACEHOLDER} lines; one tool per page")
    if _files is None:
        raise PluginError("order_tool: on_files did not run")
    return output.replace(PLACEHOLDER, render_tool(page, config, _files))


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy unless an identical file is already there (`mkdocs serve` rebuilds often; the wasm is 9 MB)."""
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        if target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


@event_priority(-50)  # before i18n's post_build (-100), which runs the nested language builds
def on_post_build(config: MkDocsConfig) -> None:
    # i18n builds each other language into the same site_dir from inside the default language's
    # post_build; those nested builds call this too. The runtime is shared, so copy it only once.
    if config.plugins["i18n"].building:
        return
    site = Path(config.site_dir)
    pyodide = _pyodide_dir(config)
    for name in PYODIDE_FILES:
        _copy_if_changed(pyodide / name, site / PYODIDE_DEST / name)
    # Shipped byte for byte: the browser runs exactly the file the Python tests test.
    _copy_if_changed(_extractor(config), site / TOOL_DIR / EXTRACTOR_NAME)
    if _snapshot is None:
        raise PluginError("order_tool: on_config did not run")
    _copy_if_changed(_snapshot, site / TOOL_DIR / SNAPSHOT_NAME)
