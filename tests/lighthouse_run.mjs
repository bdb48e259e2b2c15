#!/usr/bin/env node
// Lighthouse (the pinned npm package) on several pages with ONE Chromium, in sequence, and one JSON
// line with what the callers need: tests/test_lighthouse.py (accessibility, best practices and SEO
// must be 100) and tests/bench/bench_lighthouse.py (the performance score and its metrics).
//
//   CHROME_PATH=/usr/bin/chromium node tests/lighthouse_run.mjs CATEGORIES URL...
//   CATEGORIES: comma-separated Lighthouse category ids, e.g. accessibility,best-practices,seo
//
// Lighthouse's default mobile preset: a Moto G Power-sized screen, 4x CPU slowdown, simulated
// slow 4G for the performance metrics.

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
// A Lighthouse internal (12.2.3, pinned): the function it runs in every page to rate the machine.
import { pageFunctions } from "lighthouse/core/lib/page-functions.js";

const [categories, ...urls] = process.argv.slice(2);
if (!categories || urls.length === 0) {
  console.error("usage: node tests/lighthouse_run.mjs CATEGORIES URL...");
  process.exit(2);
}

// The same flags as the tests' Chromium (tests/site_server.py), in Lighthouse's launcher.
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});

const METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
  "cumulative-layout-shift", "speed-index", "interactive", "dom-size", "max-potential-fid"];

// Without the performance category nothing is timed, so Lighthouse need not wait a second after the
// first paint nor a full second of quiet after the load, take a full-page screenshot, clear the
// cache between pages nor pass through about:blank: about a third faster per page, and 1 s less
// again without the wait after the first paint. The same accessibility, best-practices and SEO audits.
const timed = categories.split(",").includes("performance");
const settle = timed ? {}
  : { disableFullPageScreenshot: true, pauseAfterFcpMs: 0, pauseAfterLoadMs: 250, networkQuietThresholdMs: 250, cpuQuietThresholdMs: 250,
      disableStorageReset: true, skipAboutBlank: true };
// Before each page Lighthouse rates the machine's speed with two loops of 500 ms each in the page
// (BenchmarkIndex), which only the performance figures use. Untimed, they are a second of one
// core per page for nothing, with the other test worker waiting for that core: replaced by a fixed
// rating (a typical desktop's). Stops here if Lighthouse no longer has the function to replace.
if (!timed) {
  if (typeof pageFunctions.computeBenchmarkIndex !== "function") {
    throw new Error("lighthouse_run.mjs: pageFunctions.computeBenchmarkIndex is gone; see the Lighthouse version pinned");
  }
  pageFunctions.computeBenchmarkIndex = function computeBenchmarkIndex() { return 1500; };
}

const pages = [];
try {
  for (const url of urls) {
    const run = () => lighthouse(url, { port: chrome.port, onlyCategories: categories.split(","), logLevel: "error", ...settle });
    let { lhr } = await run();
    // A trace Chromium recorded without its navigation start: Lighthouse itself says to run again.
    if (lhr.runtimeError?.code === "NO_NAVSTART") ({ lhr } = await run());
    const scores = {};
    const failing = {};
    for (const [id, category] of Object.entries(lhr.categories)) {
      scores[id] = category.score === null ? null : Math.round(category.score * 100);
      failing[id] = category.auditRefs
        .map((ref) => lhr.audits[ref.id])
        .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== "informative"
          && audit.scoreDisplayMode !== "manual" && audit.scoreDisplayMode !== "notApplicable")
        .map((audit) => `${audit.id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ""}`);
    }
    const metrics = {};
    for (const id of METRICS) {
      if (lhr.audits[id]) metrics[id] = lhr.audits[id].displayValue ?? lhr.audits[id].numericValue;
    }
    const longTasks = lhr.audits["long-tasks"]?.details?.items?.map((item) => Math.round(item.duration)) ?? [];
    pages.push({ url, scores, failing, metrics, longTasks, runtimeError: lhr.runtimeError?.message ?? null });
  }
} finally {
  await chrome.kill();
}
// Exit once the line is out: something Lighthouse leaves behind keeps Node alive about 4 s more.
process.stdout.write(JSON.stringify(pages) + "\n", () => process.exit(0));
