"""The published JSON Schema of the report matches the model, and reports validate against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import conformance
from conformance.report.model import report_json_schema
from tests.helpers import Req, check_entry, end_entry, report_from, start_entry

SCHEMA_FILE = Path(conformance.__file__).parent / "schemas" / "report-1.schema.json"
REGENERATE = (
    "regenerate it: python -c \"import json, pathlib; from conformance.report.model import "
    "report_json_schema as s; pathlib.Path('conformance/schemas/report-1.schema.json')"
    ".write_text(json.dumps(s(), indent=2, sort_keys=True) + '\\n')\""
)


def published() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return result


def sample_report_json() -> dict[str, Any]:
    entries = [
        start_entry([Req("demo.m1"), Req("demo.m2"), Req("demo.s", "SHOULD")],
                    known_deviations={"demo.s": {"reason": "r", "reference": "x"}}),
        check_entry("t::a", ["demo.m1"], "passed"),
        check_entry("t::b", ["demo.m2"], "failed", "boom",
                    evidence={"exchanges": [], "exchangeCount": 1, "notes": []}),
        check_entry("t::s", ["demo.s"], "cantTell", "?"),
        end_entry(),
    ]
    result: dict[str, Any] = json.loads(report_from(entries).model_dump_json())
    return result


def test_published_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.is_file(), f"{SCHEMA_FILE} is missing; {REGENERATE}"
    assert published() == report_json_schema(), f"{SCHEMA_FILE} is out of date; {REGENERATE}"


def test_published_schema_is_canonically_formatted() -> None:
    # Stable formatting keeps diffs of the schema reviewable.
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_schema_names_itself_and_its_dialect() -> None:
    schema = report_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("report-1.schema.json")


def test_a_built_report_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(published())
    validator.check_schema(published())
    errors = list(validator.iter_errors(sample_report_json()))
    assert errors == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["requirements"][0].update(outcome="maybe"),
        lambda r: r.update(verdict="award"),
        lambda r: r["run"].update(unexpected=True),
        lambda r: r.pop("candidate"),
    ],
    ids=["unknown-outcome", "unknown-verdict", "extra-field", "missing-candidate"],
)
def test_the_schema_rejects_malformed_reports(tamper: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    report = sample_report_json()
    tamper(report)
    assert list(jsonschema.Draft202012Validator(published()).iter_errors(report))
