"""Lighthouse (npm lighthouse 12.2.3, Debian's Chromium) scores accessibility, best practices and SEO
at 100 on the start page, one guide page and the tool page, in each language.

Those three categories are stable from run to run, so they are asserted; the noisy performance
score is printed by `make bench` (tests/bench/bench_lighthouse.py). One Chromium runs every page in
sequence for each language (tests/lighthouse_run.mjs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import LANGUAGES, ROOT, page_url_path
from site_server import chromium_executable

RUNNER = ROOT / "tests" / "lighthouse_run.mjs"
PAGES = ("index.md", "hitta-ordernumret.md", "ordernummer-ur-mejl.md")
CATEGORIES = ("accessibility", "best-practices", "seo")


def run_lighthouse(server_url: str, categories: tuple[str, ...], paths: list[str]) -> list[dict]:
    """Lighthouse's findings for each path, from one Chromium."""
    node = shutil.which("node")
    assert node is not None, "node is not installed"
    assert (ROOT / "node_modules" / "lighthouse").is_dir(), "node_modules/lighthouse is missing: run `make setup`"
    done = subprocess.run(
        [node, str(RUNNER), ",".join(categories), *(server_url + path for path in paths)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "CHROME_PATH": chromium_executable() or "/usr/bin/chromium"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
def test_accessibility_best_practices_and_seo_are_100(server_url: str, lang: str) -> None:
    # One language per test, so that pytest-xdist can spread the five Lighthouse runs (about 10 s
    # each) over its workers instead of one worker taking nearly a minute at the end.
    paths = [page_url_path(name, lang) for name in PAGES]
    results = run_lighthouse(server_url, CATEGORIES, paths)
    assert [result["url"] for result in results] == [server_url + path for path in paths]
    problems = {
        result["url"].removeprefix(server_url): {
            category: result["failing"][category] for category in CATEGORIES if result["scores"][category] != 100
        }
        for result in results
        if result["runtimeError"] or any(result["scores"][category] != 100 for category in CATEGORIES)
    }
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
