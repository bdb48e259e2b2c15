"""Benchmark for the extractor package snippets/order_number/, in CPython and in Pyodide under Node.

    .venv/bin/python bench/bench_extractor.py [--reps N] [--no-pyodide]

Prints, for CPython and Pyodide side by side:
- median and p95 time to extract one fixture (all fixtures in
  tests/fixtures/mails, several repetitions each);
- time for a generated 2 MB raw mail (multipart/alternative, quoted-printable
  text and HTML) and a 4.5 MB one, and their ratio, which is about 2.25 when
  the work grows linearly;
- a 10 MB mail, which the 5 MiB cap rejects;
- every hostile shape from the security review (tests/hostile_shapes.py) at
  1 MiB and 4 MiB: CPU seconds of one run each, and their ratio. Linear work
  gives about 4; the work budget (bounded headers, parts and candidates)
  often gives less. The budget is 1.5 s of CPU in CPython at any size up
  to the cap.

This is a benchmark, not a test: it never fails on slow figures. The
measuring functions are plain standard library so that
bench/bench_extractor_pyodide.mjs can run this same file inside Pyodide.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mails"
PYODIDE_BENCH = Path(__file__).with_name("bench_extractor_pyodide.mjs")
sys.path.insert(0, str(ROOT / "snippets"))

import order_number  # noqa: E402

HOSTILE_SIZES = {"1 MiB": 1024 * 1024, "4 MiB": 4 * 1024 * 1024}
TARGET_HOSTILE_CPU_S = 1.5

TARGET_TYPICAL_MS = 2.0  # median for a typical mail, CPython on 2 cores
TARGET_2MB_MS = 250.0
MB = 1024 * 1024
BIG_SIZES = {"2 MB": 2 * MB, "4.5 MB": int(4.5 * MB), "10 MB": 10 * MB}


# ---------------------------------------------------------------------------
# Measuring (runs in CPython and in Pyodide)
# ---------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_fixtures(datas: list[bytes], reps: int) -> dict:
    """Milliseconds per extract() call over every fixture, `reps` times each."""
    samples = []
    for _ in range(reps):
        for data in datas:
            start = time.perf_counter()
            order_number.extract(data)
            samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(samples), "p95_ms": percentile(samples, 0.95),
            "calls": len(samples)}


def time_big(data: bytes, reps: int) -> dict:
    """Median milliseconds for one large input, or how fast it is refused."""
    times, status = [], "ok"
    for _ in range(reps):
        start = time.perf_counter()
        try:
            order_number.extract(data)
        except order_number.InputTooLarge:
            status = "rejected"
        times.append((time.perf_counter() - start) * 1000)
    return {"status": status, "ms": statistics.median(times), "bytes": len(data)}


def cpu_seconds(data: bytes) -> float:
    """CPU time of one run_json() call (CPU, not wall time: the machine is shared)."""
    start = time.process_time()
    order_number.run_json(data)
    return time.process_time() - start


def measure(job: dict) -> dict:
    """The whole measurement, from a job of file paths (see main)."""
    datas = [Path(path).read_bytes() for path in job["fixtures"]]
    order_number.extract(datas[0])  # warm up: regex compilation, imports
    result = {"python": platform.python_version(), "fixtures": time_fixtures(datas, job["reps"])}
    result["big"] = {
        name: time_big(Path(path).read_bytes(), job["big_reps"]) for name, path in job["big"].items()
    }
    result["hostile"] = {
        shape: {size: cpu_seconds(Path(path).read_bytes()) for size, path in sizes.items()}
        for shape, sizes in job.get("hostile", {}).items()
    }
    return result


# ---------------------------------------------------------------------------
# Generated large mails
# ---------------------------------------------------------------------------


def generated_mail(size: int) -> bytes:
    """A raw AliExpress-style order mail of about `size` bytes: a long order
    list in text and HTML, both quoted-printable, the order number at the end."""

    def build(rows: int) -> bytes:
        text_rows, html_rows = [], []
        for n in range(rows):
            product = 1005006000000000 + n
            text_rows.append(f"Wireless earbuds Bluetooth 5.3, black, item {n}   US $12.{n % 100:02d}   x1\n")
            html_rows.append(
                f'<tr><td style="padding:8px;border-bottom:1px solid #eeeeee">'
                f'<a href="https://www.aliexpress.com/item/{product}.html?spm=a2g0o.order_detail.0.0.{n:x}">'
                f'<img src="https://ae01.alicdn.com/kf/S{n:08x}.jpg" width="80" alt=""></a></td>'
                f'<td style="padding:8px;font-size:14px;color:#333333">Wireless earbuds Bluetooth 5.3, '
                f"black, item {n}</td><td>US $12.{n % 100:02d}</td><td>x1</td></tr>\n"
            )
        footer = "Order ID: 8123456789012345\nThank you for shopping on AliExpress!\n"
        message = EmailMessage()
        message["From"] = "AliExpress <transaction@notice.aliexpress.com>"
        message["To"] = "anna.svensson@example.se"
        message["Subject"] = "Your AliExpress order list"
        message.set_content("".join(text_rows) + footer, cte="quoted-printable")
        html_body = "<html><body><table>" + "".join(html_rows) + "</table><p>" + footer + "</p></body></html>"
        message.add_alternative(html_body, subtype="html", cte="quoted-printable")
        return message.as_bytes()

    per_row = len(build(200)) / 200
    rows = max(1, int(size / per_row))
    data = build(rows)
    while len(data) < size:  # top up the last few percent
        rows += max(1, int((size - len(data)) / per_row) + 1)
        data = build(rows)
    return data


# ---------------------------------------------------------------------------
# Running both and printing
# ---------------------------------------------------------------------------


def run_pyodide(job: dict) -> dict | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "pyodide").is_dir():
        return None
    done = subprocess.run([node, str(PYODIDE_BENCH)], input=json.dumps(job).encode(),
                          capture_output=True, timeout=1800)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        return None
    return json.loads(done.stdout)


def show_big(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if entry["status"] == "rejected":
        return f"rejected ({entry['ms']:.2f} ms)"
    return f"{entry['ms']:.1f} ms"


def report(cpython: dict, pyodide: dict | None) -> str:
    rows = [("", f"CPython {cpython['python']}",
             f"Pyodide (Python {pyodide['python']})" if pyodide else "Pyodide: not run", "target (CPython)")]
    fixtures = cpython["fixtures"]
    other = pyodide["fixtures"] if pyodide else None
    label = f"typical mail, median ({fixtures['calls']} calls)"
    rows.append((label, f"{fixtures['median_ms']:.3f} ms",
                 f"{other['median_ms']:.3f} ms" if other else "-", f"<= {TARGET_TYPICAL_MS:g} ms"))
    rows.append(("typical mail, p95", f"{fixtures['p95_ms']:.3f} ms",
                 f"{other['p95_ms']:.3f} ms" if other else "-", ""))
    for name in BIG_SIZES:
        entry = cpython["big"][name]
        label = f"generated {name} mail ({entry['bytes'] / MB:.2f} MiB)"
        target = f"<= {TARGET_2MB_MS:g} ms" if name == "2 MB" else ""
        if name == "10 MB":
            target = f"rejected: cap {order_number.MAX_INPUT_BYTES} bytes"
        rows.append((label, show_big(entry), show_big(pyodide["big"][name]) if pyodide else "-", target))
    for results, column in ((cpython, 1), (pyodide, 2)):
        if results is None:
            continue
        small, large = results["big"]["2 MB"], results["big"]["4.5 MB"]
        ratio = large["ms"] / small["ms"]
        size_ratio = large["bytes"] / small["bytes"]
        results["ratio"] = f"{ratio:.2f} (sizes {size_ratio:.2f})"
    rows.append(("time ratio 4.5 MB / 2 MB", cpython["ratio"], pyodide["ratio"] if pyodide else "-",
                 "~linear: close to the size ratio"))
    rows.append(("", "", "", ""))
    small, large = HOSTILE_SIZES
    rows.append((f"hostile shape: CPU s at {small} / {large} (ratio)", "CPython", "Pyodide",
                 f"<= {TARGET_HOSTILE_CPU_S:g} s CPU (CPython)"))
    for shape, times in cpython["hostile"].items():
        other = pyodide["hostile"].get(shape) if pyodide else None
        rows.append((f"  {shape}", show_hostile(times), show_hostile(other), ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def show_hostile(times: dict | None) -> str:
    if not times:
        return "-"
    small, large = (times[size] for size in HOSTILE_SIZES)
    ratio = f"{large / small:.1f}" if small > 0.0005 else "-"
    return f"{small:.2f} / {large:.2f} ({ratio})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30, help="repetitions per fixture (default 30)")
    parser.add_argument("--big-reps", type=int, default=3, help="repetitions per large mail (default 3)")
    parser.add_argument("--no-pyodide", action="store_true", help="CPython only")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile_shapes  # the shapes the tests use (not needed inside Pyodide)

    fixtures = sorted(str(p) for p in FIXTURES.iterdir() if p.name != "expected.json")
    with tempfile.TemporaryDirectory(prefix="bench-extractor-") as tmp:
        big = {}
        for name, size in BIG_SIZES.items():
            path = Path(tmp) / f"generated-{size}.eml"
            path.write_bytes(generated_mail(size))
            big[name] = str(path)
        hostile = {}
        for shape, make in hostile_shapes.SHAPES.items():
            hostile[shape] = {}
            for label, size in HOSTILE_SIZES.items():
                path = Path(tmp) / f"hostile-{len(hostile)}-{size}.eml"
                path.write_bytes(make(size))
                hostile[shape][label] = str(path)
        job = {"fixtures": fixtures, "reps": args.reps, "big": big, "big_reps": args.big_reps,
               "hostile": hostile}
        cpython = measure(job)
        pyodide = None if args.no_pyodide else run_pyodide(job)
    print(f"Order-number extractor benchmark ({len(fixtures)} fixtures, {args.reps} repetitions each)")
    print(report(cpython, pyodide))
    if pyodide is None and not args.no_pyodide:
        print("(Pyodide figures need node and node_modules/pyodide: run npm ci)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
