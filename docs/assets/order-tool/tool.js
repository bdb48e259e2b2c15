// The order-number tool on the page: reads the pasted text or the chosen file, hands it to Python
// in a module worker (worker.js), and shows what came back.
//
// * Python (about 4 MB compressed) is downloaded only once the reader shows intent: focus, pointer
//   or touch on the tool, a paste, a file, or the button. A run asked for before Python is ready
//   waits for it. The worker itself, without Python, is made as the page loads (makeWorker).
// * A run that passes its time budget (a hostile mail) ends: the worker is terminated, which gives
//   back all its memory, and a fresh one starts. A new paste or file cancels the run before it.
// * Every piece of text from a mail goes into the page as text (textContent / text nodes), never as
//   HTML, so a hostile mail cannot add elements or run script.
// * All words come from the page's strings (#order-tool-strings), one JSON file per language.
// * Nothing is stored: no localStorage, no cookies; the mail lives only in this tab.

const FILE_EXTENSIONS = [".eml", ".txt", ".html", ".htm"];
const FILE_TYPES = ["message/rfc822", "text/plain", "text/html"];
const LARGE_TEXT = 100_000; // characters
// A run still busy after this long is cancelled, not waited for, when a new mail arrives.
const CANCEL_AFTER_MS = 300;
// Results shown per kind; the extractor reports at most this many too (issue 13, M1).
const MAX_SHOWN = 100;
const ORDER_URL = "https://www.aliexpress.com/p/order/detail.html?orderId=";

const root = document.querySelector("[data-order-tool]");
if (root) setUp(root);
const sourceBlocks = [...document.querySelectorAll("[data-source]")];
if (sourceBlocks.length) showSourceWhenOpened(sourceBlocks);

// The extractor's code, one listing per module of its package, fetched and shown as plain text only
// when the reader opens their <details>: 1,900 lines laid out on every page load would block a
// phone for seconds.
function showSourceWhenOpened(blocks) {
  const details = blocks[0].closest("details");
  let loaded = false;
  const loadModule = async (block) => {
    const listing = block.querySelector("[data-source-code]");
    // The <code> only now, so that Material's script finds none to mount as the page loads
    // (order_tool.py, _render_source); Material's stylesheet still styles it as a code block.
    // It scrolls both ways (tool.css), so it takes keyboard focus, as axe asks of a scrolling region.
    let code = listing.querySelector("code");
    if (!code) {
      code = listing.appendChild(document.createElement("code"));
      code.tabIndex = 0;
    }
    code.textContent = listing.dataset.loading;
    try {
      const response = await fetch(block.querySelector("[data-source-link]").href);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      code.textContent = await response.text();
      return true;
    } catch {
      code.textContent = listing.dataset.failed;
      return false;
    }
  };
  const load = async () => {
    if (loaded || (details && !details.open)) return;
    loaded = true;
    const done = await Promise.all(blocks.map(loadModule));
    if (done.includes(false)) loaded = false; // tried again when the reader opens it again
  };
  if (details) details.addEventListener("toggle", load);
  load();
}

function setUp(root) {
  const t = readJson("order-tool-strings");
  const config = readJson("order-tool-config");
  const form = root.querySelector("[data-order-form]");
  const input = root.querySelector('[data-testid="order-input"]');
  const fileInput = root.querySelector('[data-testid="order-file"]');
  const status = root.querySelector('[data-testid="order-status"]');
  const statusText = status.querySelector("[data-status-text]");
  const progress = status.querySelector("[data-progress]");
  const results = root.querySelector("[data-results]");

  let worker = null;
  let pythonStarted = false;
  let pythonReady = false;
  let pythonFailed = false;
  let latestRun = 0; // id of the newest run; older answers are ignored
  let running = false;
  let inFlight = null; // the run Python is working on: {id, since, watchdog}
  let snapshotFetched = false;
  // What the button runs on: the last chosen file, until the textarea is edited.
  let source = { kind: "text" };

  // ------------------------------------------------------------------ status

  function setStatus(state, text, progressValue) {
    status.dataset.state = state;
    statusText.textContent = text;
    progress.hidden = progressValue === undefined;
    if (progressValue !== undefined) progress.value = progressValue;
  }

  // ------------------------------------------------------------------ Python in the worker

  // The worker itself (worker.js, 5 KB, no Python) is made as the page loads, so its download is
  // not one more round trip between the reader's intent and Python's downloads, which it starts
  // only when startPython() sends "init".
  function makeWorker() {
    try {
      worker = new Worker(config.worker, { type: "module" });
    } catch {
      // A browser without module workers: the first sign of intent says Python cannot start.
      pythonFailed = true;
      return;
    }
    worker.addEventListener("message", onWorkerMessage);
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      pythonFailed = true;
      if (pythonStarted) fail(t.error_start); // before any intent, the reader hears of it at the first
    });
  }

  function startPython() {
    if (pythonStarted) return;
    pythonStarted = true;
    if (!worker) makeWorker();
    if (pythonFailed) {
      fail(t.error_start);
      return;
    }
    const absolute = (url) => new URL(url, document.baseURI).href;
    worker.postMessage({
      type: "init",
      runtime: absolute(config.runtime),
      snapshot: absolute(config.snapshot),
      snapshotDelta: absolute(config.snapshotDelta),
      snapshotStdlib: absolute(config.snapshotStdlib),
      extractor: absolute(config.extractor),
      snapshotPolicy: config.snapshotPolicy,
    });
    if (!running) setStatus("loading", t.status_loading, 2);
  }

  // Ends the worker and everything it holds (a stuck run, gigabytes of heap); the next run or a
  // sign of intent starts a fresh one.
  function replaceWorker() {
    if (inFlight) clearTimeout(inFlight.watchdog);
    inFlight = null;
    worker.terminate();
    worker = null;
    pythonStarted = false;
    pythonReady = false;
    startPython();
  }

  function onWorkerMessage(event) {
    const message = event.data;
    if (message.type === "stage") {
      onStage(message);
    } else if (message.type === "result") {
      runEnded(message.id);
      if (message.id !== latestRun) return;
      let result;
      try {
        result = JSON.parse(message.json);
      } catch {
        // A garbled answer means the runtime is damaged: start a fresh one for the next run.
        replaceWorker();
        fail(t.status_error);
        return;
      }
      finish(result);
    } else if (message.type === "failed") {
      runEnded(message.id);
      if (message.reason === "start") pythonFailed = true;
      if (message.id === undefined || message.id === latestRun) {
        fail(message.reason === "start" ? t.error_start : t.status_error);
      }
    }
  }

  function onStage({ stage, progress: value, snapshot }) {
    if (pythonReady) return; // stages only move forward
    if (stage === "ready") {
      pythonReady = true;
      root.dataset.python = snapshot ? "snapshot" : "plain"; // how this start went, for tests
      if (!snapshot) fetchSnapshotLater();
      if (inFlight) armWatchdog(inFlight); // a run was waiting for Python: its budget starts now
    }
    // A run that already ended (a refused file) keeps its message until the next run.
    if (status.dataset.state === "error" || status.dataset.state === "done") return;
    if (stage === "ready") {
      setStatus("ready", t.status_ready);
      if (running) setStatus("working", t.status_working); // a run was waiting for Python
      return;
    }
    const text = running ? t.status_queued : stage === "starting" ? t.status_starting : t.status_loading;
    setStatus("loading", text, value);
  }

  // A first start is a plain one (worker.js, and SNAPSHOT_POLICY in order_tool_runtime.py says
  // why). Afterwards, with the reader's result on the screen, fetch into the HTTP cache what a
  // restore needs that a plain start did not: the snapshot, the part of the standard library a
  // restored Python imports from, and the module that completes the snapshot. The next start (a
  // replaced worker, the next visit) restores it in about half the time, with nothing to download.
  // Not on a data-saver connection. When all three are in, the tool says so in
  // data-next-start="cached" (the bench and the tests wait for it; nothing is shown).
  function fetchSnapshotLater() {
    if (snapshotFetched || !["adaptive", "if-cached"].includes(config.snapshotPolicy)) return;
    if (navigator.connection?.saveData) return;
    snapshotFetched = true;
    setTimeout(() => {
      const fetched = [config.snapshot, config.snapshotStdlib, config.snapshotDelta].map((url) =>
        fetch(url, { priority: "low" }).then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.arrayBuffer();
        }));
      Promise.all(fetched)
        .then(() => {
          root.dataset.nextStart = "cached";
        })
        .catch(() => {}); // only a head start for later; a failure costs nothing
    }, 2000);
  }

  // ------------------------------------------------------------------ runs

  function armWatchdog(run) {
    run.since = performance.now();
    run.watchdog = setTimeout(() => {
      if (inFlight !== run) return;
      replaceWorker();
      if (run.id === latestRun) fail(t.error_too_hard);
    }, config.runBudgetMs);
  }

  function runEnded(id) {
    if (inFlight && inFlight.id === id) {
      clearTimeout(inFlight.watchdog);
      inFlight = null;
    }
  }

  function requestRun(payload) {
    // A run Python is still busy with is cancelled, not waited for: its answer is no longer wanted.
    if (inFlight && pythonReady && performance.now() - inFlight.since > CANCEL_AFTER_MS) replaceWorker();
    const id = ++latestRun;
    running = true;
    startPython();
    if (pythonFailed) {
      fail(t.error_start);
      return;
    }
    if (pythonReady) {
      setStatus("working", t.status_working);
    } else {
      setStatus("loading", t.status_queued, progress.hidden ? 2 : progress.value);
    }
    if (inFlight) clearTimeout(inFlight.watchdog);
    inFlight = { id, since: performance.now(), watchdog: null };
    if (pythonReady) armWatchdog(inFlight);
    worker.postMessage({ type: "run", id, ...payload });
  }

  function runSource() {
    if (source.kind === "file") {
      // A copy: the kept bytes must survive for the next run.
      requestRun({ bytes: source.bytes.slice(0) });
    } else if (input.value.length > config.maxBytes) {
      // Every character is at least one byte: refused here, before megabytes are copied to Python.
      failRun(t.error_too_large.replace("{size}", config.maxSize));
    } else {
      requestRun({ text: input.value });
    }
  }

  // A run that ends before reaching Python (bad file) still goes working -> error.
  function failRun(message) {
    startPython();
    latestRun += 1;
    if (inFlight) clearTimeout(inFlight.watchdog);
    inFlight = null;
    running = true;
    setStatus("working", t.status_working);
    fail(message);
  }

  function fail(message) {
    running = false;
    results.replaceChildren();
    results.hidden = true;
    setStatus("error", message);
  }

  function finish(result) {
    running = false;
    if (result.error) {
      fail(result.error.code === "too_large" ? t.error_too_large.replace("{size}", config.maxSize) : t.error_unreadable);
      return;
    }
    const heading = render(result);
    results.hidden = false;
    // On a phone the results land below the fold: bring them up, then move focus (which a screen
    // reader announces) without a second jump.
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    results.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
    heading.focus({ preventScroll: true });
    const count = result.order_numbers.length;
    const text =
      count === 0 ? t.status_done_none : count === 1 ? t.status_done_one : t.status_done_other.replace("{count}", count);
    setStatus("done", text);
  }

  // ------------------------------------------------------------------ results

  function render(result) {
    const heading = el("h2", { class: "order-tool__heading", tabindex: "-1" }, t.results_heading);
    const parts = [heading, ...renderNotes(result)];
    if (result.not_aliexpress) {
      parts.push(el("p", { class: "order-tool__note order-tool__note--warning", "data-testid": "not-aliexpress" }, t.not_aliexpress));
    }
    // Bounded whatever the extractor sends: the page never builds more than a few thousand elements.
    const orders = result.orders.slice(0, MAX_SHOWN);
    if (orders.length === 0) {
      parts.push(
        el(
          "div",
          { class: "order-tool__note", "data-testid": "order-none" },
          el("p", {}, t.none),
          el("p", {}, t.none_hint, " ", el("a", { href: config.manual_url }, t.none_link)),
        ),
      );
    }
    for (const order of orders) parts.push(renderOrder(order));
    if (result.shop) parts.push(el("p", { class: "order-tool__shop" }, ...fill(t.shop, { shop: result.shop })));
    if (result.tracking.length) parts.push(renderTracking(result.tracking.slice(0, MAX_SHOWN)));
    if (result.product_ids.length) parts.push(renderProducts(result.product_ids.slice(0, MAX_SHOWN)));
    if (result.other_ids.length) parts.push(renderOthers(result.other_ids.slice(0, MAX_SHOWN)));
    results.replaceChildren(...parts);
    return heading;
  }

  function renderOrder(order) {
    const value = String(order.value);
    const number = el("p", { class: "order-tool__number", "data-testid": "order-number", "data-value": value }, value);
    const feedback = el("span", { class: "order-tool__copied", role: "status" });
    const copy = el("button", { type: "button", class: "md-button order-tool__copy", "aria-label": t.copy_label.replace("{value}", value) }, t.copy);
    copy.addEventListener("click", () => copyNumber(value, number, feedback));
    const actions = el("p", { class: "order-tool__actions" }, copy, " ", feedback);
    const card = el("div", { class: "order-tool__order" }, el("p", { class: "order-tool__label" }, t.order_label), number, actions);
    // The link is built only from digits, so a mail cannot smuggle another address into it.
    if (/^\d+$/.test(value)) {
      card.append(
        el(
          "p",
          {},
          el("a", { href: ORDER_URL + value, rel: "noreferrer", class: "order-tool__open" }, t.open_order),
          " ",
          el("span", { class: "order-tool__hint" }, t.open_order_note),
        ),
      );
    }
    if (order.evidence && order.evidence.length) {
      const items = order.evidence.slice(0, MAX_SHOWN).map((evidence) => {
        const template = t[`evidence_${evidence.kind}`] ?? t.evidence_context;
        const label = el("strong", {}, evidence.label || "");
        const item = el("li", {}, ...fill(template, { label }));
        if (evidence.snippet) item.append(": ", el("code", { class: "order-tool__snippet" }, evidence.snippet));
        return item;
      });
      card.append(el("p", { class: "order-tool__evidence-intro" }, t.evidence_intro), el("ul", { class: "order-tool__evidence" }, ...items));
    }
    return card;
  }

  function renderTracking(entries) {
    const items = entries.map((entry) =>
      el(
        "li",
        {},
        el("span", { class: "order-tool__other-number", "data-testid": "tracking-number", "data-value": String(entry.value) }, String(entry.value)),
        " ",
        el("span", { class: "order-tool__hint" }, ...(entry.carrier ? fill(t.carrier, { carrier: entry.carrier }) : [t.carrier_unknown])),
      ),
    );
    return el(
      "section",
      { class: "order-tool__section" },
      el("h3", {}, t.tracking_heading),
      el("ul", { class: "order-tool__list" }, ...items),
      el("p", { class: "order-tool__hint" }, t.tracking_note, " ", el("a", { href: config.tracking_url }, t.tracking_link)),
    );
  }

  function renderProducts(ids) {
    const items = ids.map((id) =>
      el("li", {}, el("span", { class: "order-tool__other-number", "data-testid": "product-id", "data-value": String(id) }, String(id))),
    );
    return el(
      "section",
      { class: "order-tool__section" },
      el("h3", {}, t.product_heading),
      el("ul", { class: "order-tool__list" }, ...items),
      el("p", { class: "order-tool__hint" }, t.product_note),
    );
  }

  function renderOthers(others) {
    // Say what each number is, so the reader knows why it is not the order number.
    const items = others.map((other) =>
      el(
        "li",
        {},
        el("span", { class: "order-tool__other-number" }, String(other.value)),
        " ",
        el("span", { class: "order-tool__hint" }, t[`kind_${other.kind}`] ?? t.kind_other),
      ),
    );
    return el(
      "section",
      { class: "order-tool__section" },
      el("h3", {}, t.other_heading),
      el("ul", { class: "order-tool__list" }, ...items),
      el("p", { class: "order-tool__hint" }, t.other_note),
    );
  }

  // The extractor's notes that change what the reader should do, in the reader's language.
  // Technical notes (raw_email, html, quoted_printable …) are left out; the four ways the
  // work budget stops early all say the same thing to a reader.
  const NOTE_STRINGS = {
    split_number_joined: "note_split_number_joined",
    index_prefix_removed: "note_index_prefix_removed",
    product_evidence_wins: "note_product_evidence_wins",
    text_direction_hidden: "note_text_direction_hidden",
    unsafe_charset: "note_unsafe_charset",
    too_many_parts: "note_cut_short",
    headers_cut_short: "note_cut_short",
    text_cut_short: "note_cut_short",
    stopped_early: "note_cut_short",
  };

  function renderNotes(result) {
    const keys = new Set((result.notes || []).map((code) => NOTE_STRINGS[code]).filter((key) => key && t[key]));
    const items = [...keys].map((key) => el("li", { "data-note": key }, t[key]));
    // The extractor lists at most 100 of each kind and counts the rest (issue 13).
    const notShown = Object.values(result.not_listed || {}).reduce((sum, n) => sum + (Number(n) || 0), 0);
    if (notShown > 0) {
      const count = notShown.toLocaleString(document.documentElement.lang || undefined);
      items.push(el("li", { "data-testid": "not-shown" }, t.note_not_shown.replace("{count}", count)));
    }
    if (items.length === 0) return [];
    return [el("ul", { class: "order-tool__note order-tool__notes", "data-testid": "notes" }, ...items)];
  }

  async function copyNumber(value, number, feedback) {
    try {
      await navigator.clipboard.writeText(value);
      feedback.textContent = t.copied;
    } catch {
      // Without clipboard access, select the number so the reader can copy it themselves.
      window.getSelection().selectAllChildren(number);
      feedback.textContent = t.copy_failed;
    }
  }

  // ------------------------------------------------------------------ input

  function readFile(file) {
    startPython();
    const name = file.name.toLowerCase();
    if (!FILE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !FILE_TYPES.includes(file.type)) {
      failRun(t.error_file_type);
      return;
    }
    if (file.size > config.maxBytes) {
      failRun(t.error_too_large.replace("{size}", config.maxSize));
      return;
    }
    const reader = new FileReader();
    // A new file cancels the run before it at once, even while it is still being read.
    latestRun += 1;
    reader.addEventListener("load", () => {
      source = { kind: "file", bytes: reader.result };
      runSource();
    });
    reader.addEventListener("error", () => failRun(t.error_file_read));
    // Bytes, not text: Python decodes them with the charset the mail itself declares.
    reader.readAsArrayBuffer(file);
  }

  // Intent: the reader is about to use the tool, so start downloading Python now. On touch screens
  // there is no hover: the first touch is the earliest sign.
  for (const type of ["focusin", "pointerover", "pointerdown", "touchstart"]) {
    root.addEventListener(type, startPython, { passive: true });
  }

  input.addEventListener("input", () => {
    source = { kind: "text" };
  });

  input.addEventListener("paste", (event) => {
    startPython();
    source = { kind: "text" };
    const before = input.value;
    const pasted = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    // Wrapping megabytes of text into lines blocks the page for about a second; unwrapped, the
    // browser lays it out at once. Long mails scroll sideways in the box instead.
    input.wrap = before.length + pasted.length > LARGE_TEXT ? "off" : "soft";
    // The pasted text is in the textarea only after this event; read it a moment later.
    setTimeout(() => {
      // A synthetic paste event (assistive software, automation) has no default action.
      if (!event.isTrusted && pasted && input.value === before) {
        input.setRangeText(pasted, input.selectionStart, input.selectionEnd, "end");
      }
      runSource();
    }, 0);
  });

  fileInput.addEventListener("change", () => {
    if (fileInput.files.length) readFile(fileInput.files[0]);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSource();
  });

  root.addEventListener("dragover", (event) => {
    if (!event.dataTransfer || !event.dataTransfer.types.includes("Files")) return;
    event.preventDefault(); // allows the drop
    startPython();
    root.classList.add("order-tool--drop");
  });
  root.addEventListener("dragleave", (event) => {
    if (!root.contains(event.relatedTarget)) root.classList.remove("order-tool--drop");
  });
  root.addEventListener("drop", (event) => {
    root.classList.remove("order-tool--drop");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    readFile(event.dataTransfer.files[0]);
  });

  makeWorker(); // last: the tool works, and can say so, even if this fails
}

// ------------------------------------------------------------------ DOM helpers

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// An element with attributes and children; strings become text nodes, never markup.
function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

// A UI string with {name} fields filled by strings or elements, as a list for append().
function fill(template, values) {
  return template.split(/\{(\w+)\}/).map((part, index) => (index % 2 ? values[part] ?? "" : part));
}
