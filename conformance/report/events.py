"""The typed events of one run. The plugin emits them, the journal appends them one JSON line
each, and the report builder folds over them; nothing else carries a run's data.

The JSON shape of each event is the journal line format (``type`` tells them apart), kept
unchanged since the first release so that old journals still rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from conformance.report.model import (
    ArtefactInfo,
    CampaignInfo,
    CandidateInfo,
    CheckResult,
    HarnessInfo,
    Model,
    ProfileInfo,
    RequirementInfo,
    RunEvent,
    SuiteInfo,
)


class RunStarted(Model):
    """What is about to run: who, against what, which requirements and profiles."""

    type: Literal["start"] = "start"
    started: str
    harness: HarnessInfo
    campaign: CampaignInfo
    candidate: CandidateInfo
    suites: list[SuiteInfo]
    profiles: list[ProfileInfo]
    requirements: list[RequirementInfo]
    seeds: dict[str, int] = Field(default_factory=dict)
    selected_requirements: list[str] | None = None
    start_parameters: dict[str, Any] = Field(default_factory=dict)


class CheckFinished(Model):
    """One check ran through all its phases."""

    type: Literal["check"] = "check"
    check: CheckResult


class Observed(Model):
    name: str
    value: Any
    at: str


class ObservationMade(Model):
    """A fact a suite observed about the candidate (the last value per name is kept)."""

    type: Literal["observation"] = "observation"
    observation: Observed


class RunEventRecorded(Model):
    """Something that happened to the run itself: launched, launch failed, died, interrupted."""

    type: Literal["event"] = "event"
    event: RunEvent


class RunEnded(Model):
    type: Literal["end"] = "end"
    finished: str
    complete: bool
    stop_reason: str | None = None
    start_parameters: dict[str, Any] = Field(default_factory=dict)
    # Digests resolved at launch (a container image's) replace the declared ones.
    artefacts: list[ArtefactInfo] | None = None
    measurements: dict[str, float] = Field(default_factory=dict)


RunEventType = Annotated[
    RunStarted | CheckFinished | ObservationMade | RunEventRecorded | RunEnded,
    Field(discriminator="type"),
]
EVENT = TypeAdapter(RunEventType)


def event_line(event: RunEventType) -> str:
    """The journal line of an event (sorted keys, so equal events give equal lines)."""
    return json.dumps(event.model_dump(mode="json"), sort_keys=True)


def events_from(entries: Iterable[Mapping[str, Any]]) -> list[RunEventType]:
    """Typed events from journal-shaped mappings (raises pydantic's ValidationError)."""
    return [EVENT.validate_python(entry) for entry in entries]
