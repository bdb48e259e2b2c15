"""What the order-number tool runs in the browser, and the versioned URLs it is served under.

Imported by the hook `order_tool.py` (MkDocs puts a hook's folder on sys.path while it loads it);
this module defines no MkDocs events itself.

* **Pyodide** comes from the pinned npm package (`node_modules/pyodide`) and is copied to
  `/assets/pyodide/<hash>/`, once per build, not once per language. The folder is named by a hash of
  its contents, so a host may cache it for a long time and an upgrade never mixes old and new files.
* **A trimmed standard library**: only the top-level modules and packages the extractor loads (listed
  by running it under Pyodide in Node), compiled to bytecode, packed into a zip and gzipped as
  `python_stdlib.bin` in that folder, passed to `loadPyodide` as `stdLibURL` on a plain start (the
  worker inflates it). A restored snapshot gets
  `python_stdlib_rest.zip`: the modules the snapshot does not hold yet.
* **The extractor** is the package `snippets/order_number/` itself: its modules packed byte for
  byte into one zip, `/assets/order-tool/order_number.zip?v=<hash>` (fixed timestamps, so the same
  files give the same bytes), which the worker unpacks into Pyodide's file system. Beside each module
  the zip holds its bytecode, checked against the module's hash as Python imports it. The modules are
  also served as plain files under `/assets/order-tool/order_number/` for the page's code viewer.
  There is no second copy to drift.
* **A memory snapshot** of Python with the extractor imported (`order_tool_snapshot.mjs`), at
  `/assets/order-tool/python-snapshot.bin?v=<hash>`, made on the trimmed library. Restoring it
  instead of booting CPython and importing `email` makes a later start (it is fetched after the
  first result) about twice as fast. Its free heap is zeroed, and it leaves out the wasm's own data
  (`snapshot-delta.mjs`).
* **Compressed copies**: `.gz` and `.br` next to the large runtime files, for hosts that send
  precompressed files (nginx `gzip_static`, `brotli_static`).

Everything made here is cached in `node_modules/.cache/order-tool/<key>/`, where the key is a hash
of everything it is made from. Nothing is kept in module globals: each function recomputes the key
(hashing 12 MB takes a few milliseconds) and finds the cached files.

Fails the build, with a message saying what to do, on anything missing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.order_tool")

ROOT = Path(__file__).resolve().parent.parent.parent  # overrides/hooks/ -> the project
PYODIDE_SOURCE = ROOT / "node_modules" / "pyodide"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json")
# Pyodide's own full library in node_modules/pyodide; in the cache, the trimmed one compiled (its
# entries stored), which PUBLISHED_STDLIB gzips.
FULL_STDLIB = "python_stdlib.zip"
# What a Python restored from the snapshot may still import: the trimmed zip less every module the
# snapshot already holds (order_tool_snapshot.mjs, KEEP_ONLY_THE_REST). The worker's snapshot
# start loads this one instead.
REST_STDLIB = "python_stdlib_rest.zip"
# The trimmed library as source (.py, as Pyodide ships it): the snapshot is made on it, and the
# published library (PUBLISHED_STDLIB) is the same modules compiled (.pyc: docstrings and asserts
# left out, as `python -OO` does, and the columns of each instruction, as `-X no_debug_ranges`
# does). Pyodide's zip has no bytecode, so a plain start compiled every module it imported: 2 of
# its 3 s of CPU. Cache only.
SOURCE_STDLIB = "python_stdlib_source.zip"
# What the plain start downloads: the compiled zip (its entries stored, not deflated) gzipped as a
# whole, 1.32 MB against 1.60 MB for the same zip deflated file by file, since gzip then compresses
# across files. Gzip inside and a neutral suffix, like the snapshot, so it is this small on any host,
# whatever the host compresses; the worker inflates it (worker.js, withEarlyFetches).
PUBLISHED_STDLIB = "python_stdlib.bin"
EXTRACTOR = ROOT / "snippets" / "order_number"  # a package, one module per stage
# Every module of the package, in the order of its stages: the order the page shows them in. A file
# the list does not name, or a name with no file, stops the build (see extractor_files).
EXTRACTOR_MODULES = ("__init__.py", "base.py", "result.py", "decoding.py", "normalizing.py", "finding.py",
                     "reconciling.py", "api.py", "cli.py", "__main__.py")
BUILD_SCRIPT = Path(__file__).with_name("order_tool_snapshot.mjs")
CACHE = ROOT / "node_modules" / ".cache" / "order-tool"

PYODIDE_DEST = "assets/pyodide"  # + /<hash>/
TOOL_DIR = "assets/order-tool"  # under docs_dir: tool.js, worker.js, tool.css
# Imported by the build script and by the worker: how the snapshot leaves out the wasm's own data.
SNAPSHOT_DELTA = ROOT / "docs" / TOOL_DIR / "snapshot-delta.mjs"
SNAPSHOT_NAME = "python-snapshot.bin"  # gzip inside; a neutral suffix so no host re-encodes it
EXTRACTOR_NAME = "order_number.zip"  # the package and its bytecode, for the worker
EXTRACTOR_SOURCE_ZIP = "order_number_source.zip"  # the package alone, for the Node steps; cache only
EXTRACTOR_SOURCE_DIR = "order_number"  # + /<module>.py: the same files, plain, for the code viewer
# When the worker uses the snapshot (see worker.js, findSnapshot): "if-cached" only when an earlier
# visit left it in the HTTP cache (the page fetches it in the background after the first result);
# "adaptive" also downloads it up front when the first 150 ms say the link is fast; "always" and
# "never". Since the stdlib zip is bytecode, a plain start is about 1 s of CPU more than a restore,
# and on a first visit the plain start wins on every emulated link but localhost (make bench,
# README: 100 Mbit/s 2.0 s plain against 2.6 s with the snapshot, 20 Mbit/s 4.4 s against 5.0 s),
# because its 5.5 MB download in parallel beats 8.4 MB that must wait for the snapshot.
SNAPSHOT_POLICY = "if-cached"
# The extractor keeps to 3 s in the browser for any mail up to the size limit (issue 13); a run past
# this is stuck on something nobody foresaw, and tool.js replaces the worker (its watchdog).
RUN_BUDGET_MS = 10_000
# Files a host with gzip_static or brotli_static (nginx) can send precompressed: .gz and .br copies
# are made once with the runtime and written next to them. The snapshot has none: it is gzipped
# inside, so that the worker's download probe can read its progress (a .br copy of it would save
# 1 MB, but the browser hands the page decoded bytes, which say little about the link: see README).
PRECOMPRESS = ("pyodide.asm.wasm", "pyodide.asm.mjs", "pyodide.mjs", "pyodide-lock.json")
COMPRESSED_DIR = "compressed"  # in the cache folder: <name>.gz and <name>.br
# Brotli 9 with a 16 MB window: the wasm (3.13 MB; gzip 3.53 MB) in about 2 s. Quality 11 saves
# another 0.36 MB but takes 37 s, too long for a fresh build.
BROTLI = {"quality": 9, "lgwin": 24}
# Fixed for every zip entry, so the same inputs give the same bytes on every machine.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

sys.path.insert(0, str(ROOT / "snippets"))
try:
    from order_number import MAX_INPUT_BYTES  # stdlib only; importing it runs nothing
finally:
    sys.path.pop(0)


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def check_sources() -> None:
    missing = [name for name in (*PYODIDE_FILES, FULL_STDLIB) if not (PYODIDE_SOURCE / name).is_file()]
    if missing:
        raise PluginError(f"order_tool: {PYODIDE_SOURCE} lacks {', '.join(missing)}; run `npm ci` (or `make setup`)")
    extractor_files()


def extractor_files() -> list[Path]:
    """The package's modules in stage order; stops the build if the folder and the list differ."""
    if not EXTRACTOR.is_dir():
        raise PluginError(f"order_tool: the extractor package {EXTRACTOR} is missing")
    present = {path.name for path in EXTRACTOR.glob("*.py")}
    if present != set(EXTRACTOR_MODULES):
        unknown, missing = sorted(present - set(EXTRACTOR_MODULES)), sorted(set(EXTRACTOR_MODULES) - present)
        raise PluginError(f"order_tool: {EXTRACTOR} differs from EXTRACTOR_MODULES in order_tool_runtime.py: "
                          f"not listed {unknown}, missing {missing}; list each module once, in stage order")
    return [EXTRACTOR / name for name in EXTRACTOR_MODULES]


def _add_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """One zip entry with a fixed date and mode, so the same files give the same bytes anywhere.
    (order_tool_snapshot.mjs writes the zips it makes in Pyodide the same way.)"""
    entry = zipfile.ZipInfo(name, ZIP_DATE)
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def pack_extractor(target: Path) -> None:
    """The package as one zip (order_number/<module>.py), reproducibly: fixed dates and modes."""
    with zipfile.ZipFile(target, "w") as packed:
        for path in extractor_files():
            _add_entry(packed, f"{EXTRACTOR.name}/{path.name}", path.read_bytes())


def size_limit_mb() -> str:
    """The input limit in MB as the page states it ("5"); tool.js shows the same text."""
    return f"{MAX_INPUT_BYTES / (1024 * 1024):g}"


@dataclass(frozen=True)
class Runtime:
    """The built runtime: where its files are in the cache and under which names they are served."""

    folder: Path  # node_modules/.cache/order-tool/<key>/
    runtime_version: str  # hash of the Pyodide files and the trimmed zip: /assets/pyodide/<this>/
    snapshot_version: str
    extractor_version: str

    @property
    def snapshot(self) -> Path:
        return self.folder / SNAPSHOT_NAME

    def compressed(self, name: str, encoding: str) -> Path:
        """The cached .gz or .br copy of a runtime file or of the snapshot."""
        return self.folder / COMPRESSED_DIR / f"{name}.{encoding}"

    @property
    def extractor(self) -> Path:
        return self.folder / EXTRACTOR_NAME

    @property
    def stdlib(self) -> Path:
        return self.folder / PUBLISHED_STDLIB

    @property
    def runtime_dir(self) -> str:
        return f"{PYODIDE_DEST}/{self.runtime_version}"


def _key() -> str:
    """A hash of everything the runtime is made from: Pyodide, the extractor and the build script."""
    digest = hashlib.sha256()
    for path in [*(PYODIDE_SOURCE / name for name in (*PYODIDE_FILES, FULL_STDLIB)), *extractor_files(),
                 BUILD_SCRIPT, SNAPSHOT_DELTA, Path(__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _node(*args: str) -> None:
    node = shutil.which("node")
    if node is None:
        raise PluginError("order_tool: Node.js (`node`) is needed to build the Python snapshot")
    # An almost empty environment: Emscripten copies it into the heap (and so into the snapshot).
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    command = [node, str(BUILD_SCRIPT), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, env=env,
                          cwd=str(BUILD_SCRIPT.parent))
    if done.returncode != 0:
        raise PluginError(f"order_tool: {' '.join(command[1:3])} failed:\n{done.stdout}{done.stderr}")


def _trim_stdlib(names: list[str], target: Path) -> None:
    """Pyodide's stdlib zip with only the top-level modules and packages in `names`, reproducibly."""
    wanted = set(names)
    with zipfile.ZipFile(PYODIDE_SOURCE / FULL_STDLIB) as full, zipfile.ZipFile(target, "w") as trimmed:
        for info in sorted(full.infolist(), key=lambda entry: entry.filename):
            top = info.filename.split("/")[0]
            if top.removesuffix(".py").removesuffix(".pyc") not in wanted or info.is_dir():
                continue
            _add_entry(trimmed, info.filename, full.read(info))


def build_runtime() -> Runtime:
    """The cached runtime for the current inputs, made with Node.js when there is none (about 15 s)."""
    check_sources()
    key = _key()
    folder = CACHE / key
    if not (folder / "done").is_file():
        started = time.monotonic()
        shutil.rmtree(CACHE, ignore_errors=True)  # one runtime is enough; each is 8 MB
        partial = CACHE / f"{key}.partial"
        partial.mkdir(parents=True)
        modules = partial / "modules.json"
        # The compressed copies need only Pyodide's files: made on the second core meanwhile.
        with ThreadPoolExecutor(max_workers=1) as compressing:
            compressed = compressing.submit(_compress, partial)
            pack_extractor(partial / EXTRACTOR_SOURCE_ZIP)
            _node("modules", str(PYODIDE_SOURCE), str(partial / EXTRACTOR_SOURCE_ZIP), str(modules))
            _trim_stdlib(json.loads(modules.read_text(encoding="utf-8")), partial / SOURCE_STDLIB)
            _node("snapshot", str(PYODIDE_SOURCE), str(partial / EXTRACTOR_SOURCE_ZIP), str(partial / SNAPSHOT_NAME),
                  str(partial / SOURCE_STDLIB), str(partial / REST_STDLIB), str(partial / FULL_STDLIB),
                  str(partial / EXTRACTOR_NAME))
            compressed.result()
        stored = (partial / FULL_STDLIB).read_bytes()
        (partial / PUBLISHED_STDLIB).write_bytes(gzip.compress(stored, compresslevel=9, mtime=0))
        (partial / "done").touch()
        partial.replace(folder)  # only complete runtimes get the real name
        # Said apart, so the build time `make build` prints is not mistaken for the pages' cost.
        log.info("order_tool: made the Pyodide runtime in %.1f s (once; later builds reuse %s)",
                 time.monotonic() - started, folder.relative_to(ROOT))
    runtime_hash = hashlib.sha256()
    for path in [*(PYODIDE_SOURCE / name for name in PYODIDE_FILES), folder / PUBLISHED_STDLIB, folder / REST_STDLIB]:
        runtime_hash.update(path.read_bytes())
    return Runtime(
        folder=folder,
        runtime_version=runtime_hash.hexdigest()[:10],
        snapshot_version=short_hash((folder / SNAPSHOT_NAME).read_bytes()),
        extractor_version=short_hash((folder / EXTRACTOR_NAME).read_bytes()),
    )


def asset_version(config: MkDocsConfig, name: str) -> str:
    """Content hash of a file under docs/assets/order-tool/, for its ?v= parameter."""
    path = Path(config.docs_dir) / TOOL_DIR / name
    if not path.is_file():
        raise PluginError(f"order_tool: {path} is missing")
    return short_hash(path.read_bytes())


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy unless an identical file is already there (`mkdocs serve` rebuilds often; the wasm is 9 MB)."""
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        if target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _compress(folder: Path) -> None:
    """The .gz and .br copies for static-compression hosts, reproducibly (gzip: mtime 0, no name)."""
    target = folder / COMPRESSED_DIR
    target.mkdir()
    for name in PRECOMPRESS:
        data = (PYODIDE_SOURCE / name).read_bytes()
        (target / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        (target / f"{name}.br").write_bytes(brotli.compress(data, **BROTLI))


def copy_runtime(runtime: Runtime, site_dir: Path) -> None:
    """Pyodide, the trimmed stdlib, the snapshot and the extractor into the built site."""
    target = site_dir / runtime.runtime_dir
    for name in PYODIDE_FILES:
        _copy_if_changed(PYODIDE_SOURCE / name, target / name)
    _copy_if_changed(runtime.stdlib, target / PUBLISHED_STDLIB)
    _copy_if_changed(runtime.folder / REST_STDLIB, target / REST_STDLIB)
    for name in PRECOMPRESS:
        for encoding in ("gz", "br"):
            _copy_if_changed(runtime.compressed(name, encoding), target / f"{name}.{encoding}")
    # Shipped byte for byte: the browser runs exactly the files the Python tests test (their bytecode
    # beside them is used only while its hash matches them).
    _copy_if_changed(runtime.extractor, site_dir / TOOL_DIR / EXTRACTOR_NAME)
    for path in extractor_files():
        _copy_if_changed(path, site_dir / TOOL_DIR / EXTRACTOR_SOURCE_DIR / path.name)
    _copy_if_changed(runtime.snapshot, site_dir / TOOL_DIR / SNAPSHOT_NAME)
