// The order-number tool's Python, in a module Web Worker so the page never freezes while Pyodide
// starts or the extractor works. Pyodide 314 loads itself with import(), so this must be a module
// worker (importScripts is gone).
//
// Messages in:  {type: "init", snapshot: URL, extractor: URL, sizes: {file: bytes}}   once, first
//               {type: "run", id, text} or {type: "run", id, bytes: ArrayBuffer}
// Messages out: {type: "stage", stage: "downloading" | "starting" | "ready", progress: 0..100}
//               {type: "result", id, json}  the extractor's JSON, as it returned it
//               {type: "failed", id?, reason: "start" | "run"}

import { loadPyodide } from "../pyodide/pyodide.mjs";

const PYODIDE_URL = new URL("../pyodide/", import.meta.url).href;

// Bytes (a chosen file) go to Python as bytes, so the mail's own charset header decides how it is
// decoded. Importing is instant after a snapshot; after a plain start it happens here, before "ready".
const ENTRY_POINT = `
import order_number

def _extract(data):
    if not isinstance(data, str):
        data = data.to_bytes()
    return order_number.run_json(data)

_extract
`;

let extract = null; // the Python entry point, once Python is ready
let readyResolve;
let readyReject;
const ready = new Promise((resolve, reject) => {
  readyResolve = resolve;
  readyReject = reject;
});
ready.catch(() => {}); // reported once by start(); runs waiting on it report their own failure

self.addEventListener("message", (event) => {
  const message = event.data;
  if (message.type === "init") {
    start(message);
  } else if (message.type === "run") {
    run(message);
  }
});

// Download progress without touching the responses themselves: wrapping the wasm fetch would
// cost V8 its compiled-code cache. Resource timing tells us when each file has arrived.
function watchDownloads(sizes) {
  const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
  const arrived = new Set();
  let bytes = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const name = new URL(entry.name).pathname.split("/").pop();
      // extract is set once Python is ready; a late observer callback must not undo "ready".
      if (name in sizes && !arrived.has(name) && extract === null) {
        arrived.add(name);
        bytes += sizes[name];
        const done = arrived.size === Object.keys(sizes).length;
        // Downloads fill the bar to 80 %; starting Python is the rest.
        post({
          type: "stage",
          stage: done ? "starting" : "downloading",
          progress: Math.round(5 + (75 * bytes) / total),
        });
        if (done) observer.disconnect();
      }
    }
  });
  observer.observe({ type: "resource", buffered: true });
}

async function start({ snapshot, extractor, sizes }) {
  post({ type: "stage", stage: "downloading", progress: 5 });
  watchDownloads(sizes);
  try {
    // Normally: restore the interpreter the build saved, extractor imported (see
    // overrides/hooks/order_tool_snapshot.mjs); fetched alongside the runtime, not after it.
    const bytes = fetchSnapshot(snapshot);
    bytes.catch(() => {}); // a failure is handled below, when loadPyodide awaits it
    extract = await startFromSnapshot(bytes);
  } catch (error) {
    // The snapshot API is experimental in Pyodide; a normal start is slower but always works.
    console.warn("order tool: snapshot failed, starting Python normally", error);
    try {
      extract = await startPlain(extractor);
    } catch (plainError) {
      console.warn("order tool: Python did not start", plainError);
      post({ type: "failed", reason: "start" });
      readyReject(plainError);
      return;
    }
  }
  post({ type: "stage", stage: "ready", progress: 100 });
  readyResolve();
}

function pyodideOptions(extra) {
  return {
    // Always explicit, so Pyodide never falls back to its CDN default for anything.
    indexURL: PYODIDE_URL,
    packageBaseUrl: PYODIDE_URL,
    lockFileURL: `${PYODIDE_URL}pyodide-lock.json`,
    stdLibURL: `${PYODIDE_URL}python_stdlib.zip`,
    // Python's own prints would land in the console; the extractor reports through its return value.
    stdout: () => {},
    stderr: () => {},
    ...extra,
  };
}

// The build gzips the snapshot (31 MB of mostly empty heap becomes about 7 MB). A host may already
// have decoded it (Content-Encoding), so look at the bytes rather than trusting the name.
async function fetchSnapshot(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`snapshot: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}

async function startFromSnapshot(snapshot) {
  const pyodide = await loadPyodide(pyodideOptions({ _loadSnapshot: snapshot }));
  return pyodide.runPython(ENTRY_POINT);
}

async function startPlain(extractorUrl) {
  const source = fetch(extractorUrl).then((response) => {
    if (!response.ok) throw new Error(`extractor: HTTP ${response.status}`);
    return response.text();
  });
  const pyodide = await loadPyodide(pyodideOptions({}));
  pyodide.FS.writeFile("/home/pyodide/order_number.py", await source);
  return pyodide.runPython(ENTRY_POINT);
}

async function run({ id, text, bytes }) {
  try {
    await ready;
  } catch {
    post({ type: "failed", id, reason: "start" });
    return;
  }
  try {
    const data = bytes === undefined ? text : new Uint8Array(bytes);
    post({ type: "result", id, json: extract(data) });
  } catch (error) {
    console.warn("order tool: the extractor failed", error);
    post({ type: "failed", id, reason: "run" });
  }
}

function post(message) {
  self.postMessage(message);
}
