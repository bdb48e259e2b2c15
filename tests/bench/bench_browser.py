"""How fast the order-number tool is in a real browser, with the targets beside each figure.

Run by `make bench` after a build. Serves site/ from its own localhost server with the headers a
static host should send (site/_headers plus cache headers: long-lived for /assets/, revalidated for
pages) and drives Debian's Chromium headless through Playwright:

* intent -> "ready": cold (a fresh browser profile) and warm (the same profile, a second visit
  after the browser was closed and started again, so only the disk caches remain);
* paste -> results on the page, for a typical mail and for a 2 MB one;
* the longest main-thread task while Python loads and works (PerformanceObserver "longtask",
  which reports every task over 50 ms; none reported means none was that long).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

# Run as a module from the project root (`python -m tests.bench.bench_browser`, as `make bench` does),
# so the test server the tests use imports without touching sys.path.
from tests.site_server import CHROMIUM_FLAGS, chromium_executable, serve_site

ROOT = Path(__file__).resolve().parents[2]
TOOL_PAGE = "/ordernummer-ur-mejl/"
TARGETS = {"cold": 2.0, "warm": 1.0, "typical": 0.050, "large": None, "longtask": 0.050, "insert": None}

TYPICAL_MAIL = """From: AliExpress <transaction@notice.aliexpress.com>
To: kund@example.se
Subject: Order 8123456789012345: order confirmed
Content-Type: text/plain; charset=utf-8

Hi,

Thank you for your order.

Order ID: 8123456789012345
Order date: 12 Nov 2026
Store: Example Store

Item: USB-C cable 2 m
https://www.aliexpress.com/item/1005006123456789.html
Total: SEK 59.90

View order details: https://www.aliexpress.com/p/order/detail.html?orderId=8123456789012345
"""


# -------------------------------------------------------------------------------- in the page

# Installed before any page script: records every main-thread task over 50 ms.
LONGTASK_OBSERVER = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longtasks.push([entry.startTime, entry.duration]);
}).observe({type: "longtask", buffered: true});
"""

# Resolves with ms from the action to the status reaching `target`; the action runs in the same task.
UNTIL_STATE = """([action, target, text]) => new Promise((resolve) => {
  const status = document.querySelector('[data-testid="order-status"]');
  const input = document.querySelector('[data-testid="order-input"]');
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (status.dataset.state === target) {
      observer.disconnect();
      const ms = performance.now() - start;
      requestAnimationFrame(() => setTimeout(() => resolve({ms, start, end: performance.now()}), 0));
    }
  });
  observer.observe(status, {attributes: true});
  // resolve() runs in the task that set the state; the window closes after the next frame, so the
  // rendering of the results counts too.
  if (action === "focus") {
    input.focus();
  } else {
    // The text is already in the box (put there by prepare_paste, untimed): putting megabytes into
    // a textarea is the browser's own cost, the same with or without the tool.
    input.dispatchEvent(new ClipboardEvent("paste", {bubbles: true, cancelable: true}));
  }
})"""

PREPARE_PASTE = """(text) => {
  const input = document.querySelector('[data-testid="order-input"]');
  input.focus();
  input.wrap = text.length > 100000 ? "off" : "soft";
  const start = performance.now();
  input.value = text;
  input.getBoundingClientRect();
  return performance.now() - start;
}"""

# The longest task that overlaps one of the measured windows (intent -> ready, paste -> done).
LONGEST_TASK_IN = """(windows) => window.__longtasks
  .filter(([start, duration]) => windows.some(([from, to]) => start < to && start + duration > from))
  .reduce((longest, [, duration]) => Math.max(longest, duration), 0)"""


def large_mail(size: int) -> str:
    """A typical mail padded with ordinary newsletter text to `size` bytes."""
    filler = "Recommended for you: phone cases, cables and chargers at great prices. Shop now!\n"
    return TYPICAL_MAIL + filler * ((size - len(TYPICAL_MAIL)) // len(filler) + 1)


class Visit:
    """One browser start on a profile, one page load, measured."""

    def __init__(self, playwright: object, profile: Path, url: str) -> None:
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_executable(), args=CHROMIUM_FLAGS, headless=True
        )
        self.context.add_init_script(LONGTASK_OBSERVER)
        self.page = self.context.new_page()
        self.page.goto(url + TOOL_PAGE, wait_until="load")
        self.page.wait_for_timeout(500)  # let the page settle, as a reader would read first
        self.windows: list[tuple[float, float]] = []
        self.insert_ms = 0.0

    def _until(self, action: str, state: str) -> float:
        result = self.page.evaluate(UNTIL_STATE, [action, state, ""])
        self.windows.append((result["start"], result["end"]))
        return result["ms"] / 1000

    def intent_to_ready(self) -> float:
        return self._until("focus", "ready")

    def paste_to_done(self, text: str) -> float:
        self.insert_ms = self.page.evaluate(PREPARE_PASTE, text)
        self.page.wait_for_timeout(300)  # the browser finishes laying out the text
        return self._until("paste", "done")

    def longest_task(self) -> float:
        return self.page.evaluate(LONGEST_TASK_IN, self.windows) / 1000

    def close(self) -> None:
        self.context.close()


def measure(url: str, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {name: [] for name in TARGETS}
    with sync_playwright() as playwright:
        for _ in range(runs):
            profile = Path(tempfile.mkdtemp(prefix="bench-profile-"))
            try:
                cold = Visit(playwright, profile, url)
                figures["cold"].append(cold.intent_to_ready())
                cold.paste_to_done(TYPICAL_MAIL)  # the first run of a session is not the typical one
                figures["typical"].append(statistics.median(cold.paste_to_done(TYPICAL_MAIL) for _ in range(10)))
                figures["large"].append(cold.paste_to_done(large_mail(2 * 1024 * 1024)))
                figures["insert"].append(cold.insert_ms / 1000)
                figures["longtask"].append(cold.longest_task())
                cold.close()
                warm = Visit(playwright, profile, url)
                figures["warm"].append(warm.intent_to_ready())
                warm.paste_to_done(TYPICAL_MAIL)
                figures["longtask"].append(warm.longest_task())
                warm.close()
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    return figures


def report(figures: dict[str, list[float]], runs: int) -> None:
    labels = {
        "cold": "intent -> ready, cold (fresh profile)",
        "warm": "intent -> ready, warm (second visit)",
        "typical": "paste -> result, typical mail",
        "large": "paste -> result, 2 MB mail",
        "longtask": "longest main-thread task (load + work)",
        "insert": "for scale: the browser puts 2 MB in the box",
    }
    print(f"In-browser order tool, Chromium headless, {runs} run(s); median [all], target")
    for name, label in labels.items():
        values = figures[name]
        value = max(values) if name == "longtask" else statistics.median(values)
        shown = " ".join(f"{v * 1000:.0f}" for v in values)
        target = TARGETS[name]
        if name == "longtask" and value == 0:
            figure = "none > 50 ms"
        else:
            figure = f"{value * 1000:7.0f} ms"
        verdict = "" if target is None else ("ok" if value <= target else "MISSED")
        target_text = "(no target)" if target is None else f"<= {target * 1000:.0f} ms"
        print(f"  {label:<42} {figure:>12}  [{shown}]  {target_text} {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--runs", type=int, default=3, help="cold+warm rounds (default: 3)")
    args = parser.parse_args()
    if not (args.site / TOOL_PAGE.strip("/") / "index.html").exists():
        print(f"{args.site} has no tool page: run `make build` first", file=sys.stderr)
        return 2
    server, url = serve_site(args.site, cache_assets=True)
    try:
        report(measure(url, args.runs), args.runs)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
