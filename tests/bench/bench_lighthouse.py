"""Lighthouse performance (mobile preset) for the pages tests/test_lighthouse.py checks: printed, not
asserted, because the score moves with the machine's load.

Run by `make bench` after a build (`python -m tests.bench.bench_lighthouse`): the start page, one
guide page and the tool page, in each language, in one Chromium (tests/lighthouse_run.mjs), served
as the other browser bench serves them, compressed as any host does (`bench_browser.serve`).
Lighthouse's simulated slow 4G takes each file's size from the bytes the server sent: uncompressed,
Material's 138 KB stylesheet and 114 KB script alone cost about 1.2 s on that link.
Issue 9's target for the tool page: performance 90 or more on a quiet machine, no main-thread task
over 50 ms during load (Lighthouse's own long-task list, under its 4x CPU slowdown).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.bench.bench_browser import serve
from tests.site_server import chromium_executable

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "lighthouse_run.mjs"
PAGES = ("", "hitta-ordernumret/", "ordernummer-ur-mejl/")  # as in tests/test_lighthouse.py
SHOWN = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
         "speed-index", "dom-size")


def main() -> int:
    site = ROOT / "site"
    if not (site / "index.html").exists():
        print("site/ is not built: run `make build` first", file=sys.stderr)
        return 2
    server, url, _ = serve(site)
    try:
        # The default language at /, every other one in its folder: whichever the build made.
        prefixes = ["/"] + sorted(f"/{folder.name}/" for folder in site.iterdir()
                                  if (folder / "ordernummer-ur-mejl" / "index.html").is_file())
        paths = [prefix + page for prefix in prefixes for page in PAGES]
        done = subprocess.run(
            [shutil.which("node") or "node", str(RUNNER), "performance", *(url + path for path in paths)],
            capture_output=True, text=True, timeout=1200,
            env={**os.environ, "CHROME_PATH": chromium_executable() or "/usr/bin/chromium"},
        )
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        results = json.loads(done.stdout)
    finally:
        server.shutdown()
    print("Lighthouse 12 performance, mobile preset (simulated slow 4G, 4x CPU slowdown); a shared, noisy machine.")
    for path, result in zip(paths, results):
        metrics = ", ".join(f"{name.replace('-', ' ')} {result['metrics'].get(name, '?')}" for name in SHOWN)
        tasks = result["longTasks"]
        longest = f"longest task {max(tasks)} ms ({len(tasks)} over 50 ms)" if tasks else "no task over 50 ms"
        score = result["scores"]["performance"]
        if score is None:  # Lighthouse could not score the page this time (it says why)
            print(f"  {path:<28}   ?  {result['runtimeError']}")
            continue
        print(f"  {path:<28} {score:>3}  {metrics}; {longest}".replace("\u00a0", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
