// Build step for overrides/hooks/order_tool_runtime.py, run with Node.js. Two modes:
//
//   node order_tool_snapshot.mjs modules  <pyodide dir> <order_number.zip> <out.json>
//       Boot Python with Pyodide's full standard library, import the extractor, run it on sample
//       mails, and write the top-level standard-library modules and packages it loaded. The hook
//       packs exactly those into a trimmed stdlib zip (a fifth of the full one).
//   node order_tool_snapshot.mjs snapshot <pyodide dir> <order_number.zip> <out.bin> <stdlib.zip> <rest.zip>
//                                         <compiled stdlib.zip> <compiled order_number.zip>
//       Boot Python on that trimmed zip, import and warm up the extractor, write the part of the zip
//       Python has not loaded yet to rest.zip (see KEEP_ONLY_THE_REST), and write a gzipped
//       memory snapshot of the finished interpreter, as a delta against the WebAssembly file's own
//       data (docs/assets/order-tool/snapshot-delta.mjs). The worker restores it instead of booting.
//       Then compile the trimmed library (COMPILE) and the extractor (COMPILE_EXTRACTOR) to
//       bytecode, for the plain start.
//
// The snapshot is tied to this exact Pyodide build (it checks the build id on load) and to this
// exact extractor source; the hook caches it under both hashes. It uses Pyodide's `_makeSnapshot`,
// which is marked experimental, so worker.js falls back to a normal start if it ever fails.
//
// The hook starts this script with an almost empty environment: Emscripten copies the process
// environment into the heap, and `_` would otherwise put the build machine's path in the snapshot.
// A build test checks that the snapshot names no folder of the project.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
// The worker undoes this with the same function (see that file).
import { packZeros, toggleDelta } from "../../docs/assets/order-tool/snapshot-delta.mjs";

const [mode, pyodideDir, extractorPath, outputPath, stdlibZip, restZipPath, compiledZipPath, compiledExtractorPath] =
  process.argv.slice(2);
if (!["modules", "snapshot"].includes(mode) || !outputPath || (mode === "snapshot" && !compiledExtractorPath)) {
  console.error("usage: node order_tool_snapshot.mjs modules|snapshot <pyodide dir> <order_number.zip> <output> "
    + "[stdlib.zip rest.zip compiled-stdlib.zip compiled-order_number.zip]");
  process.exit(2);
}

// Run once on a text and on raw MIME messages in several charsets, so lazy imports (charset
// codecs, the email policy machinery) and compiled regular expressions are loaded too.
const WARM_UP = `
import order_number

_sample = """From: AliExpress <transaction@notice.aliexpress.com>
Subject: =?UTF-8?Q?Order_8123456789012345_has_shipped?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Order ID: 8123456789012345 =E2=80=93 Tracking number: LP00123456789012
--b
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: base64

PHA+T3JkZXIgSUQ6IDxhIGhyZWY9Imh0dHBzOi8vd3d3LmFsaWV4cHJlc3MuY29tL3Avb3JkZXIvZGV0YWlsLmh0bWw/b3JkZXJJZD04MTIzNDU2Nzg5MDEyMzQ1Ij44MTIzNDU2Nzg5MDEyMzQ1PC9hPjwvcD4=
--b--
"""
order_number.run_json(_sample)
order_number.run_json(_sample.encode("latin-1"))
order_number.run_json(_sample.encode("latin-1").replace(b"utf-8", b"iso-8859-1"))
order_number.run_json("Order ID: 8123456789012345")
del _sample
`;

// Both zips made in Pyodide below are written entry by entry like the hook's (order_tool_runtime.py,
// _add_entry): sorted by their callers, a fixed date and mode, deflate 9 (or stored), so the bytes are
// reproducible.
const ZIP_ENTRY = `
import io, zipfile

def _add_entry(archive, name, data, compress_type=zipfile.ZIP_DEFLATED):
    entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data, compress_type=compress_type, compresslevel=9)
`;

// The trimmed library compiled, for the plain start: every .py becomes a .pyc that holds only the
// code object (an unchecked hash-based .pyc: zipimport takes it as it is, with no source beside it
// to compare). Compiled here because the bytecode is this Python's own (3.14, as Pyodide built
// it). optimize=2 leaves out docstrings and asserts, as `python -OO` does: CPython's standard
// library runs under -OO, and it makes the zip a sixth smaller. Nor do they hold the columns of
// each instruction (PYTHONNODEBUGRANGES, in `options` below). tests/test_tool_runtime.py runs
// every fixture on this zip. Its entries are stored, not deflated: the hook gzips the whole zip,
// which packs it smaller (order_tool_runtime.py, PUBLISHED_STDLIB), and Python then reads each
// module without inflating it.
const COMPILE = `${ZIP_ENTRY}
import importlib._bootstrap_external

_path = "/tmp/source.zip"
_compiled = io.BytesIO()
with zipfile.ZipFile(_path) as _source, zipfile.ZipFile(_compiled, "w") as _target:
    for _info in sorted(_source.infolist(), key=lambda entry: entry.filename):
        _name, _data = _info.filename, _source.read(_info)
        if _name.endswith(".py"):
            _code = compile(_data, _name, "exec", dont_inherit=True, optimize=2)
            _name, _data = _name + "c", bytes(importlib._bootstrap_external._code_to_hash_pyc(_code, bytes(8), False))
        _add_entry(_target, _name, _data, zipfile.ZIP_STORED)
_bytes = _compiled.getvalue()
del _add_entry, _path, _compiled, _source, _target, _info, _name, _data, _code
_bytes
`;

// The extractor's zip as the worker gets it: the package's modules as they are, byte for byte and in
// the hook's order, then a bytecode file for each in its __pycache__ folder, where Python's importer
// looks (order_number/__pycache__/finding.cpython-314.pyc). Checked hash-based .pyc files: Python
// reads each module's source anyway and uses the bytecode only if its hash matches the source's, so
// the bytecode can never run instead of the source it came from. Compiling its 1,400 lines was more
// than half of the extractor's import in the browser; its bytecode (without columns, as above) adds
// 49 KB to the zip and took 0.11 s off a start at 20 Mbit/s (median of eight paired runs).
// Optimisation level 0, as the worker imports: asserts stay.
const COMPILE_EXTRACTOR = `${ZIP_ENTRY}
import importlib._bootstrap_external, importlib.util, sys

_compiled = io.BytesIO()
with zipfile.ZipFile("/tmp/extractor.zip") as _source, zipfile.ZipFile(_compiled, "w") as _target:
    _modules = [(_info.filename, _source.read(_info)) for _info in _source.infolist()]
    for _name, _data in _modules:
        _add_entry(_target, _name, _data)
    for _name, _data in _modules:
        _folder, _, _file = _name.rpartition("/")
        _code = compile(_data, f"/home/pyodide/{_name}", "exec", dont_inherit=True, optimize=0)
        _pyc = importlib._bootstrap_external._code_to_hash_pyc(_code, importlib.util.source_hash(_data), True)
        _add_entry(_target, f"{_folder}/__pycache__/{_file.removesuffix('.py')}.{sys.implementation.cache_tag}.pyc",
                   bytes(_pyc))
_bytes = _compiled.getvalue()
del _add_entry, _compiled, _source, _target, _modules, _name, _data, _folder, _file, _code, _pyc
_bytes
`;

// After the warm-up, Python has loaded about half of the trimmed standard library, and the
// snapshot holds those modules. A restored Python only ever reads the zip for the others, so the
// worker's snapshot start downloads a zip of just those (about 0.5 MB instead of 1.4 MB): it
// replaces the zip in Python's file system here, and Python's zip importers are made anew on it
// before the snapshot is taken, so the offsets they hold are the new zip's.
// tests/test_tool_runtime.py runs every fixture on the restored snapshot with it.
const KEEP_ONLY_THE_REST = `${ZIP_ENTRY}
import importlib, importlib.util, sys, zipimport

def _module_name(filename):
    name = filename.removesuffix(".pyc").removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")

_path = next(entry for entry in sys.path if entry.endswith(".zip"))
_rest = io.BytesIO()
with zipfile.ZipFile(_path) as _full, zipfile.ZipFile(_rest, "w") as _kept:
    for _info in sorted(_full.infolist(), key=lambda entry: entry.filename):
        if _module_name(_info.filename) in sys.modules:
            continue
        _add_entry(_kept, _info.filename, _full.read(_info))
with open(_path, "wb") as _file:
    _file.write(_rest.getvalue())
zipimport._zip_directory_cache.clear()
sys.path_importer_cache.clear()
importlib.invalidate_caches()
# Read the new zip's directory now, so the snapshot holds it, and check a module is found there.
assert importlib.util.find_spec("encodings.koi8_r") is not None
_bytes = _rest.getvalue()
del _add_entry, _module_name, _path, _rest, _full, _kept, _info, _file
_bytes
`;

// Emscripten records the script's path (argv[1]) as the program name in the heap: keep the build
// machine's folders out of the snapshot, which is published.
process.argv[1] = "order_tool_snapshot";
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
// Reproducible bytes: a fixed hash seed, and a fixed stream of "random" bytes while Python boots
// and warms up (it seeds `random` and the like from them). Neither is a secret worth keeping: the
// snapshot is published, so whatever seed it held would be public anyway.
// PYTHONNODEBUGRANGES, as `python -X no_debug_ranges`: code objects keep their line numbers but not
// the columns of each instruction (the ^^^ under a traceback's line). The bytecode COMPILE makes is
// then a quarter smaller once gzipped (1.32 MB against 1.78 MB for the library), and the
// modules compiled into the snapshot take less memory. Nothing but tracebacks reads the columns.
const options = {
  indexURL: `${pyodideDir}/`,
  env: { HOME: "/home/pyodide", PYTHONHASHSEED: "0", PYTHONNODEBUGRANGES: "1" },
  stdout: () => {},
};
if (mode === "snapshot") {
  let state = 0x2545f491;
  const fixed = (array) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      bytes[i] = state >>> 24;
    }
    return array;
  };
  Object.defineProperty(globalThis.crypto, "getRandomValues", { value: fixed, configurable: true });
}
if (mode === "snapshot") {
  options._makeSnapshot = true;
  options.stdLibURL = stdlibZip;
}
const pyodide = await loadPyodide(options);
// The extractor package, from the zip the hook packed: the same bytes the worker unpacks.
// (A plain Uint8Array: Pyodide does not take a Node Buffer.)
pyodide.unpackArchive(new Uint8Array(readFileSync(extractorPath)), "zip", { extractDir: "/home/pyodide" });
pyodide.runPython(WARM_UP);

if (mode === "modules") {
  // Also every module any file of the extractor names anywhere, even in a function no sample
  // reached (the package's own relative imports aside).
  const names = pyodide.runPython(`
import ast, importlib, os, sys
for _name in sorted(os.listdir("/home/pyodide/order_number")):
    if not _name.endswith(".py"):
        continue
    for _node in ast.walk(ast.parse(open(f"/home/pyodide/order_number/{_name}", encoding="utf-8").read())):
        if isinstance(_node, ast.Import):
            for _alias in _node.names:
                importlib.import_module(_alias.name)
        elif isinstance(_node, ast.ImportFrom) and _node.module and not _node.level:
            importlib.import_module(_node.module)
_stdlib = os.path.dirname(os.__file__) + "/"
sorted({name.split(".")[0] for name, module in list(sys.modules.items())
        if (getattr(module, "__file__", None) or "").startswith(_stdlib)})
`).toJs();
  writeFileSync(outputPath, JSON.stringify(names));
  console.log(`modules: ${names.length} top-level names`);
} else {
  // The zip's bytes must not stay in Python's heap, or the snapshot carries them.
  const restZip = pyodide.runPython(KEEP_ONLY_THE_REST);
  writeFileSync(restZipPath, restZip.toJs());
  restZip.destroy();
  pyodide.runPython("del _bytes");
  pyodide.runPython("import gc; gc.collect()");
  zeroFreeMemory(pyodide._module);
  const snapshot = pyodide.makeMemorySnapshot();
  // Published without what pyodide.asm.wasm already holds: the memory XOR its data segments.
  toggleDelta(snapshot, new Uint8Array(readFileSync(`${pyodideDir}/pyodide.asm.wasm`)));
  // Mostly zeros, left out before gzip (31 MB to about 11 MB, gzipped to about 4.5 MB): the worker
  // inflates only the rest with DecompressionStream and puts the zeros back (unpackZeros).
  writeFileSync(outputPath, gzipSync(packZeros(snapshot), { level: 9 }));
  // Only now, so that nothing compiling leaves behind (interned names) lands in the snapshot.
  pyodide.FS.writeFile("/tmp/source.zip", readFileSync(stdlibZip));
  writeFileSync(compiledZipPath, pyodide.runPython(COMPILE).toJs());
  pyodide.FS.writeFile("/tmp/extractor.zip", readFileSync(extractorPath));
  writeFileSync(compiledExtractorPath, pyodide.runPython(COMPILE_EXTRACTOR).toJs());
  console.log(`snapshot: ${snapshot.length} bytes, gzipped to ${outputPath}`);
}

// The snapshot is the whole WebAssembly memory, and memory that Python freed while booting still
// holds its old bytes: about 4 MB of the heap, and a fifth of the snapshot once compressed. Take
// every free block from the allocator (Emscripten's dlmalloc), zero it, and give it back; then zero
// everything above the heap's end. Only free memory is written, so the restored interpreter is the
// same. The memory must not grow: Pyodide restores a snapshot into a memory of the size the
// WebAssembly module starts with. So the allocator's footprint is capped at what it has, and
// malloc returns 0 rather than taking more. Emscripten exports used here: _malloc, _free,
// _malloc_usable_size, _malloc_footprint, _malloc_footprint_limit, _malloc_set_footprint_limit,
// _emscripten_get_sbrk_ptr, HEAPU8 and HEAPU32.
function zeroFreeMemory(module) {
  const size = module.HEAPU8.length;
  const limit = module._malloc_footprint_limit();
  module._malloc_set_footprint_limit(module._malloc_footprint());
  const taken = [];
  // Largest blocks first, so each free chunk goes in few calls.
  for (let request = 1 << 22; request >= 16; request >>= 1) {
    for (let block = module._malloc(request); block; block = module._malloc(request)) {
      module.HEAPU8.fill(0, block, block + module._malloc_usable_size(block));
      taken.push(block);
    }
  }
  for (const block of taken) module._free(block);
  module._malloc_set_footprint_limit(limit);
  module.HEAPU8.fill(0, module.HEAPU32[module._emscripten_get_sbrk_ptr() >>> 2], size);
  if (module.HEAPU8.length !== size) throw new Error("zeroFreeMemory: the WebAssembly memory grew");
}
