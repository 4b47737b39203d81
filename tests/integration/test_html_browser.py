"""The HTML pages in a real headless Chromium (Debian's), driven by Playwright.

Pages come from a real signed CalDAV campaign against Radicale and Xandikos, a report with
hostile evidence and several hundred requirements, and a registry site built from real label
events. Screenshots are kept under reports/test-artefacts/html/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conformance.run.outputs import write_run_outputs
from conformance.trust import keys
from conformance.trust.trust_list import trust_entry_toml
from tests.html_support import SCRIPT, hostile_report, registry_fixture
from tests.integration.conftest import PROJECT, conformance

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("CONFORMANCE_CHROMIUM", "/usr/bin/chromium"))
AXE = PROJECT / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = PROJECT / "reports" / "test-artefacts" / "html"
# The closed network refuses Chromium's background connections; these keep it quiet.
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
BULK = 400  # requirements added to the hostile report: the page must stay usable at this size


def _missing(what: str) -> None:
    message = f"{what} missing: run .ci/setup.d/40-chromium.sh (as root)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Pages:
    root: Path
    campaign: Path
    compare: Path
    hostile: Path
    site: Path

    def named(self) -> dict[str, Path]:
        return {
            "radicale": self.campaign / "radicale" / "report.html",
            "xandikos": self.campaign / "xandikos" / "report.html",
            "compare": self.compare,
            "hostile": self.hostile / "report.html",
            "site-index": self.site / "index.html",
            "site-withdrawn-label": self.site / "labels" / "beta--demo--core.html",
            "site-verify": self.site / "verify.html",
        }


def _trusted_vendor_key(root: Path) -> tuple[Path, Path]:
    files = keys.generate(root / "vendor")
    public = keys.public_to_text(keys.load_private(files.private, None).public_key())
    start = datetime.now(UTC) - timedelta(days=1)
    trust = root / "trust.toml"
    trust.write_text(
        trust_entry_toml(files.key_id, "Browser Test Vendor", "vendor", public, start,
                         start + timedelta(days=30))
    )  # fmt: skip
    return files.private, trust


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    root = tmp_path_factory.mktemp("html")
    key, trust = _trusted_vendor_key(root)
    # A real campaign, signed; the report.html written at its end verifies the signature
    # with the trust list in the environment.
    result = subprocess.run(
        [
            sys.executable, "-m", "conformance.cli", "run",
            "--candidate", "radicale", "--candidate", "xandikos",
            "--campaign", "browser", "--output-root", str(root), "--seed", "20261122",
            "--sign-key", str(key),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "CONFORMANCE_TRUST_LIST": str(trust)},
        check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    campaign = root / "browser"
    compare = campaign / "compare.html"
    done = conformance(
        "report", "compare", str(campaign / "radicale"), str(campaign / "xandikos"),
        "--out", str(compare), "--trust", str(trust), cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    write_run_outputs(hostile_report(extra_requirements=BULK), root / "hostile")
    registry = registry_fixture(root / "registry")
    site = root / "site"
    done = conformance(
        "registry", "site", str(site), "--db", str(registry.db),
        "--reports", str(registry.reports), "--snapshot", str(registry.snapshot),
        "--trust", str(registry.trust), cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return Pages(root, campaign, compare, root / "hostile", site)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"Chromium ({CHROMIUM})")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


class Opened:
    """A page with every console message and uncaught error it produced."""

    def __init__(self, browser: Any, path: Path, **context: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"uncaught: {e}"))
        self.page.goto(path.as_uri())

    def shot(self, name: str, full_page: bool = False) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=full_page)

    def visible_rows(self) -> list[Any]:
        return [r for r in self.page.locator("tbody.req").all() if r.is_visible()]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    opened: list[Opened] = []

    def opener(path: Path, **context: Any) -> Opened:
        page = Opened(browser, path, **context)
        opened.append(page)
        return page

    yield opener
    for page in opened:
        page.close()


PAGE_NAMES = [
    "radicale",
    "xandikos",
    "compare",
    "hostile",
    "site-index",
    "site-withdrawn-label",
    "site-verify",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_loads_without_console_errors(pages: Pages, open_page: Any, name: str) -> None:
    opened = open_page(pages.named()[name])
    assert opened.page.locator("h1").count() == 1
    opened.shot(name)
    assert opened.problems == []


def test_campaign_report_shows_its_verified_signature(pages: Pages, open_page: Any) -> None:
    opened = open_page(pages.named()["radicale"])
    box = opened.page.locator("#signature .status-box")
    assert "Signature verified" in box.inner_text()
    assert "Browser Test Vendor (vendor)" in box.inner_text()
    assert "FAIL" in opened.page.locator("#verdict p.verdict").inner_text()


def _report(pages: Pages, candidate: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pages.campaign / candidate / "report.json").read_text())
    return data


def test_filters_and_search(pages: Pages, open_page: Any) -> None:
    report = _report(pages, "radicale")
    deviations = [
        r for r in report["requirements"] if r["outcome"] == "failed" and r["known_deviation"]
    ]
    assert deviations, "the reference run should show Radicale's documented deviations"
    opened = open_page(pages.named()["radicale"])
    page = opened.page
    total = len(report["requirements"])
    assert len(opened.visible_rows()) == total
    for box in page.locator("input[name=outcome]").all():
        if box.get_attribute("value") != "deviation":
            box.uncheck()
    visible = opened.visible_rows()
    assert sorted(r.get_attribute("id") for r in visible) == sorted(
        f"req-{r['id']}" for r in deviations
    )
    assert page.locator("#shown-count").inner_text() == (
        f"Showing {len(deviations)} of {total} requirements."
    )
    page.get_by_role("button", name="Open all evidence").click()
    opened.shot("radicale-known-deviations-with-evidence")
    page.get_by_role("button", name="Show everything").click()
    page.locator("input[name=level][value=MUST]").uncheck()
    levels = {r.get_attribute("data-level") for r in opened.visible_rows()}
    assert levels and "MUST" not in levels
    page.get_by_role("button", name="Show everything").click()
    page.get_by_label("Search requirements").fill("mkcalendar")
    expected = [
        r for r in report["requirements"] if "mkcalendar" in (r["id"] + r["summary"]).lower()
    ]
    assert len(opened.visible_rows()) == len(expected) > 0
    page.get_by_label("Search requirements").fill("no such requirement anywhere")
    assert opened.visible_rows() == []
    assert page.locator("#nothing-shown").is_visible()
    assert opened.problems == []


def test_comparison_shows_only_differences_on_request(pages: Pages, open_page: Any) -> None:
    radicale, xandikos = _report(pages, "radicale"), _report(pages, "xandikos")

    def shown(report: dict[str, Any]) -> dict[str, str]:
        deviates = {r["id"] for r in report["requirements"] if r["known_deviation"]}
        return {
            r["id"]: "deviation"
            if r["outcome"] == "failed" and r["id"] in deviates
            else r["outcome"]
            for r in report["requirements"]
        }

    a, b = shown(radicale), shown(xandikos)
    differing = sorted(f"req-{k}" for k in a if a[k] != b.get(k))
    assert differing, "Radicale and Xandikos differ on some requirements"
    opened = open_page(pages.compare)
    opened.page.get_by_label("only requirements where the candidates differ").check()
    assert sorted(r.get_attribute("id") for r in opened.visible_rows()) == differing
    opened.shot("compare-differences", full_page=True)
    assert opened.problems == []


def test_hostile_evidence_is_shown_not_run(pages: Pages, open_page: Any) -> None:
    opened = open_page(pages.named()["hostile"])
    page = opened.page
    page.get_by_role("button", name="Open all evidence").click()
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.locator("pre", has_text=SCRIPT).first.is_visible()
    assert page.locator("img").count() == 0
    # Several hundred requirements: filtering still answers.
    assert len(opened.visible_rows()) == BULK + 6
    page.get_by_label("Search requirements").fill("bulk03")
    assert len(opened.visible_rows()) == 10
    opened.shot("hostile-evidence")
    assert opened.problems == []


def test_withdrawn_label_shows_withdrawn(pages: Pages, open_page: Any) -> None:
    index = open_page(pages.site / "index.html")
    row = index.page.locator("tr.label-row", has_text="beta/demo/core")
    assert row.locator(".status-word").inner_text() == "withdrawn"
    index.shot("site-index", full_page=True)
    label = open_page(pages.site / "labels" / "beta--demo--core.html")
    assert "Status: withdrawn" in label.page.locator(".status-box").inner_text()
    badge = open_page(pages.site / "badges" / "beta--demo--core.svg")
    assert "withdrawn" in badge.page.locator("title").text_content()
    assert index.problems == label.problems == badge.problems == []


def test_keyboard_reaches_the_filters(pages: Pages, open_page: Any) -> None:
    opened = open_page(pages.named()["radicale"])
    page = opened.page
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the requirements"
    page.keyboard.press("Enter")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "outcome":
            break
    focused = page.evaluate(
        "() => ({name: document.activeElement.name, value: document.activeElement.value,"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused["name"] == "outcome", focused
    assert focused["outline"] != "none"  # a visible focus ring
    opened.shot("keyboard-focus-on-filter")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is False
    for _ in range(6):
        if page.evaluate("() => document.activeElement.value") == "passed":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    passed = len(_report(pages, "radicale")["requirements"]) - len(opened.visible_rows())
    assert passed > 0 and page.locator("#shown-count").inner_text().startswith(
        f"Showing {len(opened.visible_rows())} of"
    )
    # Evidence opens from the keyboard too.
    summary = page.locator("details.evidence-box > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.evidence-box").first.get_attribute("open") is not None


def test_without_javascript_everything_is_shown(pages: Pages, open_page: Any) -> None:
    opened = open_page(pages.named()["radicale"], java_script_enabled=False)
    assert not opened.page.locator("#filters").is_visible()
    assert len(opened.visible_rows()) == len(_report(pages, "radicale")["requirements"])


@pytest.mark.parametrize(
    "name", ["radicale", "compare", "site-index", "site-withdrawn-label", "site-verify"]
)
def test_accessibility_audit(pages: Pages, open_page: Any, name: str) -> None:
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    # axe is injected into the page, which the pages' own CSP would (rightly) refuse.
    opened = open_page(pages.named()[name], bypass_csp=True)
    opened.page.evaluate(
        "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
    )
    opened.page.add_script_tag(path=str(AXE))
    audit = opened.page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
          });
          return {
            passes: result.passes.length,
            violations: result.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            })),
          };
        }"""
    )
    assert audit["passes"] > 5  # the audit really ran its rules
    assert audit["violations"] == []
