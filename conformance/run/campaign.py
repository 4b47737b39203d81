"""A campaign: every candidate × claimed standard is a shard, run in a pytest process of its
own, by a local pool or a Dask cluster (conformance.run.executors).

A separate process per shard keeps one candidate's crash, leaked state or imported modules
away from the next, and is exactly what a user gets from plain ``pytest``.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.candidate.launchers import validate_launch
from conformance.candidate.manifest import LoadedManifest
from conformance.errors import (
    EXIT_CANDIDATE,
    EXIT_FAIL,
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    InputError,
)
from conformance.report.files import REPORT_FILE
from conformance.run.coordinator import ShardRecord
from conformance.run.plan import plan_run
from conformance.run.shards import ShardOptions
from conformance.suite.campaign_hooks import CampaignCandidate
from conformance.suite.catalogue import Suite

INDEX_FILE = "campaign.json"


def suites_for(loaded: LoadedManifest, suites: dict[str, Suite]) -> list[Suite]:
    claimed = [suites[s] for s in loaded.manifest.claims if s in suites]
    if not claimed:
        raise InputError(
            f"candidate manifest {loaded.path}: field 'claims': none of "
            f"{', '.join(sorted(loaded.manifest.claims))} is an installed suite "
            f"(installed: {', '.join(sorted(suites))})"
        )
    return claimed


def plan_campaign(
    loaded: list[LoadedManifest], suites: dict[str, Suite], options: ShardOptions
) -> list[tuple[LoadedManifest, list[Suite]]]:
    """Plan every candidate's run before the first starts: claims, profiles, requirement
    options, deviations, test-mode and suite settings against the catalogues, and the launch
    section against its launcher. A typo fails here, in a second, not after a launch."""
    planned = []
    for manifest in loaded:
        claimed = suites_for(manifest, suites)
        plan_run(
            manifest,
            {s.standard: s for s in claimed},
            options.profiles,
            options.requirements,
        )
        validate_launch(manifest)
        planned.append((manifest, claimed))
    return planned


def campaign_exit_code(records: list[ShardRecord], interrupted: bool) -> int:
    if interrupted or any(r.status == "interrupted" for r in records):
        return EXIT_INTERRUPTED
    codes = {r.exit_code for r in records if r.exit_code is not None}
    for code in (EXIT_INPUT, EXIT_CANDIDATE):
        if code in codes:
            return code
    if any(r.status == "not-run" for r in records):
        return EXIT_INCOMPLETE
    if EXIT_FAIL in codes:
        return EXIT_FAIL
    return EXIT_PASS if codes <= {EXIT_PASS} else max(codes)


def write_campaign_index(
    records: list[ShardRecord], options: ShardOptions, output_root: Path, executor: str
) -> Path:
    index = {
        "campaign": options.campaign,
        "kind": options.kind,
        "executor": executor,
        "complete": all(r.status == "done" for r in records),
        "candidates": [
            {
                "id": r.shard.candidate_id,
                "shard": r.shard.name,
                "standard": r.shard.standard,
                "status": r.status,
                "reason": r.reason,
                "exit_code": r.exit_code,
                "verdict": r.report.verdict if r.report else None,
                "profiles": {p.profile: p.verdict for p in r.report.profiles} if r.report else {},
                "report": str(r.output_dir / REPORT_FILE) if r.report else None,
                "host": r.host,
                "worker": r.worker,
                "seconds": r.seconds,
            }
            for r in records
        ],
    }
    path = output_root / options.campaign / INDEX_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return path


def campaign_candidates(records: list[ShardRecord]) -> dict[str, list[CampaignCandidate]]:
    """Each standard's candidates, for the suites' campaign pages."""
    found: dict[str, list[CampaignCandidate]] = {}
    for record in records:
        found.setdefault(record.shard.standard, []).append(
            CampaignCandidate(
                record.shard.candidate_id,
                record.shard.candidate,
                record.output_dir if record.report else None,
            )
        )
    return found
