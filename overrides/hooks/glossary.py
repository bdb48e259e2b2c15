"""Append the glossary of the page's language to every page, so that its terms get tooltips.

The glossaries are pymdownx abbreviation lists (`*[ordernummer]: …`) in snippets/glossary-<lang>.md.
Each page gets one line appended, `--8<-- "glossary-<lang>.md"`, which pymdownx.snippets pulls in and
the abbr extension turns into <abbr title="…"> around every use of a term (Material shows the title as
a tooltip, with `content.tooltips`).

The language is the first folder of the page's source path (`sv/…`, `en/…`), as
mkdocs-static-i18n's `docs_structure: folder` lays the pages out. Like the other hooks, this fails the
build rather than guess: a page outside a built language's folder, or a built language without a
glossary file, is an error.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

SNIPPETS_EXTENSION = "pymdownx.snippets"


def _built_languages(config: MkDocsConfig) -> list[str]:
    plugin = config.plugins.get("i18n")
    if plugin is None:
        raise PluginError("glossary: the mkdocs-static-i18n plugin is not enabled")
    if plugin.config.docs_structure != "folder":
        raise PluginError("glossary: expects i18n docs_structure: folder")
    return [lang.locale for lang in plugin.config.languages if lang.build]


def _snippet_dirs(config: MkDocsConfig) -> list[Path]:
    """The snippets base paths, resolved against the folder that holds mkdocs.yml."""
    if SNIPPETS_EXTENSION not in config.markdown_extensions:
        raise PluginError(f"glossary: the {SNIPPETS_EXTENSION} extension is not enabled")
    base_paths = config.mdx_configs.get(SNIPPETS_EXTENSION, {}).get("base_path", ["."])
    if isinstance(base_paths, str):
        base_paths = [base_paths]
    root = Path(config.config_file_path).parent
    return [root / base for base in base_paths]


def glossary_name(locale: str) -> str:
    return f"glossary-{locale}.md"


def _check_glossaries(config: MkDocsConfig) -> None:
    dirs = _snippet_dirs(config)
    for locale in _built_languages(config):
        name = glossary_name(locale)
        if not any((folder / name).is_file() for folder in dirs):
            looked = ", ".join(str(folder) for folder in dirs)
            raise PluginError(f"glossary: {name} is missing for built language '{locale}' (looked in {looked})")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _check_glossaries(config)  # fail before anything is built
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    languages = _built_languages(config)
    locale = page.file.src_uri.split("/", 1)[0] if "/" in page.file.src_uri else ""
    if locale not in languages:
        raise PluginError(
            f"glossary: cannot tell the language of {page.file.src_uri} "
            f"(expected it under one of: {', '.join(lang + '/' for lang in languages)})"
        )
    _check_glossaries(config)
    return markdown.rstrip("\n") + f'\n\n--8<-- "{glossary_name(locale)}"\n'
