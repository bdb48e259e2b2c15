// Plain Pyodide: the npm package's own files (served by the benchmark at ./pyodide/), full stdlib.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./pyodide/", import.meta.url).href;
const started = (async () => {
  const source = fetch(new URL("./order_number.py", import.meta.url)).then((r) => r.text());
  const pyodide = await loadPyodide({ indexURL: base, packageBaseUrl: base, stdout: () => {}, stderr: () => {} });
  pyodide.FS.writeFile("/home/pyodide/order_number.py", await source);
  const extract = pyodide.runPython("import order_number\norder_number.run_json");
  self.postMessage({ type: "ready" });
  return extract;
})();

self.addEventListener("message", async ({ data }) => {
  const extract = await started;
  self.postMessage({ type: "result", json: extract(data.text) });
});
