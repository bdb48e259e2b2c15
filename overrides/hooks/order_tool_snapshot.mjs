// Build step for overrides/hooks/order_tool_runtime.py, run with Node.js. Two modes:
//
//   node order_tool_snapshot.mjs modules  <pyodide dir> <order_number.zip> <out.json>
//       Boot Python with Pyodide's full standard library, import the extractor, run it on sample
//       mails, and write the top-level standard-library modules and packages it loaded. The hook
//       packs exactly those into a trimmed stdlib zip (a fifth of the full one).
//   node order_tool_snapshot.mjs snapshot <pyodide dir> <order_number.zip> <out.bin> <stdlib.zip>
//       Boot Python on that trimmed zip, import and warm up the extractor, and write a gzipped
//       memory snapshot of the finished interpreter. The worker restores it instead of booting.
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

const [mode, pyodideDir, extractorPath, outputPath, stdlibZip] = process.argv.slice(2);
if (!["modules", "snapshot"].includes(mode) || !outputPath || (mode === "snapshot" && !stdlibZip)) {
  console.error("usage: node order_tool_snapshot.mjs modules|snapshot <pyodide dir> <order_number.zip> <output> [stdlib.zip]");
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

// Emscripten records the script's path (argv[1]) as the program name in the heap: keep the build
// machine's folders out of the snapshot, which is published.
process.argv[1] = "order_tool_snapshot";
const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
// Reproducible bytes: a fixed hash seed, and a fixed stream of "random" bytes while Python boots
// and warms up (it seeds `random` and the like from them). Neither is a secret worth keeping: the
// snapshot is published, so whatever seed it held would be public anyway.
const options = {
  indexURL: `${pyodideDir}/`,
  env: { HOME: "/home/pyodide", PYTHONHASHSEED: "0" },
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
  const snapshot = pyodide.makeMemorySnapshot();
  // Mostly empty heap: gzip takes 31 MB to about 7 MB; the worker inflates it with DecompressionStream.
  writeFileSync(outputPath, gzipSync(snapshot, { level: 9 }));
  console.log(`snapshot: ${snapshot.length} bytes, gzipped to ${outputPath}`);
}
