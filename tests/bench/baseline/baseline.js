// The baseline page's script: start a module worker on the first sign of intent, like the tool, and
// run pasted text through the extractor. Sets data-state the way tool.js does (loading, ready,
// working, done), which is all the benchmark reads.
const input = document.querySelector('[data-testid="order-input"]');
const status = document.querySelector('[data-testid="order-status"]');
let worker = null;
let ready = false;

function setState(state) {
  status.dataset.state = state;
  status.textContent = state;
}

function start() {
  if (worker) return;
  worker = new Worker("baseline-worker.js", { type: "module" });
  worker.addEventListener("message", ({ data }) => {
    if (data.type === "ready") {
      ready = true;
      setState("ready");
    } else if (data.type === "result") {
      setState("done");
    }
  });
  setState("loading");
}

input.addEventListener("focusin", start);
input.addEventListener("paste", () => {
  start();
  setTimeout(() => {
    setState(ready ? "working" : "loading");
    worker.postMessage({ text: input.value });
  }, 0);
});
