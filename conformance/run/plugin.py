"""The pytest plugin: turns a pytest session over suite checks into a conformance run.

Registered through the ``pytest11`` entry point, so ``pytest suites/<standard> --candidate
M`` and ``conformance run`` behave the same. Without ``--candidate`` the plugin stays out of
the way, except that suite checks refuse to run.

The hooks only translate pytest's life cycle into the run's events (``RunState.stream``);
the journal is a handler of that stream and the report is folded from it.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.candidate.context import CandidateContext
from conformance.candidate.launchers import launcher_of
from conformance.candidate.launchers.cleanup import install_signal_handlers, interruption
from conformance.candidate.manifest import resolve_artefact, resolve_manifest
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
from conformance.report.events import CheckFinished, ObservationMade, Observed
from conformance.run.deadlines import DeadlineGuard
from conformance.run.outputs import write_run_outputs
from conformance.run.plan import plan_run
from conformance.run.results import Phase, check_result_from_phases
from conformance.run.state import CandidateSession, RunOptions, RunState
from conformance.run.stream import now
from conformance.suite.catalogue import Suite, find_suite_directory, load_suite

MARKER = "requirement"
STATE = pytest.StashKey[RunState]()
EVIDENCE = pytest.StashKey[EvidenceLog]()
PHASES = pytest.StashKey[dict[str, Phase]]()
TOKEN = pytest.StashKey[Any]()


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
        "--report-name",
        default=None,
        help="the report directory under the campaign's (default: the candidate id)",
    )
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help="random seed for property-based checks (recorded in the report)",
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
    options = RunOptions.from_config(config)
    output_dir = options.output_dir(loaded.manifest.id)
    try:
        session = CandidateSession(
            launcher_of(loaded, output_dir),
            [resolve_artefact(a, loaded.path.parent) for a in loaded.manifest.artefacts],
        )
    except ConformanceError as error:
        _input_error(
            f"{error}"
            if str(loaded.path) in str(error)
            else f"candidate manifest {loaded.path}: {error}"
        )
        return
    config.stash[STATE] = RunState(loaded, options, session)
    # Hypothesis reads its seed option in its own pytest_configure, which runs after this one.
    if hasattr(config.option, "hypothesis_seed"):
        config.option.hypothesis_seed = options.seed
    install_signal_handlers()
    config.pluginmanager.register(DeadlineGuard(_stop_unanswered), "conformance-deadlines")


def _stop_unanswered(item: pytest.Item, message: str) -> None:
    state = _state(item.config)
    if state is None or state.stop_reason is not None:
        return
    state.stream.incident("candidate-unresponsive", message)
    state.stop_reason = message
    state.exit_code = EXIT_CANDIDATE
    item.session.shouldstop = message


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(arg) for arg in marker.args)
    return ids


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
    collected = {suite.standard: suite for suite in suites_by_dir.values()}
    try:
        plan = plan_run(state.loaded, collected, state.options.profiles, state.options.requirements)
    except ConformanceError as error:
        _input_error(str(error))
        return
    wanted = set(state.options.requirements)
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        owner = item_suite.get(item.nodeid)
        keep = owner is not None and owner.standard in plan.suites
        if keep and wanted:
            keep = bool(set(_requirement_ids(item)) & wanted)
        (kept if keep else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
    if not config.option.collectonly:
        state.open(plan)
        set_observer(
            lambda name, value: state.stream.emit(
                ObservationMade(observation=Observed(name=name, value=value, at=now()))
            )
        )


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, None, None]:
    state = _state(session.config)
    if state is not None and state.journal is not None and session.items:
        _launch(state)
    yield


def _launch(state: RunState) -> None:
    launcher = state.candidate.launcher
    try:
        running = state.candidate.start()
    except ConformanceError as error:
        state.stream.incident("launch-failed", str(error), launcher.log_tail())
        state.stop_reason = f"candidate could not be started: {error}"
        state.exit_code = error.exit_code
        sys.stderr.write(f"error: {error}\n")
        pytest.exit(
            "the candidate could not be started (see the message above)", returncode=error.exit_code
        )
    state.stream.incident(
        "launched", f"candidate {state.loaded.manifest.id} ready at {running.base_url}"
    )


@pytest.fixture(scope="session")
def candidate(pytestconfig: pytest.Config) -> CandidateContext:
    """The running candidate, its manifest, accounts and suite settings."""
    state = _state(pytestconfig)
    if state is None or state.candidate.running is None:
        pytest.fail("no candidate is running: pass --candidate", pytrace=False)
    return CandidateContext(state.loaded.manifest, state.candidate.running)


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
    """Emit the check's result once all its phases ran, then make sure the candidate lives."""
    yield
    state = _state(item.config)
    if state is None or PHASES not in item.stash:
        return
    result = check_result_from_phases(
        item.nodeid, _requirement_ids(item), item.stash[PHASES], item.stash[EVIDENCE]
    )
    state.stream.emit(CheckFinished(check=result))
    guard = item.config.pluginmanager.get_plugin("conformance-deadlines")
    if isinstance(guard, DeadlineGuard):
        guard.checked(item)
    running = state.candidate.running
    if running is not None and state.stop_reason is None:
        problem = running.exit_problem()
        if problem:
            message = (
                f"candidate {state.loaded.manifest.id} {problem} during the run, "
                f"after {item.nodeid}"
            )
            state.stream.incident("candidate-exited", message, running.log_tail())
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
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _finish(session, state, exitstatus)
    finally:
        # Back to the harness's own handlers, which ignore a signal once one interrupted
        # the run, so a late one cannot print a traceback over the summary.
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def _finish(session: pytest.Session, state: RunState, exitstatus: int) -> None:
    # Once a signal arrived the run is interrupted, whatever pytest's status says by now.
    signalled = interruption() is not None
    interrupted = state.exit_code is None and (
        signalled or exitstatus == pytest.ExitCode.INTERRUPTED
    )
    if interrupted:
        state.stop_reason = "interrupted (Ctrl-C or SIGTERM)"
        state.stream.incident("interrupted", state.stop_reason)
    set_observer(None)
    state.stream.emit(state.ended())
    if state.journal is not None:
        state.journal.close()
    state.report = build_report(state.stream.events)
    write_run_outputs(state.report, state.output_dir)
    if state.exit_code is not None:
        code = state.exit_code
    elif interrupted:
        code = EXIT_INTERRUPTED
    else:
        code = EXIT_PASS if state.report.verdict == "pass" else EXIT_FAIL
    session.exitstatus = code


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = _state(config)
    if state is None or state.report is None:
        return
    width = getattr(terminalreporter, "_tw", None)
    columns = width.fullwidth if width is not None else 120
    terminalreporter.write_sep("=", "conformance summary")
    terminalreporter.write(render_summary(state.report, columns, sys.stdout.isatty()))
    terminalreporter.write_line(f"report written to {state.output_dir}/")
