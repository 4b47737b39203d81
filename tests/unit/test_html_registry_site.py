"""The static site of the label registry: statuses, history, badges, reports, buyer steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.html.badge import LEFT_COLOUR, STATUS_COLOURS, badge_svg, contrast
from tests.html_support import SCRIPT, RegistryFixture, registry_fixture

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[RegistryFixture, Path]:
    root = tmp_path_factory.mktemp("registry")
    fixture = registry_fixture(root, NOW)
    out = root / "site"
    result = CliRunner().invoke(
        main,
        [
            "registry", "site", str(out),
            "--db", str(fixture.db),
            "--reports", str(fixture.reports),
            "--snapshot", str(fixture.snapshot),
            "--trust", str(fixture.trust),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return fixture, out


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def test_index_lists_every_label_with_its_status_in_words(
    site: tuple[RegistryFixture, Path],
) -> None:
    _, out = site
    doc = page(out / "index.html")
    rows = {r.xpath(".//code")[0].text: r for r in doc.xpath("//tr[@class='label-row']")}
    assert {k: r.get("data-status") for k, r in rows.items()} == {
        "alpha/demo/core": "awarded",
        "beta/demo/core": "withdrawn",
        "gamma/demo/core": "suspended",
    }
    for label_id, row in rows.items():
        status = row.get("data-status")
        assert row.xpath(".//strong[@class='status-word']")[0].text == status, label_id
    # The withdrawal's reason is shown as text, never run.
    assert SCRIPT in rows["beta/demo/core"].text_content()
    assert len(doc.xpath("//script")) == 0


def test_label_page_has_history_and_links_to_its_report(site: tuple[RegistryFixture, Path]) -> None:
    _, out = site
    doc = page(out / "labels" / "beta--demo--core.html")
    assert "withdrawn" in doc.xpath("//div[contains(@class, 'st-withdrawn')]")[0].text_content()
    actions = [th.text for th in doc.xpath("//tbody/tr/th")]
    assert actions == ["award", "withdraw"]
    report_links = [h for h in doc.xpath("//a/@href") if h.endswith("report.html")]
    assert report_links
    for link in report_links:
        target = (out / "labels" / link).resolve()
        assert target.exists(), link
        published = page(target)
        # The published report's page verified its signature and knows the label's fate.
        assert published.xpath("//div[contains(@class, 's-verified')]")
        assert "withdrawn" in published.text_content()


def test_badges_are_accessible_svg(site: tuple[RegistryFixture, Path]) -> None:
    _, out = site
    svg = lxml.etree.parse(str(out / "badges" / "beta--demo--core.svg")).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("role") == "img"
    title = svg.find("s:title", ns).text
    assert "withdrawn" in title and "Beta Server" in title
    assert "withdrawn" in [t.text for t in svg.findall(".//s:text", ns)]


def test_badge_text_is_escaped_and_colours_contrast() -> None:
    svg = badge_svg("EOS <x>", "awarded", 'a "quoted" <title>')
    root = lxml.etree.fromstring(svg.encode())
    assert root.get("aria-label") == 'a "quoted" <title>'
    for colour in [LEFT_COLOUR, *STATUS_COLOURS.values()]:
        assert contrast("#ffffff", colour) >= 4.5, colour


def test_verify_page_gives_the_buyer_steps_and_files(site: tuple[RegistryFixture, Path]) -> None:
    _, out = site
    doc = page(out / "verify.html")
    steps = doc.xpath("//ol[@class='steps']/li")
    assert len(steps) >= 5
    text = doc.text_content()
    assert "conformance-env/bin/conformance verify report.dsse.json" in text
    assert "--registry registry.dsse.json" in text
    assert (out / "registry.dsse.json").exists() and (out / "trust.toml").exists()
    assert "registry.dsse.json" in doc.xpath("//a/@href")


def test_site_status_at_a_past_date(site: tuple[RegistryFixture, Path], tmp_path: Path) -> None:
    fixture, _ = site
    before = (NOW - timedelta(hours=1)).isoformat()
    result = CliRunner().invoke(
        main, ["registry", "site", str(tmp_path), "--db", str(fixture.db), "--at", before]
    )
    assert result.exit_code == 0, result.output
    statuses = {
        r.get("data-status")
        for r in page(tmp_path / "index.html").xpath("//tr[@class='label-row']")
    }
    assert statuses == {"awarded"}


def test_site_of_a_missing_registry_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["registry", "site", str(tmp_path / "out"), "--db", str(tmp_path / "none.sqlite")]
    )
    assert result.exit_code == 2
    assert "no such file" in " ".join(result.output.split())
