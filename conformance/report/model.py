"""The unsigned report model. Its JSON Schema is published in ``conformance/schemas``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from conformance.outcomes import Outcome

REPORT_FORMAT = "eos-conformance-report/1"
CampaignKind = Literal["self-assessment", "official"]
Level = Literal["MUST", "SHOULD", "MAY"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HarnessInfo(Model):
    name: str
    version: str
    python: str
    host: str | None = Field(default=None, description="the machine the run ran on")
    worker: str | None = Field(
        default=None, description="the campaign executor's worker that ran it (local or Dask)"
    )


class CampaignInfo(Model):
    id: str
    kind: CampaignKind
    assessor: str


class ArtefactInfo(Model):
    name: str
    digest: str | None = Field(description="sha256:<hex>, or null until a launcher resolved it")
    kind: str
    version: str | None = None


class KnownDeviation(Model):
    reason: str
    reference: str
    intermittent: bool = Field(
        default=False, description="the product breaks the rule in some runs only"
    )


class TestModeInfo(Model):
    __test__ = False  # not a pytest test class, whatever its name

    name: str
    description: str
    requirements: list[str] = Field(description="the requirement ids whose results depend on it")


class CandidateInfo(Model):
    id: str
    product: str
    vendor: str
    version: str | None
    manifest_sha256: str
    artefacts: list[ArtefactInfo]
    launcher: str
    known_deviations: dict[str, KnownDeviation] = Field(default_factory=dict)
    observed: dict[str, Any] = Field(
        default_factory=dict,
        description="facts the suites observed about the candidate during the run, by name "
        "(e.g. the protocol versions it announces)",
    )
    test_mode: list[TestModeInfo] = Field(
        default_factory=list,
        description="settings the candidate ran with only for testing, and what depends on them",
    )


class SuiteInfo(Model):
    standard: str
    title: str
    catalogue_version: str
    catalogue_digest: str
    suite_digest: str


class ProfileInfo(Model):
    standard: str
    id: str
    title: str
    version: str


class RequirementInfo(Model):
    id: str
    standard: str
    spec: str
    spec_title: str
    section: str
    url: str
    level: Level
    profiles: list[str]
    summary: str
    references: dict[str, list[str]] = Field(
        default_factory=dict,
        description="the same rule's test names in other test programmes (programme -> names)",
    )


class CheckResult(Model):
    nodeid: str
    requirements: list[str]
    outcome: Outcome
    duration_seconds: float
    message: str = ""
    expected: str | None = None
    actual: str | None = None
    signal: str | None = Field(
        default=None,
        description="for an inapplicable check: the declared absent feature or the positive "
        "signal defined by the standard that made the requirement not apply",
    )
    evidence: dict[str, Any] = Field(default_factory=dict)


class RunEvent(Model):
    kind: str
    message: str
    at: str
    log_tail: list[str] = Field(default_factory=list)


class RunInfo(Model):
    started: str
    finished: str | None
    duration_seconds: float | None
    complete: bool
    stop_reason: str | None = None
    seeds: dict[str, int] = Field(default_factory=dict)
    selected_requirements: list[str] | None = None
    start_parameters: dict[str, Any] = Field(default_factory=dict)
    events: list[RunEvent] = Field(default_factory=list)
    measurements: dict[str, float] = Field(
        default_factory=dict,
        description="launch_seconds, stop_seconds, http_seconds (time waiting on the candidate), "
        "harness_peak_rss_kib",
    )


class RequirementResult(RequirementInfo):
    outcome: Outcome
    checks: list[str]
    findings: list[CheckResult] = Field(
        default_factory=list, description="the failing or undecided checks, with their evidence"
    )
    known_deviation: KnownDeviation | None = None
    test_mode: list[str] = Field(
        default_factory=list,
        description="names of the candidate's test-mode settings this result depends on",
    )


class ProfileVerdict(Model):
    standard: str
    profile: str
    version: str
    verdict: Literal["pass", "fail"]
    counts: dict[str, dict[str, int]] = Field(description="level -> outcome -> count")
    failed_must: list[str]
    unmet_must: list[str] = Field(description="MUST requirements untested or undecided")
    warnings: list[str] = Field(description="SHOULD requirements that failed")


class Summary(Model):
    requirements: int
    by_outcome: dict[str, int]
    checks: int


class Report(Model):
    report_format: Literal["eos-conformance-report/1"] = "eos-conformance-report/1"
    harness: HarnessInfo
    campaign: CampaignInfo
    candidate: CandidateInfo
    suites: list[SuiteInfo]
    run: RunInfo
    profiles: list[ProfileVerdict]
    requirements: list[RequirementResult]
    checks: list[CheckResult]
    summary: Summary
    verdict: Literal["pass", "fail"]
    stale_deviations: list[str] = Field(
        default_factory=list,
        description="known deviations (not intermittent) whose requirement passed or does not "
        "apply in this run: the manifest should no longer declare them",
    )


def report_json_schema() -> dict[str, Any]:
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eos-conformance.eu/schemas/report-1.schema.json"
    return schema
