"""Campaign pages a suite declares (suite/campaign_hooks.py): called once per campaign with
the candidates of its standard, skipped without them, a failing writer reported and not
fatal; and a candidate started outside a pytest run, for suite commands and such pages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.suite.campaign_hooks import (
    CampaignCandidate,
    started_candidate,
    write_campaign_pages,
)
from conformance.suite.catalogue import Suite, load_suite
from tests.helpers import Req, catalogue_text, write
from tests.unit.test_command_candidates import manifest

WRITER = '''
from pathlib import Path
from conformance.api import InputError, SuiteDeclaration

def page(candidates, directory):
    if candidates[0].id == "broken":
        raise InputError("no tools")
    path = Path(directory) / "demo-page.txt"
    path.write_text(",".join(c.id for c in candidates))
    return [path]

SUITE = SuiteDeclaration(campaign_page="__init__:page")
'''


@pytest.fixture
def suites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Suite]]:
    package = tmp_path / "hooksuites"
    write(package / "__init__.py", "")
    write(package / "demo" / "catalogue.toml", catalogue_text([Req("demo.a", "MUST")]))
    write(package / "demo" / "__init__.py", WRITER)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield {"demo": load_suite(package / "demo")}
    for name in [m for m in sys.modules if m.startswith("hooksuites")]:
        del sys.modules[name]


def candidate(name: str) -> CampaignCandidate:
    return CampaignCandidate(name, f"{name}.toml", None)


def test_a_declared_page_is_written_with_the_standards_candidates(
        suites: dict[str, Suite], tmp_path: Path) -> None:
    pages, problems = write_campaign_pages(
        suites, {"demo": [candidate("one"), candidate("two")], "other": [candidate("x")]},
        tmp_path)
    assert pages == [tmp_path / "demo-page.txt"] and problems == []
    assert (tmp_path / "demo-page.txt").read_text() == "one,two"


def test_no_candidates_no_page_and_a_failing_writer_is_reported(
        suites: dict[str, Suite], tmp_path: Path) -> None:
    assert write_campaign_pages(suites, {}, tmp_path) == ([], [])
    pages, problems = write_campaign_pages(suites, {"demo": [candidate("broken")]}, tmp_path)
    assert pages == []
    assert problems == ["suite demo: campaign page not written: no tools"]


def test_a_candidate_is_started_outside_a_run_and_stopped(tmp_path: Path) -> None:
    with started_candidate(manifest(tmp_path), tmp_path / "out") as context:
        workdir = Path(context.running.launcher.template_values["workdir"])
        assert context.id == "converter"
        assert (workdir / "note.txt").read_text() == f"in {workdir}"
    assert not workdir.exists()
