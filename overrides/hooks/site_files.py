"""What reaches site/: nothing from overrides/ but rendered templates, and versioned URLs for our assets.

* MkDocs copies every file in the theme's `custom_dir` that is not a template into the site
  (`Files.add_files_from_theme`, mkdocs/structure/files.py). Our `overrides/` holds templates, but
  also build inputs (the hooks' Node script, the tool's UI strings) that must not be published. So
  no file from `custom_dir` is copied: the templates are rendered, and a file the site serves lives
  under `docs/` (`docs/assets/…`).
* Hosts may cache our stylesheets and the favicon for a year (see README, "Hosting"), so their URLs
  carry `?v=<content hash>`: a reader gets the new file right after a deploy. Material's own assets
  already have a hash in their file names; the tool's and Pyodide's are versioned by order_tool.py.

Like the other hooks, this fails the build on anything it does not understand.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

# Assets this hook versions: every extra_css entry under this folder (docs/assets/stylesheets/).
STYLESHEETS = "assets/stylesheets/"


def versioned(config: MkDocsConfig, path: str) -> str:
    """`path` (relative to docs_dir) with `?v=` and the first 10 hex digits of its content's sha256."""
    source = Path(config.docs_dir) / path
    if not source.is_file():
        raise PluginError(f"site_files: {path} is named in mkdocs.yml but {source} does not exist")
    return f"{path}?v={hashlib.sha256(source.read_bytes()).hexdigest()[:10]}"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # i18n runs on_config again for each language on the same config: version each entry once.
    config.extra_css = [
        versioned(config, css) if css.startswith(STYLESHEETS) and "?" not in css else css
        for css in config.extra_css
    ]
    favicon = config.theme["favicon"]
    if favicon and "?" not in favicon:
        config.theme["favicon"] = versioned(config, favicon)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Drop every file that comes from custom_dir: those are build inputs, not the site's assets."""
    custom_dir = config.theme.custom_dir
    if not custom_dir:
        raise PluginError("site_files: expects theme.custom_dir (overrides/)")
    custom = Path(custom_dir).resolve()
    for file in list(files):
        if file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(custom):
            files.remove(file)
    return files
