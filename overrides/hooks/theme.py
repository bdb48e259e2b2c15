"""Material's own templates under the name `material/…`, so a partial override can extend one.

A file in `overrides/partials/` replaces Material's partial of the same name, and Jinja has no
`super()` for an include. With Material's template folder also reachable under the prefix
`material/`, an override renders Material's partial (`{% include "material/partials/search.html" %}`)
and adds to it, instead of copying it. Checked with mkdocs-material 9.8.1 (see i18n.py's list of the
Material internals this project relies on).
"""

from __future__ import annotations

from pathlib import Path

import material
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

MATERIAL_TEMPLATES = Path(material.__file__).parent / "templates"


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if not (MATERIAL_TEMPLATES / "partials" / "search.html").is_file():
        raise PluginError(f"theme: Material's templates are not in {MATERIAL_TEMPLATES}")
    if env.loader is None:
        raise PluginError("theme: the theme's Jinja environment has no loader")
    env.loader = ChoiceLoader([env.loader, PrefixLoader({"material": FileSystemLoader(str(MATERIAL_TEMPLATES))})])
    return env
