// Plain Pyodide: the npm package's own files (served by the benchmark at ./pyodide/), full stdlib.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./pyodide/", import.meta.url).href;
const started = (async () => {
  const archive = fetch(new URL("./order_number.zip", import.meta.url)).then((r) => r.arrayBuffer());
  const pyodide = await loadPyodide({ indexURL: base, packageBaseUrl: base, stdout: () => {}, stderr: () => {} });
  pyodide.unpackArchive(await archive, "zip", { extractDir: "/home/pyodide" });
  const extract = pyodide.runPython("import order_number\norder_number.run_json");
  self.postMessage({ type: "ready" });
  return extract;
})();

self.addEventListener("message", async ({ data }) => {
  const extract = await started;
  self.postMessage({ type: "result", json: extract(data.text) });
});
