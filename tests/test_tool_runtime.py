"""The tool's trimmed Python runtime runs the extractor exactly like Pyodide's full one.

The build packs only the standard-library modules the extractor loads into the tool's
`python_stdlib.zip` (overrides/hooks/order_tool_runtime.py). Here the whole test corpus (every mail
fixture and the extra inputs of test_order_number_pyodide.py) runs under Pyodide in Node on that
trimmed zip, and each output must be byte-identical to CPython's. A module the trimming dropped but
some mail needs shows up here as a failure, not in a reader's browser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_order_number_pyodide import EXTRA_INPUTS, FIXTURE_NAMES, FIXTURES, RUNNER, on, run_corpus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trimmed_stdlib(site_dir: Path) -> Path:
    zips = list((site_dir / "assets" / "pyodide").glob("*/python_stdlib.zip"))
    assert len(zips) == 1, zips
    full = ROOT / "node_modules" / "pyodide" / "python_stdlib.zip"
    assert zips[0].stat().st_size < full.stat().st_size / 1.5, "the zip is not trimmed"
    return zips[0]


@pytest.fixture(scope="module")
def trimmed_run(trimmed_stdlib: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    node = shutil.which("node")
    assert node is not None, "node is not installed"
    env = {**os.environ, "PYODIDE_STDLIB": str(trimmed_stdlib)}
    return run_corpus(node, tmp_path_factory.mktemp("trimmed-inputs"), env)


@pytest.mark.parametrize("name", FIXTURE_NAMES + sorted(EXTRA_INPUTS))
def test_trimmed_runtime_gives_the_same_json_as_cpython(trimmed_run, name: str) -> None:
    data = EXTRA_INPUTS[name] if name in EXTRA_INPUTS else (FIXTURES / name).read_bytes()
    assert trimmed_run[0][name] == on.run_json(data)


def test_the_runner_honours_the_zip_it_is_given(tmp_path: Path) -> None:
    # Without this, a runner that ignored PYODIDE_STDLIB would pass the comparison above on the full zip.
    broken = tmp_path / "python_stdlib.zip"
    broken.write_bytes(b"not a zip")
    done = subprocess.run([shutil.which("node") or "node", str(RUNNER), str(FIXTURES / FIXTURE_NAMES[0])],
                          capture_output=True, timeout=300, env={**os.environ, "PYODIDE_STDLIB": str(broken)})
    assert done.returncode != 0 and done.stdout == b""
