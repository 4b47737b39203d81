"""report.html and compare.html: content, escaping, signature status by verification, CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.errors import InputError
from conformance.html.badge import contrast
from conformance.html.compare_page import Entry, render_compare
from conformance.html.environment import asset
from conformance.html.evidence_view import MAX_DEPTH, to_node
from conformance.html.report_page import render_report, write_report_html
from conformance.html.signature import Inputs, examine, load_inputs
from conformance.report.model import Report
from conformance.run.outputs import write_run_outputs
from conformance.trust import keys
from conformance.trust.sign import sign_report
from conformance.trust.trust_list import trust_entry_toml
from tests.helpers import Req
from tests.html_support import HANDLER, HOSTILE_URL, SCRIPT, hostile_report, renamed
from tests.unit.signing_support import CHECKED_AT, SIGNED_AT, make_report, signer, write_trust


def page_of(report: Report, tmp_path: Path, inputs: Inputs | None = None) -> str:
    write_run_outputs(report, tmp_path)
    path = write_report_html(tmp_path, inputs or Inputs(), CHECKED_AT)
    return path.read_text(encoding="utf-8")


def tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_hostile_evidence_is_text_never_markup(tmp_path: Path) -> None:
    html = page_of(hostile_report(), tmp_path)
    doc = tree(html)
    # Our one script, nothing else: no injected element, attribute or link survives.
    assert len(doc.xpath("//script")) == 1
    assert not doc.xpath("//img") and not doc.xpath("//*[@onerror]")
    assert not [a for a in doc.xpath("//a/@href") if a.lower().startswith("javascript")]
    text = doc.text_content()
    assert SCRIPT in text and HANDLER in text
    assert SCRIPT not in html and "&lt;script&gt;" in html
    # The requirement whose link was hostile still shows its section, just not as a link.
    row = doc.get_element_by_id("req-demo.fail")
    assert "§ 2.1" in row.text_content() and not row.xpath(".//td[@class='section']//a")
    assert HOSTILE_URL in text  # the evidence field holding it is shown as text


def test_unknown_evidence_fields_are_shown_as_key_value(tmp_path: Path) -> None:
    doc = tree(page_of(hostile_report(), tmp_path))
    evidence = doc.get_element_by_id("req-demo.fail").text_content()
    shown_fields = (
        "document excerpt",  # top-level keys are made readable, nested ones shown as they are
        "content.xml",
        "matrix room",
        "event_id",
        "$1",
        "trace_id",
        "t-1",
        "exchange count",
        "notes",
        "PUT http://127.0.0.1:1/cal/event.ics",
    )
    for shown in shown_fields:
        assert shown in evidence, shown
    assert "[redacted]" in evidence


def test_generic_evidence_tree_is_bounded() -> None:
    deep: dict[str, object] = {"leaf": "x"}
    for _ in range(MAX_DEPTH + 3):
        deep = {"next": deep}
    node = to_node(deep)
    for _ in range(MAX_DEPTH):
        assert node.kind == "map"
        node = node.entries[0][1]
    assert node.kind == "pre" and '"leaf": "x"' in node.text
    assert to_node([1, "two", None]).kind == "list"
    assert to_node("a\nb").kind == "pre" and to_node(3.5).text == "3.5"


def test_matrix_grouped_by_spec_and_ordered_by_section(tmp_path: Path) -> None:
    report = hostile_report(extra_requirements=12)
    doc = tree(page_of(report, tmp_path))
    rows = doc.xpath("//tbody[@class='req']")
    assert len(rows) == len(report.requirements)
    sections = [r.xpath(".//td[@class='section']")[0].text_content().strip() for r in rows]
    # 2.10 comes after 2.2, 9.10 after 9.9: sections sort as numbers.
    assert sections.index("§ 2.10") > sections.index("§ 2.2")
    assert sections.index("§ 9.10") > sections.index("§ 9.9")
    outcomes = {r.get("id"): r.get("data-outcome") for r in rows}
    assert outcomes["req-demo.fail"] == "failed"
    assert outcomes["req-demo.deviates"] == "deviation"
    assert outcomes["req-demo.undecided"] == "cantTell"
    assert outcomes["req-demo.na"] == "inapplicable"
    assert outcomes["req-demo.untested"] == "untested"
    deviation = doc.get_element_by_id("req-demo.deviates").text_content()
    assert "failed (known deviation)" in deviation and "never counted as a pass" in deviation
    # Status is a word in every outcome badge, not only a colour.
    for badge in doc.xpath("//tbody[@class='req']//span[contains(@class, 'outcome')]"):
        assert re.search(r"[a-z]{4,}", badge.text_content())


def test_filters_are_labelled_and_hidden_without_javascript(tmp_path: Path) -> None:
    doc = tree(page_of(hostile_report(), tmp_path))
    form = doc.get_element_by_id("filters")
    assert form.get("hidden") is not None  # JavaScript reveals it; without it all rows show
    assert not doc.xpath("//tbody[@class='req'][@hidden]")
    for box in form.xpath(".//input"):
        labelled = box.getparent().tag == "label" or doc.xpath(f"//label[@for='{box.get('id')}']")
        assert labelled, box.get("name")
    assert doc.xpath("//noscript")
    assert {b.get("value") for b in form.xpath(".//input[@name='level']")} == {
        "MUST",
        "SHOULD",
        "MAY",
    }


def test_page_is_self_contained_and_its_csp_allows_only_its_own_script(tmp_path: Path) -> None:
    html = page_of(hostile_report(), tmp_path)
    doc = tree(html)
    assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src] | //img[@src] | //iframe")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    script = doc.xpath("//script")[0].text
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert doc.get("lang") == "en"
    assert doc.xpath("//main") and doc.xpath("//h1") and doc.xpath("//nav[@aria-label]")
    assert all(th.get("scope") in ("col", "row") for th in doc.xpath("//th"))


def test_unsigned_report_says_so(tmp_path: Path) -> None:
    doc = tree(page_of(make_report(kind="self-assessment"), tmp_path))
    box = doc.xpath("//div[contains(@class, 'status-box')]")[0].text_content()
    assert "Unsigned" in box and "nothing vouches" in box


def signed_dir(tmp_path: Path, report: Report) -> tuple[Path, Inputs]:
    auditor = signer()
    trust = write_trust(tmp_path / "trust.toml", auditor)
    directory = tmp_path / "run"
    write_run_outputs(report, directory)
    (directory / "report.dsse.json").write_bytes(sign_report(report, auditor.key, SIGNED_AT))
    return directory, Inputs(trust=trust)


def test_signed_report_is_verified_and_shown_from_the_signed_content(tmp_path: Path) -> None:
    directory, inputs = signed_dir(tmp_path, make_report())
    html = write_report_html(directory, inputs, CHECKED_AT).read_text()
    box = tree(html).xpath("//div[contains(@class, 's-verified')]")[0].text_content()
    assert "Signature verified" in box and "Example Audit GmbH (auditor)" in box
    assert "eligible, valid until 2028-01-01" in html  # label status from the policy


def test_edited_report_is_not_verified_and_says_why(tmp_path: Path) -> None:
    directory, inputs = signed_dir(tmp_path, make_report())
    data = json.loads((directory / "report.json").read_text())
    data["candidate"]["version"] = "9.9.9"
    (directory / "report.json").write_text(json.dumps(data))
    doc = tree(write_report_html(directory, inputs, CHECKED_AT).read_text())
    box = doc.xpath("//div[contains(@class, 's-not-verified')]")[0].text_content()
    assert "NOT verified" in box
    assert "edited after signing" in doc.xpath("//ul[@class='reasons']")[0].text_content()
    assert "9.9.9" in doc.xpath("//h1")[0].text_content()  # what the file says, under the banner


def test_signed_report_without_trust_list_names_the_missing_piece(tmp_path: Path) -> None:
    directory, _ = signed_dir(tmp_path, make_report())
    report, view = examine(directory, Inputs(), CHECKED_AT)
    assert view.state == "not-verified" and "no trust list" in view.headline
    assert report.candidate.id == "demo-server"


def test_stated_outcomes_are_not_believed(tmp_path: Path) -> None:
    report = make_report({"demo.m1": "failed", "demo.m2": "passed", "demo.s1": "passed"})
    data = json.loads(report.model_dump_json())
    data["requirements"][0]["outcome"] = "passed"  # a report claiming a pass its checks deny
    data["profiles"][0]["verdict"] = data["verdict"] = "pass"
    forged = Report.model_validate(data)
    doc = tree(render_report(forged, examine(tmp_path, Inputs(), shown=forged)[1]))
    assert "contradicts its own check results" in doc.text_content()
    assert doc.get_element_by_id("req-demo.m1").get("data-outcome") == "failed"
    assert "FAIL" in doc.xpath("//p[contains(@class, 'verdict')]")[0].text_content()


def test_every_run_writes_report_html(tmp_path: Path) -> None:
    written = write_run_outputs(hostile_report(), tmp_path)
    assert tmp_path / "report.html" in written
    assert "demo.fail" in (tmp_path / "report.html").read_text()


def test_run_page_survives_a_broken_trust_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.toml").write_text("keys = 3\n")
    monkeypatch.setenv("CONFORMANCE_TRUST_LIST", str(tmp_path / "bad.toml"))
    write_run_outputs(make_report(), tmp_path / "run")
    html = (tmp_path / "run" / "report.html").read_text()
    assert "trust list unusable" in html


def test_compare_shows_who_passes_what(tmp_path: Path) -> None:
    a = make_report({"demo.m1": "passed", "demo.m2": "passed", "demo.s1": "failed"})
    b = renamed(make_report({"demo.m1": "failed", "demo.m2": "passed"}), "other", "Other")
    entries = []
    for name, report in (("a", a), ("b", b)):
        write_run_outputs(report, tmp_path / name)
        entries.append(Entry(tmp_path / name, *examine(tmp_path / name, Inputs())))
    doc = tree(render_compare(entries, tmp_path / "compare.html"))
    rows = {r.get("id"): r for r in doc.xpath("//tbody[@class='req']")}
    assert set(rows) == {"req-demo.m1", "req-demo.m2", "req-demo.s1"}
    assert rows["req-demo.m1"].get("data-differs") == "yes"
    assert rows["req-demo.m2"].get("data-differs") == "no"
    cells = [td.text_content().strip() for td in rows["req-demo.m1"].xpath(".//td")[2:]]
    assert cells == ["✓ passed", "✗ failed"]
    # Each cell links to the candidate's own report, at the requirement.
    assert rows["req-demo.m1"].xpath(".//a/@href")[1] == "a/report.html#req-demo.m1"
    assert "2 candidates, 3 requirements of the profile, 2 with different outcomes" in (
        doc.text_content()
    )


def test_compare_needs_a_shared_profile(tmp_path: Path) -> None:
    a = make_report()
    b = make_report(requirements=[Req("demo.x", profiles=("other",))])
    data = json.loads(b.model_dump_json())
    data["profiles"][0]["profile"] = "other"
    entries = [
        Entry(tmp_path / "a", a, examine(tmp_path, Inputs(), shown=a)[1]),
        Entry(tmp_path / "b", Report.model_validate(data), examine(tmp_path, Inputs(), shown=a)[1]),
    ]
    with pytest.raises(InputError, match="share no profile"):
        render_compare(entries, tmp_path / "c.html")
    with pytest.raises(InputError, match="at least two"):
        render_compare(entries[:1], tmp_path / "c.html")


def test_cli_report_html_and_compare(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_run_outputs(make_report(), tmp_path / name)
        (tmp_path / name / "report.html").unlink()
    runner = CliRunner()
    done = runner.invoke(
        main, ["report", "html", str(tmp_path / "a"), str(tmp_path / "b" / "report.json")]
    )
    assert done.exit_code == 0, done.output
    assert (tmp_path / "a" / "report.html").exists() and (tmp_path / "b" / "report.html").exists()
    out = tmp_path / "cmp" / "compare.html"
    done = runner.invoke(
        main, ["report", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "Requirements side by side" in out.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["report", "html", "nowhere"], "report nowhere: no such file or directory"),
        (["report", "html", "{bad}"], "not a valid report.json"),
        (["report", "html", "{good}", "--trust", "{bad_trust}"], "trust list"),
        (["report", "html", "{good}", "--at", "yesterday"], "--at: not an ISO 8601"),
        (["report", "compare", "{good}", "{good}", "--profile", "nope"], "--profile nope"),
    ],
)
def test_cli_bad_input_is_a_clear_error(tmp_path: Path, arguments: list[str], message: str) -> None:
    bad = tmp_path / "bad" / "report.json"
    bad.parent.mkdir()
    bad.write_text('{"report_format": "eos-conformance-report/1"}')
    write_run_outputs(make_report(), tmp_path / "good")
    (tmp_path / "trust.toml").write_text("keys = 3\n")
    values = {
        "bad": str(bad),
        "good": str(tmp_path / "good"),
        "bad_trust": str(tmp_path / "trust.toml"),
    }
    result = CliRunner().invoke(main, [a.format(**values) for a in arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_stylesheet_colours_meet_contrast() -> None:
    css = asset("style.css")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    pairs = [("text", "bg"), ("muted", "bg"), ("muted", "panel"), ("link", "bg")] + [
        (name, f"{name}-bg") for name in ("pass", "fail", "dev", "undecided", "untested", "na")
    ]
    for foreground, background in pairs:
        ratio = contrast(colours[foreground], colours[background])
        assert ratio >= 4.5, (foreground, background, round(ratio, 2))


def test_load_inputs_reports_unusable_files(tmp_path: Path) -> None:
    (tmp_path / "trust.toml").write_text("keys = 3\n")
    with pytest.raises(InputError, match="trust list"):
        load_inputs(tmp_path / "trust.toml", None, datetime.now(UTC))
    lenient = load_inputs(tmp_path / "trust.toml", None, datetime.now(UTC), strict=False)
    assert lenient.trust is None and "trust list unusable" in lenient.problems[0]


def test_signing_a_report_rewrites_its_page_with_the_verified_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = keys.generate(tmp_path / "vendor")
    public = keys.public_to_text(keys.load_private(files.private).public_key())
    start = datetime.now(UTC) - timedelta(days=1)
    trust = tmp_path / "trust.toml"
    trust.write_text(
        trust_entry_toml(files.key_id, "Vendor", "vendor", public, start, start + timedelta(days=9))
    )
    monkeypatch.setenv("CONFORMANCE_TRUST_LIST", str(trust))
    write_run_outputs(make_report(kind="self-assessment"), tmp_path / "run")
    assert "Unsigned" in (tmp_path / "run" / "report.html").read_text()
    result = CliRunner().invoke(
        main, ["report", "sign", str(tmp_path / "run"), "--key", str(files.private)]
    )
    assert result.exit_code == 0, result.output
    assert "Signature verified" in (tmp_path / "run" / "report.html").read_text()


def test_test_mode_settings_are_listed_and_linked_from_their_requirements(tmp_path: Path) -> None:
    from conformance.report.model import TestModeInfo

    report = make_report()
    first, second = report.requirements[0].id, report.requirements[1].id
    setting = TestModeInfo(name="plain-http", description="HTTP <b>only</b> on loopback",
                           requirements=[first])
    report = report.model_copy(update={"candidate": report.candidate.model_copy(
        update={"test_mode": [setting]})})
    doc = tree(page_of(report, tmp_path))
    listed = doc.get_element_by_id("test-mode-plain-http")
    assert "plain-http" in listed.text_content()
    assert "HTTP <b>only</b> on loopback" in doc.text_content()  # text, never markup
    links = doc.get_element_by_id(f"req-{first}").xpath(".//a[@href='#test-mode-plain-http']")
    assert len(links) == 1
    assert not doc.get_element_by_id(f"req-{second}").xpath(".//span[@class='test-mode']")


def test_a_campaign_compares_every_profile_two_candidates_claim(tmp_path: Path) -> None:
    from conformance.html.campaign_pages import write_campaign_comparisons

    first, second = make_report(), make_report({"demo.m1": "failed", "demo.m2": "passed",
                                                "demo.s1": "passed"})
    for name, report in (("a", first), ("b", second)):
        write_run_outputs(report, tmp_path / name)
    (verdict,) = first.profiles
    alone = write_campaign_comparisons([(tmp_path / "a", first)], tmp_path)
    assert alone == [], "one candidate has nothing to be compared with"
    (page,) = write_campaign_comparisons([(tmp_path / "a", first), (tmp_path / "b", second)],
                                         tmp_path)
    assert page == tmp_path / f"compare-{verdict.standard}-{verdict.profile}.html"
    row = tree(page.read_text(encoding="utf-8")).get_element_by_id("req-demo.m1")
    assert "passed" in row.text_content() and "failed" in row.text_content()
