#!/usr/bin/env node
// Run the extractor package snippets/order_number/ inside Pyodide (Python 3.14 on WebAssembly,
// as in the browser) and print run_json() for each input file: one JSON line
// per file, in the order given.
//
//   node tests/pyodide_runner.mjs FILE...
//   echo '["a.eml", "b.txt"]' | node tests/pyodide_runner.mjs
//
// Files are handed to Python as raw bytes (through Pyodide's virtual file
// system), so charsets are decoded by the same code as in CPython.
// tests/test_order_number_pyodide.py compares the output with CPython's.

import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pyodideDir = path.join(root, "node_modules", "pyodide");
const packageDir = path.join(root, "snippets", "order_number");

async function inputPaths() {
  const args = process.argv.slice(2);
  if (args.length > 0) return args;
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const paths = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  if (!Array.isArray(paths)) throw new Error("stdin must hold a JSON list of paths");
  return paths;
}

// PYODIDE_SNAPSHOT: the tool's published snapshot (gzip, zero runs left out, a delta against the wasm's data): Python
// is restored from it, as the worker does, with the extractor it imported at build time. Then
// PYODIDE_STDLIB must be the zip the snapshot was made for (python_stdlib_rest.zip).
async function publishedSnapshot() {
  const file = process.env.PYODIDE_SNAPSHOT;
  if (!file) return {};
  const { toggleDelta, unpackZeros } = await import(pathToFileURL(path.join(root, "docs", "assets", "order-tool", "snapshot-delta.mjs")).href);
  const bytes = unpackZeros(new Uint8Array(gunzipSync(readFileSync(file))));
  if (toggleDelta(bytes, new Uint8Array(readFileSync(path.join(pyodideDir, "pyodide.asm.wasm")))) !== "snapshot") {
    throw new Error(`${file} is not a delta snapshot`);
  }
  return { _loadSnapshot: bytes };
}

export async function loadExtractor() {
  const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
  const snapshot = await publishedSnapshot();
  const pyodide = await loadPyodide({
    indexURL: pyodideDir + path.sep,
    // PYODIDE_STDLIB: another standard library zip, such as the tool's trimmed one
    // (tests/test_tool_runtime.py); unset, Pyodide's own full one.
    ...(process.env.PYODIDE_STDLIB ? { stdLibURL: process.env.PYODIDE_STDLIB } : {}),
    ...snapshot,
    // Anything Python prints goes to stderr, so stdout stays one line per file.
    stdout: (line) => process.stderr.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  pyodide.FS.mkdirTree("/extractor");
  if (snapshot._loadSnapshot) {
    // The extractor as the snapshot holds it; its files are not in this file system at all.
    pyodide.runPython("import order_number, os; assert not os.path.exists(order_number.__file__)");
    return pyodide;
  }
  // Every module of the package, byte for byte (the site ships the same files in one zip).
  pyodide.FS.mkdirTree("/extractor/order_number");
  for (const name of readdirSync(packageDir).filter((entry) => entry.endsWith(".py"))) {
    pyodide.FS.writeFile(`/extractor/order_number/${name}`, readFileSync(path.join(packageDir, name)));
  }
  pyodide.runPython("import sys; sys.path.insert(0, '/extractor'); import order_number");
  return pyodide;
}

async function main() {
  const paths = await inputPaths();
  const pyodide = await loadExtractor();
  const version = pyodide.runPython("import sys; sys.version.split()[0]"); // no `platform`: the trimmed zip lacks it
  process.stderr.write(`pyodide_runner: Python ${version} (Pyodide ${pyodide.version})\n`);
  for (const file of paths) {
    pyodide.FS.writeFile("/extractor/input", readFileSync(file));
    // Files named hostile-*: also measure Python's peak memory (tracemalloc),
    // reported on stderr as "pyodide_runner: peak <file name> <bytes>". Not on a trimmed standard
    // library (PYODIDE_STDLIB): it holds only what the extractor imports, and tracemalloc is not that.
    const measure = path.basename(file).startsWith("hostile-") && !process.env.PYODIDE_STDLIB;
    const output = pyodide.runPython(
      `measure = ${measure ? "True" : "False"}\n` +
        "if measure: import tracemalloc; tracemalloc.start()\n" +
        "with open('/extractor/input', 'rb') as f: result = order_number.run_json(f.read())\n" +
        "peak = tracemalloc.get_traced_memory()[1] if measure else -1\n" +
        "if measure: tracemalloc.stop()\n" +
        "result"
    );
    if (measure) {
      const peak = pyodide.globals.get("peak");
      process.stderr.write(`pyodide_runner: peak ${path.basename(file)} ${peak}\n`);
    }
    process.stdout.write(output + "\n");
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`pyodide_runner: ${error.stack || error}\n`);
    process.exitCode = 1;
  });
}
