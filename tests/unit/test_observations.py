"""Observations: facts a check records about the candidate end up in the report."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.check.observations import observe, observed_in, set_observer
from tests.helpers import Req, end_entry, report_from, start_entry


def observation(name: str, value: Any) -> dict[str, Any]:
    return {"type": "observation", "observation": {"name": name, "value": value, "at": "t"}}


def test_observations_reach_the_report_last_value_wins() -> None:
    entries = [
        start_entry([Req("demo.a")]),
        observation("versions", ["v1.1"]),
        observation("versions", ["v1.1", "v1.2"]),
        observation("features", {"x": True}),
        end_entry(),
    ]
    report = report_from(entries)
    assert report.candidate.observed == {"versions": ["v1.1", "v1.2"], "features": {"x": True}}


def test_a_report_without_observations_has_an_empty_map() -> None:
    assert report_from([start_entry([Req("demo.a")]), end_entry()]).candidate.observed == {}


def test_observe_goes_to_the_observer_while_one_is_set() -> None:
    seen: list[tuple[str, Any]] = []
    set_observer(lambda name, value: seen.append((name, value)))
    try:
        observe("versions", ("v1.1",))
    finally:
        set_observer(None)
    observe("ignored", 1)
    assert seen == [("versions", ["v1.1"])]


def test_observe_refuses_what_is_not_json_data() -> None:
    with pytest.raises(ValueError, match="'bad' is not JSON data"):
        observe("bad", object())
    with pytest.raises(ValueError, match="needs a name"):
        observe("", 1)


def test_observed_in_ignores_other_entries() -> None:
    assert observed_in([start_entry([Req("demo.a")]), end_entry()]) == {}
