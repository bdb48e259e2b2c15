#!/usr/bin/env node
// Pyodide half of tests/bench/bench_extractor.py: reads the same job (JSON on
// stdin: fixture paths, generated mails, repetitions), runs the same
// measure() function from bench_extractor.py inside Pyodide and prints the
// result as one JSON object. Normally started by bench_extractor.py.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadExtractor } from "../pyodide_runner.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const pyodide = await loadExtractor();
// Copy every input into Pyodide's file system and point the job at the copies.
pyodide.FS.mkdirTree("/bench/inputs");
pyodide.FS.writeFile("/bench/bench_extractor.py", readFileSync(path.join(here, "bench_extractor.py")));
const copy = (file, index) => {
  const target = `/bench/inputs/${index}`;
  pyodide.FS.writeFile(target, readFileSync(file));
  return target;
};
const pyJob = {
  ...job,
  fixtures: job.fixtures.map((file, index) => copy(file, `f${index}`)),
  big: Object.fromEntries(Object.entries(job.big).map(([name, file], index) => [name, copy(file, `b${index}`)])),
};
pyodide.globals.set("job_json", JSON.stringify(pyJob));
const output = pyodide.runPython(`
import json, sys
sys.path.insert(0, "/bench")
import bench_extractor
json.dumps(bench_extractor.measure(json.loads(job_json)))
`);
process.stdout.write(output + "\n");
