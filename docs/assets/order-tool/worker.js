// The order-number tool's Python, in a module Web Worker so the page never freezes while Pyodide
// starts or the extractor works. Pyodide 314 loads itself with import(), so this must be a module
// worker (importScripts is gone).
//
// Messages in:  {type: "init", runtime: URL, snapshot: URL, snapshotDelta: URL, snapshotStdlib: URL,
//                extractor: URL, snapshotPolicy}  once, first
//               {type: "run", id, text} or {type: "run", id, bytes: ArrayBuffer}
// Messages out: {type: "stage", stage: "downloading" | "starting" | "ready", progress: 0..100, snapshot}
//               {type: "result", id, json}  the extractor's JSON, as it returned it
//               {type: "failed", id?, reason: "start" | "run"}
//
// Once Python is ready, the worker cuts its own network (cutNetwork): fetch, XMLHttpRequest,
// importScripts, WebSocket, EventSource (and eval, Worker, WebTransport) throw, so a mail or a bug
// cannot make Python send anything, even on a host that sends no Content-Security-Policy header
// (tests/test_tool_browser.py tries every way from Python). One path stays: JavaScript made with
// `Function` could import() from another host; Pyodide needs `Function`, so only the CSP header in
// site/_headers closes that.

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

// The one start of Python: a promise of the extractor's entry point, made by the first "init".
let started = null;

self.addEventListener("message", (event) => {
  const message = event.data;
  if (message.type === "init") {
    started ??= start(message);
    started.catch(() => {}); // reported once, in start(); each run reports its own failure
  } else if (message.type === "run") {
    run(message);
  }
});

async function start({ runtime, snapshot, snapshotDelta, snapshotStdlib, extractor, snapshotPolicy }) {
  post({ type: "stage", stage: "downloading", progress: 5 });
  try {
    const plainStdlib = `${runtime}python_stdlib.bin`;
    const lockFile = `${runtime}pyodide-lock.json`;
    // What both starts need, at once: the wasm and the lock file (fetchEarly).
    fetchEarly(`${runtime}pyodide.asm.wasm`);
    fetchEarly(lockFile);
    const snapshotFound = findSnapshot(snapshot, snapshotPolicy);
    // What this start needs, as soon as the cache has said which start it is.
    snapshotFound.then((found) => {
      if (found) {
        fetchEarly(snapshotStdlib);
      } else {
        fetchEarly(plainStdlib);
        fetchEarly(extractor);
      }
    });
    // In parallel: the runtime's module, and whether there is a snapshot to restore.
    const [{ loadPyodide }, snapshotGzip] = await Promise.all([import(`${runtime}pyodide.mjs`), snapshotFound]);
    const pyodideOptions = {
      // Always explicit, so Pyodide never falls back to its CDN default for anything.
      indexURL: runtime,
      packageBaseUrl: runtime,
      lockFileURL: lockFile,
      // The build's trimmed standard library, compiled: only what the extractor imports (a gzipped
      // zip: withEarlyFetches).
      stdLibURL: plainStdlib,
      // Python's own prints would land in the console; the extractor reports through its return value.
      stdout: () => {},
      stderr: () => {},
    };
    let extract = null;
    if (snapshotGzip) {
      try {
        // Restore the interpreter the build saved, extractor imported
        // (overrides/hooks/order_tool_snapshot.mjs). Pyodide takes the bytes as a promise and
        // fetches the WebAssembly meanwhile; the delta is undone once the wasm is here.
        const delta = import(snapshotDelta);
        const snapshotBytes = Promise.all([inflate(snapshotGzip), delta])
          .then(([packed, { unpackZeros }]) => unpackZeros(packed));
        const { toggleDelta } = await delta;
        // Only the modules the snapshot does not hold yet (order_tool_snapshot.mjs), as source.
        const pyodide = await withWasmBytes(
          (wasm) => snapshotBytes.then((bytes) => undoDelta(toggleDelta, bytes, wasm), () => {}),
          () => withEarlyFetches(null, () => loadPyodide({ ...pyodideOptions, stdLibURL: snapshotStdlib, _loadSnapshot: snapshotBytes })),
        );
        extract = pyodide.runPython(ENTRY_POINT);
      } catch (error) {
        // The snapshot API is experimental in Pyodide; a normal start is slower but always works.
        console.warn("order tool: snapshot failed, starting Python normally", error);
      }
    }
    const fromSnapshot = extract !== null;
    extract ??= await startPlain(loadPyodide, pyodideOptions, extractor);
    cutNetwork();
    post({ type: "stage", stage: "ready", progress: 100, snapshot: fromSnapshot });
    return extract;
  } catch (error) {
    console.warn("order tool: Python did not start", error);
    post({ type: "failed", reason: "start" });
    throw error;
  }
}

// The snapshot makes Python ready about 1 s sooner than a plain start, but it is 4.6 MB (gzipped)
// on top of the runtime: it pays when it is already in the HTTP cache. Policies
// (order_tool_runtime.py, SNAPSHOT_POLICY, says which one the site uses and why):
// "if-cached": only from the HTTP cache (the page fetches it in the background after the first
//   result, for the next start);
// "adaptive": from the cache; otherwise download it only if the first PROBE_MS of the download say
//   the rest takes under QUICK_S (else start plain);
// "always": download it now; "never".
// Returns the inflated bytes, or null for a plain start.
// QUICK_S: a plain start costs about 1 s of CPU more than a restore (make bench, localhost), and the
// snapshot's download must also come before the runtime's. Measured from the first bytes, so the
// link's latency does not skew the rate.
const PROBE_MS = 150;
const QUICK_S = 1.0;

async function findSnapshot(url, policy) {
  if (policy === "never") return null;
  try {
    const cached = await fetch(url, { cache: "only-if-cached", mode: "same-origin" }).catch(() => null);
    if (cached && cached.ok) return new Uint8Array(await cached.arrayBuffer());
    if (policy === "if-cached") return null;
    const response = await fetch(url);
    if (!response.ok) return null;
    if (policy === "always") return new Uint8Array(await response.arrayBuffer());
    return await downloadIfQuick(response);
  } catch (error) {
    console.warn("order tool: no snapshot, starting Python normally", error);
    return null;
  }
}

async function downloadIfQuick(response) {
  const total = Number(response.headers.get("Content-Length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  let probing = true;
  let start = null;
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (start === null) {
      start = performance.now();
      first = received;
      continue;
    }
    const seconds = (performance.now() - start) / 1000;
    if (probing && seconds * 1000 > PROBE_MS) {
      probing = false;
      const rest = (total - received) / ((received - first) / seconds);
      if (!total || rest > QUICK_S) {
        reader.cancel();
        return null;
      }
    }
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

// The build gzips the snapshot and the standard library. A host may already have decoded them
// (Content-Encoding), so look at the bytes rather than trusting the name.
async function inflate(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}

// The published snapshot leaves out what pyodide.asm.wasm already holds (snapshot-delta.mjs), so it
// can only be turned back once the wasm's bytes are here. Pyodide fetches and compiles the wasm
// itself; this wraps WebAssembly.instantiateStreaming (and instantiate, its fallback) while
// `load` runs, reads the same response through a clone (no second download), and calls
// `gotWasm(bytes)` before the instantiation resolves, that is before Pyodide copies the snapshot
// into memory. This relies on Pyodide 314's loader: it instantiates with one of these two, and
// restores the snapshot after that. If either stops being true, the snapshot stays a delta,
// Pyodide refuses its magic number, and the plain start runs (a browser test checks that the real
// snapshot is used).
async function withWasmBytes(gotWasm, load) {
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    const [result] = await Promise.all([
      instantiateStreaming.call(WebAssembly, response, imports),
      response.clone().arrayBuffer().then((bytes) => gotWasm(new Uint8Array(bytes))),
    ]);
    return result;
  };
  WebAssembly.instantiate = async (source, imports) => {
    if (!(source instanceof WebAssembly.Module)) {
      await gotWasm(ArrayBuffer.isView(source)
        ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
        : new Uint8Array(source));
    }
    return instantiate.call(WebAssembly, source, imports);
  };
  try {
    return await load();
  } finally {
    WebAssembly.instantiate = instantiate;
    WebAssembly.instantiateStreaming = instantiateStreaming;
  }
}

// Never throws: Pyodide swallows errors thrown while it instantiates and would then wait forever.
// A delta that could not be turned back keeps its own magic number, which Pyodide refuses.
function undoDelta(toggleDelta, bytes, wasm) {
  try {
    if (toggleDelta(bytes, wasm) !== "snapshot") bytes.fill(0, 0, 4);
  } catch (error) {
    console.warn("order tool: the snapshot could not be completed", error);
  }
}

// The extractor is a package (snippets/order_number/); the build packs its modules into one zip,
// unpacked here into /home/pyodide/order_number/, Python's working folder and so on sys.path. Their
// bytecode comes in the same zip (order_number/__pycache__/), checked against each module's hash.
async function startPlain(loadPyodide, options, extractorUrl) {
  const archive = (takeEarly(extractorUrl) ?? fetch(extractorUrl)).then((response) => {
    if (!response.ok) throw new Error(`extractor: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  archive.catch(() => {}); // awaited below, after loadPyodide
  const pyodide = await withEarlyFetches(options.stdLibURL, () => loadPyodide(options));
  post({ type: "stage", stage: "starting", progress: 80 });
  pyodide.unpackArchive(await archive, "zip", { extractDir: "/home/pyodide" });
  return pyodide.runPython(ENTRY_POINT);
}

// Pyodide starts its own downloads (the wasm, the standard library, the lock file) only once
// pyodide.mjs has arrived and run: one round trip after the worker starts (50 ms on 4G, 150 ms on a
// weak link), while the link sits idle. So start() requests them at once, and while `load` runs,
// withEarlyFetches hands Pyodide those responses when it asks for the same URL. Each is handed out
// once; any other request, or a second start after a failed restore, goes to the network as usual.
// This relies on Pyodide 314 fetching all three with the global `fetch`. If that changes, the early
// responses are not taken and each file is asked for twice, which a browser test catches
// (test_the_downloads_start_without_waiting_for_pyodide_mjs).
const early = new Map();

// The absolute URL of a fetch() argument (a string, a URL or a Request), the key of `early`.
function hrefOf(resource) {
  return new URL(resource.url ?? String(resource), self.location).href;
}

function fetchEarly(url) {
  const href = hrefOf(url);
  if (early.has(href)) return;
  const response = fetch(href);
  response.catch(() => {}); // a failure is for whoever takes it; one never taken is no error
  early.set(href, response);
}

function takeEarly(resource) {
  const href = hrefOf(resource);
  const response = early.get(href);
  early.delete(href);
  return response;
}

// The plain start's standard library is one gzip of a zip whose entries are stored
// (order_tool_runtime.py, PUBLISHED_STDLIB): smaller on any host than the zip deflated file by
// file. Pyodide fetches stdLibURL itself, so while `load` runs, the response to exactly
// `inflateUrl` is handed on inflated (`inflate` also passes on bytes a host has decoded already).
// The download ends before the wasm's, so inflating it delays nothing.
async function withEarlyFetches(inflateUrl, load) {
  const { fetch } = self;
  const inflated = inflateUrl && hrefOf(inflateUrl);
  self.fetch = async (resource, init) => {
    const response = await (takeEarly(resource) ?? fetch.call(self, resource, init));
    if (!response.ok || hrefOf(resource) !== inflated) return response;
    return new Response(await inflate(new Uint8Array(await response.arrayBuffer())));
  };
  try {
    return await load();
  } finally {
    self.fetch = fetch;
  }
}

// Every way a worker can reach the network, replaced by a function that throws. Defined on the
// global object and on every prototype that carries it, so neither `fetch` nor
// `Object.getPrototypeOf(self).fetch` (nor Python's js.fetch or pyodide.http) finds the original.
// `eval` too: without a CSP, code made from a string could still import() from another host.
const NETWORK = ["fetch", "XMLHttpRequest", "importScripts", "WebSocket", "EventSource", "WebTransport", "Worker",
  "SharedWorker", "eval"];

function cutNetwork() {
  const xhrPrototype = self.XMLHttpRequest.prototype;
  for (const name of NETWORK) {
    const refuse = function () {
      throw new TypeError(`order tool: ${name} is switched off; nothing leaves this browser`);
    };
    for (let object = self; object; object = Object.getPrototypeOf(object)) {
      if (Object.prototype.hasOwnProperty.call(object, name) || object === self) {
        Object.defineProperty(object, name, { value: refuse, writable: false, configurable: false });
      }
    }
  }
  // `Function` stays: Pyodide's own conversions use it (instanceof), so refusing it breaks Python.
  // Code made with it could still import() from another host: that gap is what a CSP header closes.
  // A reference taken before this point (inside Pyodide) still cannot open a request.
  for (const method of ["open", "send"]) {
    Object.defineProperty(xhrPrototype, method, {
      value: () => {
        throw new TypeError("order tool: XMLHttpRequest is switched off");
      },
    });
  }
}

async function run({ id, text, bytes }) {
  let extract;
  try {
    extract = await started;
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
