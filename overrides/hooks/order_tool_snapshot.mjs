// Build step for overrides/hooks/order_tool.py: a memory snapshot of Python with the extractor
// already imported and warmed up, so the browser restores a finished interpreter instead of booting
// one (several times faster; booting CPython and importing `email` is most of Pyodide's start).
//
// Usage: node order_tool_snapshot.mjs <pyodide dir> <order_number.py> <output .bin.gz>
//
// The snapshot is tied to this exact Pyodide build (it checks the build id on load) and to this
// exact extractor source; the hook caches it under both hashes. It uses Pyodide's `_makeSnapshot`,
// which is marked experimental, so worker.js falls back to a normal start if it ever fails.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [pyodideDir, extractorPath, outputPath] = process.argv.slice(2);
if (!pyodideDir || !extractorPath || !outputPath) {
  console.error("usage: node order_tool_snapshot.mjs <pyodide dir> <order_number.py> <output>");
  process.exit(2);
}

const { loadPyodide } = await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, _makeSnapshot: true });
pyodide.FS.writeFile("/home/pyodide/order_number.py", readFileSync(extractorPath, "utf8"));

// Import, and run once on a text and on a raw MIME message, so lazy imports (charset codecs, the
// email policy machinery) and compiled regular expressions are in the snapshot too.
pyodide.runPython(`
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

<p>Order ID: <a href="https://www.aliexpress.com/p/order/detail.html?orderId=8123456789012345">8123456789012345</a></p>
--b--
"""
order_number.run_json(_sample)
order_number.run_json(_sample.encode("latin-1"))
order_number.run_json(_sample.encode("latin-1").replace(b"utf-8", b"iso-8859-1"))
del _sample
`);

const snapshot = pyodide.makeMemorySnapshot();
// Mostly empty heap: gzip takes 31 MB to about 7 MB; the worker inflates it with DecompressionStream.
writeFileSync(outputPath, gzipSync(snapshot, { level: 9 }));
console.log(`snapshot: ${snapshot.length} bytes, gzipped to ${outputPath}`);
