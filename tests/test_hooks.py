"""The build hooks stop the build, with a message that says what to fix, when their input is wrong.

Each case copies the site's sources into a temporary folder, breaks one thing, and builds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT

SOURCES = ("mkdocs.yml", "docs", "overrides", "snippets")


def copy_project(target: Path) -> Path:
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(project / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )


def remove(relative: str) -> Callable[[Path], None]:
    return lambda project: (project / relative).unlink()


def replace_in(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} no longer contains {old!r}: update this test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def add(relative: str, text: str) -> Callable[[Path], None]:
    return lambda project: (project / relative).write_text(text, encoding="utf-8")


BREAKAGES = {
    "page outside every language": (add("docs/stray.md", "# Stray\n"), r"cannot tell the language of stray\.md"),
    "missing glossary": (remove("snippets/glossary-en.md"), r"glossary-en\.md is missing"),
    "missing tool strings": (remove("overrides/order-tool/strings/en.json"), r"no UI strings for language 'en'"),
    "tool strings with other keys": (
        replace_in("overrides/order-tool/strings/en.json", '"copy":', '"kopy":'),
        r"differ in keys",
    ),
    "suffix layout": (replace_in("mkdocs.yml", "docs_structure: folder", "docs_structure: suffix"), r"docs_structure: folder"),
    "two tools on one page": (
        replace_in("docs/sv/ordernummer-ur-mejl.md", "<!-- order-tool -->", "<!-- order-tool -->\n\n<!-- order-tool -->"),
        r"one tool per page",
    ),
    "no CSP placeholder": (replace_in("overrides/main.html", "__CSP__", "default-src *"), r"placeholder"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_build_stops_on_wrong_input(breakage: str, tmp_path: Path) -> None:
    change, message = BREAKAGES[breakage]
    project = copy_project(tmp_path)
    change(project)
    result = build(project)
    assert result.returncode != 0, f"{breakage}: the build passed"
    assert re.search(message, result.stderr + result.stdout), (result.stderr + result.stdout)[-2000:]


def test_every_kind_the_extractor_sets_aside_has_its_words_in_every_language() -> None:
    """The tool names why a number was set aside from `kind_<kind>`; a kind without words would fall
    back to a bare "not the order number" and hide the reason."""
    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        from order_number import reconciling
    finally:
        sys.path.remove(str(ROOT / "snippets"))
    kinds = [*reconciling._SET_ASIDE_KINDS, "other_shop_order"]
    assert "short_order" in kinds and "package" in kinds
    for strings in sorted((ROOT / "overrides" / "order-tool" / "strings").glob("*.json")):
        missing = [kind for kind in kinds if f'"kind_{kind}"' not in strings.read_text(encoding="utf-8")]
        assert missing == [], f"{strings.name} has no words for {missing}"
