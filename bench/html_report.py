"""Benchmark: rendering report.html and filtering it in Chromium, as reports grow.

For reports of 100, 300 and 1,000 requirements (one in five failing, each failure with an
HTTP exchange and suite-specific evidence), prints the median time to render the page, its
size, and — when Debian's Chromium is installed — the time to load it and to apply a search
and an outcome filter in the browser (script and layout, timed inside the page).

    .venv/bin/python bench/html_report.py [--repeat 5] [--no-browser]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from conformance.html.report_page import render_report  # noqa: E402
from conformance.html.signature import Inputs, examine  # noqa: E402
from conformance.report.model import Report  # noqa: E402
from tests.html_support import hostile_report  # noqa: E402

SIZES = (100, 300, 1000)
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FILTER_TIMING = """() => {
  const search = document.getElementById('search');
  const started = performance.now();
  search.value = 'bulk01';
  search.dispatchEvent(new Event('input', {bubbles: true}));
  document.body.offsetHeight;  // include the layout the change causes
  const searched = performance.now() - started;
  const box = document.querySelector('input[name=outcome][value=passed]');
  const again = performance.now();
  box.click();
  document.body.offsetHeight;
  return [searched, performance.now() - again];
}"""


def render_times(report: Report, repeat: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as directory:
        _, signature = examine(Path(directory), Inputs(), shown=report)
    times, page = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        page = render_report(report, signature)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(page.encode("utf-8"))


def browser_times(pages: dict[int, str]) -> dict[int, tuple[float, float, float]]:
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory() as directory, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        for size, html in pages.items():
            path = Path(directory) / f"report-{size}.html"
            path.write_text(html, encoding="utf-8")
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load")
            loaded = time.perf_counter() - started
            searched, filtered = page.evaluate(FILTER_TIMING)
            results[size] = (loaded, searched / 1000, filtered / 1000)
            page.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    options = parser.parse_args()
    rows, pages = {}, {}
    for size in SIZES:
        report = hostile_report(extra_requirements=size - 6)
        seconds, octets = render_times(report, options.repeat)
        rows[size] = (seconds, octets)
        _, signature = examine(Path("/nonexistent"), Inputs(), shown=report)
        pages[size] = render_report(report, signature)
    in_browser = {}
    if not options.no_browser and CHROMIUM.exists():
        in_browser = browser_times(pages)
    table = Table(title="report.html: render and filter times")
    for column in ("requirements", "render (median)", "page size", "Chromium load", "search",
                   "outcome filter"):  # fmt: skip
        table.add_column(column, justify="right")
    for size, (seconds, octets) in rows.items():
        loaded = in_browser.get(size)
        table.add_row(
            str(size),
            f"{seconds * 1000:.0f} ms",
            f"{octets / 1024:.0f} KiB",
            *(f"{value * 1000:.0f} ms" for value in loaded) if loaded else ("-", "-", "-"),
        )
    Console().print(table)


if __name__ == "__main__":
    main()
