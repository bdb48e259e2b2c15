"""The tool's trimmed Python runtime runs the extractor exactly like Pyodide's full one.

The build packs only the standard-library modules the extractor loads, compiled to bytecode, into
the tool's `python_stdlib.bin`, a gzipped zip (overrides/hooks/order_tool_runtime.py). Here the whole test corpus
(every mail fixture and the extra inputs of test_order_number_pyodide.py) runs under Pyodide in Node
on that trimmed zip, and each output must be byte-identical to CPython's. The same runs on Python
restored from the published snapshot, with the zip a restored Python imports from. A module the trimming dropped but
some mail needs shows up here as a failure, not in a reader's browser.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from test_order_number_pyodide import EXTRA_INPUTS, FIXTURE_NAMES, FIXTURES, RUNNER, on, run_corpus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trimmed_stdlib(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published python_stdlib.bin as the zip Pyodide gets: it is gzipped as a whole, and the
    worker inflates it (withEarlyFetches)."""
    published = list((site_dir / "assets" / "pyodide").glob("*/python_stdlib.bin"))
    assert len(published) == 1, published
    trimmed = tmp_path_factory.mktemp("stdlib") / "python_stdlib.zip"
    trimmed.write_bytes(gzip.decompress(published[0].read_bytes()))
    full = ROOT / "node_modules" / "pyodide" / "python_stdlib.zip"
    with zipfile.ZipFile(full) as pyodide_zip, zipfile.ZipFile(trimmed) as tool_zip:
        full_names, names = pyodide_zip.namelist(), tool_zip.namelist()
        # Stored, so gzip packs across modules: smaller than the same zip deflated file by file.
        assert {entry.compress_type for entry in tool_zip.infolist()} == {zipfile.ZIP_STORED}
    deflated = io.BytesIO()
    with zipfile.ZipFile(trimmed) as source, zipfile.ZipFile(deflated, "w") as target:
        for entry in source.infolist():
            # compress_type too: given a ZipInfo, writestr keeps the entry's own (stored).
            target.writestr(entry, source.read(entry), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    assert published[0].stat().st_size < 0.9 * len(deflated.getvalue())

    def top_level(names: list[str]) -> set[str]:
        return {name.split("/")[0].removesuffix(".pyc").removesuffix(".py") for name in names}

    assert len(top_level(names)) < len(top_level(full_names)) / 1.5, "the zip is not trimmed"
    # Compiled: a plain start spends most of its CPU compiling the modules it imports.
    assert [name for name in names if name.endswith(".py")] == [], "the zip holds source, not bytecode"
    assert "email/parser.pyc" in names
    return trimmed


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


def python_in_pyodide(tmp_path: Path, python: str, options: str = "{}", setup: str = "") -> object:
    """What `python`'s last expression gives (JSON text) in Pyodide under Node: loadPyodide(options),
    then the JavaScript `setup` (which may use `pyodide` and `readFileSync`), then the code."""
    script = tmp_path / "run.mjs"
    script.write_text(
        'import { readFileSync } from "node:fs";\n'
        f'const {{ loadPyodide }} = await import("{(ROOT / "node_modules" / "pyodide" / "pyodide.mjs").as_uri()}");\n'
        f"const pyodide = await loadPyodide({options});\n"
        f"{setup}\n"
        f"console.log(pyodide.runPython({json.dumps(python)}));\n",
        encoding="utf-8",
    )
    done = subprocess.run([shutil.which("node") or "node", str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_compiled_library_keeps_line_numbers_but_not_columns(trimmed_stdlib: Path, tmp_path: Path) -> None:
    # The build compiles the library as `python -X no_debug_ranges` would (order_tool_snapshot.mjs):
    # the columns of each instruction made it a third bigger on the wire, and only a traceback's
    # ^^^ reads them. Line numbers stay, so a traceback still says where. Checked on the bytecode
    # itself, in the Python that runs it (3.14's code objects are not CPython 3.11's to read).
    positions = python_in_pyodide(tmp_path, """
import email.feedparser, json
assert email.feedparser.__spec__.origin.endswith(".pyc"), email.feedparser.__spec__.origin
code = email.feedparser.FeedParser._parsegen.__code__
json.dumps(sorted({(line is not None, column is not None) for line, _, column, _ in code.co_positions()}))
""", options=f"{{ stdLibURL: {json.dumps(str(trimmed_stdlib))} }}")
    # Every instruction of a real method has a line and no column (a few may have neither).
    assert positions in ([[True, False]], [[False, False], [True, False]])


def test_the_extractor_imports_from_its_bytecode_and_only_while_it_matches(site_dir: Path, tmp_path: Path) -> None:
    # The worker unpacks order_number.zip and imports the package. Python must take every module from
    # the bytecode beside it (compiling none: that was half the import's time), and that bytecode
    # must be the source's: a changed module with the old bytecode beside it is compiled anew.
    published = site_dir / "assets" / "order-tool" / "order_number.zip"
    first, after_change, changed = python_in_pyodide(tmp_path, """
import importlib._bootstrap_external as external, importlib.util, json, os, sys
compiled = []
to_code = external.SourceLoader.source_to_code
def recording(self, data, path, **options):
    compiled.append(os.path.basename(path))
    return to_code(self, data, path, **options)
external.SourceLoader.source_to_code = recording
import order_number, order_number.cli
# Not imported: importing __main__ runs the command line.
importlib.util.find_spec("order_number.__main__").loader.get_code("order_number.__main__")
first = sorted(compiled)
# A module changed after the build: its bytecode no longer matches, so it is compiled.
with open("/home/pyodide/order_number/api.py", "a") as module:
    module.write("\\nCHANGED = True\\n")
del sys.modules["order_number.api"]
import order_number.api
json.dumps([first, sorted(compiled), order_number.api.CHANGED])
""", setup=f"pyodide.unpackArchive(new Uint8Array(readFileSync({json.dumps(str(published))})), 'zip', "
           "{ extractDir: '/home/pyodide' });")
    assert first == [], f"compiled from source although bytecode was shipped: {first}"
    assert after_change == ["api.py"] and changed is True


# ---------------------------------------------------------------- the published snapshot

@pytest.fixture(scope="module")
def snapshot_files(site_dir: Path) -> tuple[Path, Path]:
    """The published snapshot and the zip a restored Python imports from."""
    rests = list((site_dir / "assets" / "pyodide").glob("*/python_stdlib_rest.zip"))
    assert len(rests) == 1, rests
    return site_dir / "assets" / "order-tool" / "python-snapshot.bin", rests[0]


@pytest.fixture(scope="module")
def snapshot_run(snapshot_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    node = shutil.which("node")
    assert node is not None, "node is not installed"
    snapshot, rest = snapshot_files
    env = {**os.environ, "PYODIDE_SNAPSHOT": str(snapshot), "PYODIDE_STDLIB": str(rest)}
    return run_corpus(node, tmp_path_factory.mktemp("snapshot-inputs"), env)


@pytest.mark.parametrize("name", FIXTURE_NAMES + sorted(EXTRA_INPUTS))
def test_restored_snapshot_gives_the_same_json_as_cpython(snapshot_run, name: str) -> None:
    # The worker's fast start: Python restored from the published snapshot, with only the rest of the
    # standard library to import from. A lazy import the snapshot missed fails here.
    data = EXTRA_INPUTS[name] if name in EXTRA_INPUTS else (FIXTURES / name).read_bytes()
    assert snapshot_run[0][name] == on.run_json(data)


def test_rest_zip_leaves_out_what_the_snapshot_holds(trimmed_stdlib: Path, snapshot_files: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(trimmed_stdlib) as trimmed, zipfile.ZipFile(snapshot_files[1]) as rest:
        rest_names = set(rest.namelist())
        # The rest is source (it is rarely read), the published zip bytecode: compare the modules.
        compiled = {name + "c" if name.endswith(".py") else name for name in rest_names}
        assert compiled < set(trimmed.namelist())
    # Modules every run needs are in the snapshot, so not in the zip; a codec no warm-up used is.
    assert {"email/parser.py", "re/__init__.py", "json/decoder.py"}.isdisjoint(rest_names)
    assert "encodings/koi8_r.py" in rest_names


def test_a_delta_left_as_it_is_is_refused(snapshot_files: tuple[Path, Path], tmp_path: Path) -> None:
    # The published snapshot is a delta against the wasm's data. If the worker ever failed to turn it
    # back, Pyodide must refuse it (and the worker start Python the plain way), never restore a
    # corrupt interpreter. Here the delta goes to Pyodide as published, gunzipped, its zeros back.
    script = tmp_path / "restore.mjs"
    script.write_text(
        'import { readFileSync } from "node:fs";\n'
        'import { gunzipSync } from "node:zlib";\n'
        f'const {{ loadPyodide }} = await import("{(ROOT / "node_modules" / "pyodide" / "pyodide.mjs").as_uri()}");\n'
        f'const {{ unpackZeros }} = await import("{(ROOT / "docs" / "assets" / "order-tool" / "snapshot-delta.mjs").as_uri()}");\n'
        f'const bytes = unpackZeros(new Uint8Array(gunzipSync(readFileSync({str(snapshot_files[0])!r}))));\n'
        f'try {{ await loadPyodide({{ _loadSnapshot: bytes, stdLibURL: {str(snapshot_files[1])!r} }}); console.log("restored"); }}\n'
        'catch (error) { console.log(`refused: ${error.message.split("\\n")[0]}`); }\n',
        encoding="utf-8",
    )
    done = subprocess.run([shutil.which("node") or "node", str(script)], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "refused: Snapshot has invalid magic number", done.stdout + done.stderr


def test_snapshot_is_small(snapshot_files: tuple[Path, Path]) -> None:
    # Zeroed free memory and the delta took it from 7.3 MB to about 4.6 MB (gzip). Creeping back up
    # costs every reader on a fast link a second.
    assert snapshot_files[0].stat().st_size < 5_000_000


def test_zero_runs_come_back_exactly_and_a_cut_file_is_refused(tmp_path: Path) -> None:
    # snapshot-delta.mjs leaves the snapshot's runs of zero blocks out of the published file. Made
    # here: 2,000 bytes with zeros at 256-767 (two whole blocks, left out), a zero byte inside a
    # non-zero block (kept), and a short last block.
    script = tmp_path / "zeros.mjs"
    script.write_text(
        f'const {{ packZeros, unpackZeros }} = await import("{(ROOT / "docs" / "assets" / "order-tool" / "snapshot-delta.mjs").as_uri()}");\n'
        "const bytes = new Uint8Array(2000).map((_, i) => (i >= 256 && i < 768) || i === 900 ? 0 : 1 + (i % 200));\n"
        "const packed = packZeros(bytes);\n"
        "const back = unpackZeros(packed);\n"
        "const same = back.length === bytes.length && back.every((byte, i) => byte === bytes[i]);\n"
        "const refused = [packed.subarray(0, packed.length - 1), packed.subarray(4)].map((cut) => {\n"
        "  try { unpackZeros(cut); return false; } catch { return true; }\n"
        "});\n"
        "console.log(JSON.stringify({ packed: packed.length, same, refused }));\n",
        encoding="utf-8",
    )
    done = subprocess.run([shutil.which("node") or "node", str(script)], capture_output=True, text=True, timeout=60)
    result = json.loads(done.stdout)
    # Header 8 bytes; runs 0-255 and 768-1999, each with an 8-byte header: 8 + 264 + 1240.
    assert result == {"packed": 8 + (8 + 256) + (8 + 1232), "same": True, "refused": [True, True]}, done.stderr
