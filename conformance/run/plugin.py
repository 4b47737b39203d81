"""The pytest plugin: turns a pytest session over suite checks into a conformance run.

Registered through the ``pytest11`` entry point, so ``pytest suites/<standard> --candidate
M`` and ``conformance run`` behave the same. Without ``--candidate`` the plugin stays out of
the way, except that suite checks refuse to run.
"""

from __future__ import annotations

import getpass
import os
import random
import resource
import signal
import sys
import time
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.candidate.context import CandidateContext
from conformance.candidate.launchers import Launcher, RunningCandidate, launcher_of
from conformance.candidate.launchers.cleanup import install_signal_handlers
from conformance.candidate.manifest import (
    LoadedManifest,
    ResolvedArtefact,
    resolve_artefact,
    resolve_manifest,
)
from conformance.check.evidence import EvidenceLog, bind_evidence, unbind_evidence
from conformance.check.observations import set_observer
from conformance.errors import (
    EXIT_CANDIDATE,
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    ConformanceError,
)
from conformance.locations import bundled_candidates_dir
from conformance.report.build import build_report
from conformance.report.console import render_summary
from conformance.report.files import write_outputs
from conformance.report.model import Report
from conformance.run.journal import JOURNAL_FILE, Journal
from conformance.run.results import Phase, check_result_from_phases
from conformance.suite.catalogue import Suite, find_suite_directory, load_suite

MARKER = "requirement"
STATE = pytest.StashKey["RunState"]()
EVIDENCE = pytest.StashKey[EvidenceLog]()
PHASES = pytest.StashKey[dict[str, Phase]]()
TOKEN = pytest.StashKey[Any]()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "European Open Standard conformance run")
    group.addoption("--candidate", help="candidate manifest (TOML path) or bundled candidate id")
    group.addoption(
        "--profile",
        action="append",
        default=[],
        help="restrict the run to this claimed profile (repeatable)",
    )
    group.addoption(
        "--requirement",
        action="append",
        default=[],
        help="run only the checks covering this requirement id (repeatable)",
    )
    group.addoption("--campaign", default="adhoc", help="campaign name (output folder)")
    group.addoption(
        "--campaign-kind", default="self-assessment", choices=["self-assessment", "official"]
    )
    group.addoption("--assessor", default=None, help="who runs the campaign (default: user name)")
    group.addoption("--output-root", default="reports", help="where reports are written")
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help="random seed for property-based checks (recorded in the report)",
    )


class RunState:
    """Everything one conformance run accumulates, from collection to the report."""

    def __init__(self, config: pytest.Config, loaded: LoadedManifest) -> None:
        self.config = config
        self.loaded = loaded
        self.manifest = loaded.manifest
        self.started = now()
        self.seed = config.getoption("seed")
        if self.seed is None:
            self.seed = random.SystemRandom().randrange(2**32)
        root = Path(config.getoption("output_root"))
        self.output_dir = root / config.getoption("campaign") / self.manifest.id
        self.suites: dict[str, Suite] = {}
        self.test_mode: list[dict[str, Any]] = []
        self.journal: Journal | None = None
        self.launcher: Launcher | None = None
        self.running: RunningCandidate | None = None
        self.entries: list[dict[str, Any]] = []
        self.stop_reason: str | None = None
        self.exit_code: int | None = None
        self.report: Report | None = None
        self.launch_seconds = 0.0
        self.artefacts: list[ResolvedArtefact] = []
        self.stop_seconds = 0.0

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        if self.journal is not None:
            self.journal.append(entry)

    def event(self, kind: str, message: str, log_tail: list[str] | None = None) -> None:
        self.record(
            {
                "type": "event",
                "event": {
                    "kind": kind,
                    "message": message,
                    "at": now(),
                    "log_tail": log_tail or [],
                },
            }
        )


def _state(config: pytest.Config) -> RunState | None:
    return config.stash.get(STATE, None)


def _input_error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    pytest.exit("input error (see the message above)", returncode=EXIT_INPUT)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): the catalogue requirement(s) this check verifies"
    )
    target = config.getoption("candidate")
    if not target:
        return
    try:
        loaded = resolve_manifest(target, bundled_candidates_dir())
    except ConformanceError as error:
        _input_error(str(error))
        return
    state = RunState(config, loaded)
    try:
        state.launcher = launcher_of(loaded, state.output_dir)
        state.artefacts = [
            resolve_artefact(a, loaded.path.parent) for a in loaded.manifest.artefacts
        ]
    except ConformanceError as error:
        _input_error(
            f"{error}"
            if str(loaded.path) in str(error)
            else f"candidate manifest {loaded.path}: {error}"
        )
    config.stash[STATE] = state
    # Hypothesis reads its seed option in its own pytest_configure, which runs after this one.
    if hasattr(config.option, "hypothesis_seed"):
        config.option.hypothesis_seed = state.seed
    install_signal_handlers()


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(arg) for arg in marker.args)
    return ids


def _resolve_test_mode(state: RunState, known_ids: set[str], claimed: set[str]
                       ) -> list[dict[str, Any]]:
    """The manifest's test-mode settings with their requirement patterns resolved to the ids
    of the claimed suites; a pattern of a claimed standard that matches nothing is a typo."""
    resolved = []
    for index, setting in enumerate(state.manifest.test_mode):
        ids: list[str] = []
        for pattern in setting.requirements:
            prefix = pattern.removesuffix("*")
            matched = sorted(
                r for r in known_ids if (r.startswith(prefix) if pattern.endswith("*")
                                         else r == pattern)
            )
            if not matched and pattern.split(".")[0] in claimed:
                _input_error(
                    f"candidate manifest {state.loaded.path}: field 'test_mode.{index}."
                    f"requirements': {pattern!r} matches no requirement"
                )
            ids += [r for r in matched if r not in ids]
        if ids:
            resolved.append(
                {"name": setting.name, "description": setting.description, "requirements": ids}
            )
    return resolved


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = _state(config)
    suites_by_dir: dict[Path, Suite] = {}
    problems: list[str] = []
    item_suite: dict[str, Suite] = {}
    for item in items:
        directory = find_suite_directory(Path(item.path).parent)
        if directory is None:
            continue
        if directory not in suites_by_dir:
            try:
                suites_by_dir[directory] = load_suite(directory)
            except ConformanceError as error:
                _input_error(str(error))
        suite = suites_by_dir[directory]
        item_suite[item.nodeid] = suite
        ids = _requirement_ids(item)
        if not ids:
            problems.append(
                f"{item.nodeid}: check declares no requirement (add @pytest.mark.{MARKER}('<id>'))"
            )
        for requirement_id in ids:
            if requirement_id not in suite.catalogue.by_id:
                problems.append(
                    f"{item.nodeid}: requirement {requirement_id!r} is not in "
                    f"the {suite.standard} catalogue"
                )
    if problems:
        _input_error("collection failed:\n  " + "\n  ".join(problems))
    if not item_suite:
        return
    if state is None:
        _input_error(
            "suite checks need a candidate: pass --candidate MANIFEST "
            "(a TOML path or a bundled candidate id)"
        )
        return
    _select(state, config, items, item_suite, suites_by_dir)


def _select(
    state: RunState,
    config: pytest.Config,
    items: list[pytest.Item],
    item_suite: dict[str, Suite],
    suites_by_dir: dict[Path, Suite],
) -> None:
    claims = state.manifest.claims
    collected = {suite.standard: suite for suite in suites_by_dir.values()}
    claimed = {standard: suite for standard, suite in collected.items() if standard in claims}
    if not claimed:
        _input_error(
            f"candidate {state.manifest.id} ({state.loaded.path}) claims none of the "
            f"collected standards ({', '.join(sorted(collected))}); it claims "
            f"{', '.join(sorted(claims))}"
        )
    wanted_requirements = set(config.getoption("requirement"))
    for standard, suite in claimed.items():
        for profile in claims[standard]:
            if profile not in suite.catalogue.profiles:
                _input_error(
                    f"candidate manifest {state.loaded.path}: field 'claims.{standard}': "
                    f"unknown profile {profile!r} (known: "
                    f"{', '.join(sorted(suite.catalogue.profiles))})"
                )
    known_ids = {r for suite in claimed.values() for r in suite.catalogue.by_id}
    for index, deviation in enumerate(state.manifest.known_deviations):
        prefix = deviation.requirement.split(".")[0]
        if prefix in claimed and deviation.requirement not in known_ids:
            _input_error(
                f"candidate manifest {state.loaded.path}: field "
                f"'known_deviations.{index}.requirement': unknown requirement "
                f"{deviation.requirement!r}"
            )
    state.test_mode = _resolve_test_mode(state, known_ids, set(claimed))
    unknown = wanted_requirements - known_ids
    if unknown:
        _input_error(f"--requirement: unknown requirement id(s) {', '.join(sorted(unknown))}")
    profiles_wanted = set(config.getoption("profile"))
    all_claimed_profiles = {p for standard in claimed for p in claims[standard]}
    if profiles_wanted - all_claimed_profiles:
        _input_error(
            f"--profile: {', '.join(sorted(profiles_wanted - all_claimed_profiles))} "
            f"is not claimed by candidate {state.manifest.id}"
        )

    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        item_owner = item_suite.get(item.nodeid)
        ids = set(_requirement_ids(item))
        keep = item_owner is not None and item_owner.standard in claimed
        if keep and wanted_requirements:
            keep = bool(ids & wanted_requirements)
        (kept if keep else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    state.suites = claimed
    if not config.option.collectonly:
        _open_journal(state, profiles_wanted)


def _open_journal(state: RunState, profiles_wanted: set[str]) -> None:
    manifest = state.manifest
    artefacts = state.artefacts
    version = manifest.version or next((a.version for a in artefacts if a.version), None)
    profiles, requirements, suites = [], [], []
    for standard, suite in sorted(state.suites.items()):
        catalogue = suite.catalogue
        suites.append(
            {
                "standard": standard,
                "title": catalogue.title,
                "catalogue_version": catalogue.version,
                "catalogue_digest": suite.catalogue_digest,
                "suite_digest": suite.suite_digest,
            }
        )
        for profile_id in manifest.claims[standard]:
            if profiles_wanted and profile_id not in profiles_wanted:
                continue
            profile = catalogue.profiles[profile_id]
            profiles.append(
                {
                    "standard": standard,
                    "id": profile_id,
                    "title": profile.title,
                    "version": profile.version,
                }
            )
        for requirement in catalogue.requirements:
            requirements.append(
                {
                    "id": requirement.id,
                    "standard": standard,
                    "spec": requirement.spec,
                    "spec_title": catalogue.specs[requirement.spec].title,
                    "section": requirement.section,
                    "url": catalogue.url_of(requirement),
                    "level": requirement.level,
                    "profiles": requirement.profiles,
                    "summary": requirement.summary,
                    "references": requirement.references,
                }
            )
    assessor = (
        state.config.getoption("assessor")
        or os.environ.get("CONFORMANCE_ASSESSOR")
        or getpass.getuser()
    )
    selected = state.config.getoption("requirement") or None
    state.journal = Journal(state.output_dir / JOURNAL_FILE)
    state.record(
        {
            "type": "start",
            "started": state.started,
            "harness": {
                "name": "eos-conformance",
                "version": __version__,
                "python": sys.version.split()[0],
            },
            "campaign": {
                "id": state.config.getoption("campaign"),
                "kind": state.config.getoption("campaign_kind"),
                "assessor": assessor,
            },
            "candidate": {
                "id": manifest.id,
                "product": manifest.product,
                "vendor": manifest.vendor,
                "version": version,
                "manifest_sha256": state.loaded.sha256,
                "artefacts": [a.model_dump() for a in artefacts],
                "launcher": str(manifest.launch["kind"]),
                "known_deviations": {
                    d.requirement: {"reason": d.reason, "reference": d.reference}
                    for d in manifest.known_deviations
                },
                "test_mode": state.test_mode,
            },
            "suites": suites,
            "profiles": profiles,
            "requirements": requirements,
            "seeds": {"hypothesis": state.seed},
            "selected_requirements": selected,
        }
    )
    set_observer(
        lambda name, value: state.record(
            {"type": "observation", "observation": {"name": name, "value": value, "at": now()}}
        )
    )


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, None, None]:
    state = _state(session.config)
    if state is not None and state.journal is not None and session.items:
        _launch(state)
    yield


def _launch(state: RunState) -> None:
    assert state.launcher is not None
    began = time.monotonic()
    try:
        state.running = state.launcher.start()
    except ConformanceError as error:
        tail = state.launcher.log_tail()
        state.event("launch-failed", str(error), tail)
        state.stop_reason = f"candidate could not be started: {error}"
        state.exit_code = error.exit_code
        sys.stderr.write(f"error: {error}\n")
        pytest.exit(
            "the candidate could not be started (see the message above)", returncode=error.exit_code
        )
    state.launch_seconds = time.monotonic() - began
    state.event("launched", f"candidate {state.manifest.id} ready at {state.running.base_url}")


@pytest.fixture(scope="session")
def candidate(pytestconfig: pytest.Config) -> CandidateContext:
    """The running candidate, its manifest, accounts and suite settings."""
    state = _state(pytestconfig)
    if state is None or state.running is None:
        pytest.fail("no candidate is running: pass --candidate", pytrace=False)
    return CandidateContext(state.manifest, state.running)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _state(item.config) is None:
        return
    log = EvidenceLog()
    item.stash[EVIDENCE] = log
    item.stash[PHASES] = {}
    item.stash[TOKEN] = bind_evidence(log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    if _state(item.config) is None or PHASES not in item.stash:
        return
    report: pytest.TestReport = outcome.get_result()
    error = call.excinfo.value if call.excinfo is not None else None
    item.stash[PHASES][report.when] = Phase(report, error)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    # Clean-up requests (DELETEs of what the check created) are not evidence, and must not
    # push the exchange that failed out of the bounded log.
    if TOKEN in item.stash:
        unbind_evidence(item.stash[TOKEN])
        del item.stash[TOKEN]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Journal the check once all its phases ran, then make sure the candidate still lives."""
    yield
    state = _state(item.config)
    if state is None or PHASES not in item.stash:
        return
    result = check_result_from_phases(
        item.nodeid, _requirement_ids(item), item.stash[PHASES], item.stash[EVIDENCE]
    )
    state.record({"type": "check", "check": result.model_dump(mode="json")})
    if state.running is not None and state.stop_reason is None:
        problem = state.running.exit_problem()
        if problem:
            message = f"candidate {state.manifest.id} {problem} during the run, after {item.nodeid}"
            state.event("candidate-exited", message, state.running.log_tail())
            state.stop_reason = message
            state.exit_code = EXIT_CANDIDATE
            item.session.shouldstop = message


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = _state(session.config)
    if state is None or state.journal is None:
        return
    # A second Ctrl-C, or a SIGTERM passed on by the harness while this process is already
    # finishing, must not cut the report short: what was recorded is written out.
    previous_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _finish(session, state, exitstatus)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, previous_term)


def _finish(session: pytest.Session, state: RunState, exitstatus: int) -> None:
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED and state.exit_code is None
    if interrupted:
        state.stop_reason = "interrupted (Ctrl-C or SIGTERM)"
        state.event("interrupted", state.stop_reason)
    set_observer(None)
    start_parameters: dict[str, Any] = {}
    artefacts = None
    if state.launcher is not None:
        start_parameters = state.launcher.start_parameters()
        resolved = state.launcher.resolved_artefact_digests()
        if resolved:
            artefacts = [
                dict(a, digest=resolved.get(a["name"], a["digest"]))
                for a in state.entries[0]["candidate"]["artefacts"]
            ]
        began = time.monotonic()
        state.launcher.stop()
        state.stop_seconds = time.monotonic() - began
    state.record(
        {
            "type": "end",
            "finished": now(),
            "complete": state.stop_reason is None,
            "stop_reason": state.stop_reason,
            "start_parameters": start_parameters,
            "artefacts": artefacts,
            "measurements": _measurements(state),
        }
    )
    if state.journal is not None:
        state.journal.close()
    state.report = build_report(state.entries)
    write_outputs(state.report, state.output_dir)
    if state.exit_code is not None:
        code = state.exit_code
    elif interrupted:
        code = EXIT_INTERRUPTED
    else:
        code = EXIT_PASS if state.report.verdict == "pass" else EXIT_FAIL
    session.exitstatus = code


def _measurements(state: RunState) -> dict[str, float]:
    checks = [e["check"] for e in state.entries if e["type"] == "check"]
    return {
        "launch_seconds": round(state.launch_seconds, 3),
        "stop_seconds": round(state.stop_seconds, 3),
        "http_seconds": round(sum(c["evidence"].get("httpSeconds", 0.0) for c in checks), 3),
        "harness_peak_rss_kib": float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = _state(config)
    if state is None or state.report is None:
        return
    width = getattr(terminalreporter, "_tw", None)
    columns = width.fullwidth if width is not None else 120
    terminalreporter.write_sep("=", "conformance summary")
    terminalreporter.write(render_summary(state.report, columns, sys.stdout.isatty()))
    terminalreporter.write_line(f"report written to {state.output_dir}/")
