"""The plan of one candidate's run, made before anything starts: the manifest's claims,
known deviations, test-mode settings and suite settings checked against the suites'
catalogues, and the requirements and profiles the run will judge.

``conformance run`` plans every candidate before it launches the first, so a typo in a
claimed profile fails in a second; the pytest child plans again from the same inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.candidate.manifest import LoadedManifest
from conformance.errors import InputError
from conformance.report.model import ProfileInfo, RequirementInfo, SuiteInfo, TestModeInfo
from conformance.suite.catalogue import Suite
from conformance.suite.contract import validate_settings


@dataclass(frozen=True)
class RunPlan:
    loaded: LoadedManifest
    suites: dict[str, Suite]  # the claimed ones, by standard, sorted
    profiles: list[ProfileInfo]
    requirements: list[RequirementInfo]
    test_mode: list[TestModeInfo]
    selected_requirements: list[str] | None

    @property
    def suite_infos(self) -> list[SuiteInfo]:
        return [
            SuiteInfo(
                standard=standard,
                title=suite.catalogue.title,
                catalogue_version=suite.catalogue.version,
                catalogue_digest=suite.catalogue_digest,
                suite_digest=suite.suite_digest,
            )
            for standard, suite in self.suites.items()
        ]

    @property
    def requirement_ids(self) -> set[str]:
        return {r.id for r in self.requirements}


def plan_run(
    loaded: LoadedManifest,
    available: dict[str, Suite],
    profiles_wanted: Iterable[str] = (),
    requirements_wanted: Iterable[str] = (),
) -> RunPlan:
    """Raise InputError naming the manifest field (or option) that does not fit."""
    manifest, path = loaded.manifest, loaded.path
    claims = manifest.claims
    claimed = {s: available[s] for s in sorted(available) if s in claims}
    if not claimed:
        raise InputError(
            f"candidate {manifest.id} ({path}) claims none of the collected standards "
            f"({', '.join(sorted(available))}); it claims {', '.join(sorted(claims))}"
        )
    for standard, suite in claimed.items():
        for profile in claims[standard]:
            if profile not in suite.catalogue.profiles:
                raise InputError(
                    f"candidate manifest {path}: field 'claims.{standard}': unknown profile "
                    f"{profile!r} (known: {', '.join(sorted(suite.catalogue.profiles))})"
                )
        validate_settings(suite, manifest.settings.get(standard), path)
    known_ids = {r for suite in claimed.values() for r in suite.catalogue.by_id}
    for index, deviation in enumerate(manifest.known_deviations):
        standard = deviation.requirement.split(".")[0]
        if standard in claimed and deviation.requirement not in known_ids:
            raise InputError(
                f"candidate manifest {path}: field 'known_deviations.{index}.requirement': "
                f"unknown requirement {deviation.requirement!r}"
            )
    test_mode = _resolve_test_mode(loaded, known_ids, set(claimed))
    wanted_list = list(dict.fromkeys(requirements_wanted))
    wanted_requirements = set(wanted_list)
    unknown = wanted_requirements - known_ids
    if unknown:
        raise InputError(f"--requirement: unknown requirement id(s) {', '.join(sorted(unknown))}")
    wanted_profiles = set(profiles_wanted)
    all_claimed = {p for standard in claimed for p in claims[standard]}
    if wanted_profiles - all_claimed:
        raise InputError(
            f"--profile: {', '.join(sorted(wanted_profiles - all_claimed))} "
            f"is not claimed by candidate {manifest.id}"
        )
    profiles, requirements = [], []
    for standard, suite in claimed.items():
        catalogue = suite.catalogue
        for profile_id in claims[standard]:
            if wanted_profiles and profile_id not in wanted_profiles:
                continue
            declared = catalogue.profiles[profile_id]
            profiles.append(
                ProfileInfo(
                    standard=standard, id=profile_id, title=declared.title, version=declared.version
                )
            )
        for requirement in catalogue.requirements:
            requirements.append(
                RequirementInfo(
                    id=requirement.id,
                    standard=standard,
                    spec=requirement.spec,
                    spec_title=catalogue.specs[requirement.spec].title,
                    section=requirement.section,
                    url=catalogue.url_of(requirement),
                    level=requirement.level,
                    profiles=requirement.profiles,
                    summary=requirement.summary,
                    references=requirement.references,
                )
            )
    return RunPlan(
        loaded=loaded,
        suites=claimed,
        profiles=profiles,
        requirements=requirements,
        test_mode=test_mode,
        selected_requirements=wanted_list or None,
    )


def _resolve_test_mode(
    loaded: LoadedManifest, known_ids: set[str], claimed: set[str]
) -> list[TestModeInfo]:
    """Test-mode settings with their requirement patterns resolved to the ids of the claimed
    suites; a pattern of a claimed standard that matches nothing is a typo."""
    resolved = []
    for index, setting in enumerate(loaded.manifest.test_mode):
        ids: list[str] = []
        for pattern in setting.requirements:
            prefix = pattern.removesuffix("*")
            matched = sorted(
                r
                for r in known_ids
                if (r.startswith(prefix) if pattern.endswith("*") else r == pattern)
            )
            if not matched and pattern.split(".")[0] in claimed:
                raise InputError(
                    f"candidate manifest {loaded.path}: field 'test_mode.{index}."
                    f"requirements': {pattern!r} matches no requirement"
                )
            ids += [r for r in matched if r not in ids]
        if ids:
            resolved.append(
                TestModeInfo(name=setting.name, description=setting.description, requirements=ids)
            )
    return resolved
