"""The pytest plugin end to end: a tiny fake suite run in a fresh ``python -m pytest`` process
against a real (tiny) HTTP server started by the process launcher.

Each scenario runs pytest once; the runs start together and several tests read each one.
The Hypothesis plugin is disabled in these runs unless a scenario needs it: importing it costs
most of a run's start-up time and no other scenario depends on it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers import Req, catalogue_text, port_answers, write

CAMPAIGN = "unit"
CANDIDATE_ID = "fake-http"
SECRET = "pa55-word-never-in-evidence"
HTTP_SERVER = ["{python}", "-m", "http.server", "{port}", "--bind", "127.0.0.1",
               "--directory", "{workdir}"]

# A candidate that answers every GET with 200 and exits with code 7 right after answering
# GET /exit: it dies in the middle of a run without the check touching harness internals.
EXITING_SERVER = """\
import http.server, os, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        self.wfile.flush()
        if self.path == "/exit":
            print("exiting on request", flush=True)
            os._exit(7)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


@dataclass
class Run:
    """One finished ``python -m pytest`` run and where its outputs went."""

    returncode: int
    stdout: str
    stderr: str
    output_dir: Path
    marker: str
    root: Path

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def report(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads((self.output_dir / "report.json").read_text())
        return result

    def outcomes(self) -> dict[str, str]:
        return {r["id"]: r["outcome"] for r in self.report()["requirements"]}

    def requirement(self, requirement_id: str) -> dict[str, Any]:
        found: dict[str, Any] = next(
            r for r in self.report()["requirements"] if r["id"] == requirement_id)
        return found


class Pending:
    """A pytest run under way; output goes to files so no pipe can fill up and stall it."""

    def __init__(self, command: list[str], root: Path, env: dict[str, str], marker: str) -> None:
        self.root = root
        self.marker = marker
        self.stdout_path, self.stderr_path = root / "pytest.stdout", root / "pytest.stderr"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL)
        self._run: Run | None = None

    def result(self) -> Run:
        if self._run is None:
            returncode = self.process.wait(timeout=60)
            self._run = Run(returncode, self.stdout_path.read_text(),
                            self.stderr_path.read_text(),
                            self.root / "reports" / CAMPAIGN / CANDIDATE_ID, self.marker,
                            self.root)
        return self._run


def make_suite(root: Path, name: str, requirements: list[Req], checks: str) -> Path:
    """A suite folder: catalogue plus one module of checks, both named uniquely."""
    directory = root / f"suite_{name}"
    write(directory / "catalogue.toml", catalogue_text(requirements))
    write(directory / f"test_{name}_checks.py", textwrap.dedent(checks))
    return directory


def make_manifest(
    root: Path,
    command: list[str],
    marker: str,
    files: dict[str, str] | None = None,
    ready: str = "timeout = 10\ninterval = 0.05",
    extra: str = "",
) -> Path:
    # JSON strings and arrays are valid TOML basic strings and inline arrays.
    file_lines = "\n".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in (files or {}).items())
    text = f"""\
id = "{CANDIDATE_ID}"
product = "Fake HTTP"
vendor = "Unit Tests"
version = "0.0.1"

[[artefacts]]
name = "server"
python_distribution = "pytest"

[claims]
demo = ["core"]

[launch]
kind = "process"
command = {json.dumps(command)}

[launch.env]
# Lets a test find every process this candidate started, to prove none outlives the run.
EOS_UNIT_MARKER = "{marker}"

[launch.files]
{file_lines}

[launch.ready]
{ready}

[endpoints]
base = "http://127.0.0.1:{{port}}/"

[accounts.primary]
username = "alice"
password = "{SECRET}"
{extra}
"""
    return write(root / "candidate.toml", text)


def start_pytest(
    root: Path,
    target: Path,
    *args: str,
    marker: str = "",
    hypothesis: bool = False,
    env: dict[str, str] | None = None,
) -> Pending:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment.update({"PYTHONDONTWRITEBYTECODE": "1", "CONFORMANCE_ASSESSOR": "unit-tester",
                        "CONFORMANCE_CANDIDATES": str(root / "no-bundled-candidates")})
    environment.update(env or {})
    command = [sys.executable, "-m", "pytest", str(target), "-p", "no:cacheprovider",
               "--rootdir", str(root), "--output-root", str(root / "reports"),
               "--campaign", CAMPAIGN, "-q", *args]
    if not hypothesis:
        command += ["-p", "no:hypothesispytest"]
    return Pending(command, root, environment, marker)


def run_pytest(root: Path, target: Path, *args: str, **options: Any) -> Run:
    return start_pytest(root, target, *args, **options).result()


# Scenarios run concurrently: each is a fresh interpreter that spends most of its second
# importing, so the runs the selected tests need all start together at the first request.
SCENARIOS: dict[str, Callable[[Path], Pending]] = {}


def scenario(prepare: Callable[[Path], Pending]) -> Any:
    """Register a scenario; a test asks for its finished run by naming it as a fixture."""
    name = prepare.__name__
    SCENARIOS[name] = prepare

    @pytest.fixture(scope="module", name=name)
    def finished(runs: dict[str, Pending]) -> Run:
        return runs[name].result()

    return finished


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Pending]]:
    wanted = {name for item in request.session.items
              for name in SCENARIOS if name in getattr(item, "fixturenames", ())}
    pending = {name: SCENARIOS[name](tmp_path_factory.mktemp(name)) for name in sorted(wanted)}
    yield pending
    for started in pending.values():  # never leave a run behind, even if a test failed early
        started.result()


def new_marker() -> str:
    return f"eos-unit-{uuid.uuid4().hex}"


def marked_processes(marker: str) -> list[int]:
    """Processes whose environment carries ``marker``: the candidate and anything it forked."""
    found = []
    needle = f"EOS_UNIT_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def assert_candidate_gone(run: Run) -> None:
    assert marked_processes(run.marker) == [], "a candidate process outlived the run"
    base = run.report()["run"]["start_parameters"]["endpoints"]["base"]
    port = urlsplit(base).port
    assert port is not None and not port_answers(port), f"{base} still answers"


def assert_plain_error(run: Run) -> None:
    """A person sees a message, never a Python traceback."""
    assert "Traceback" not in run.output
    assert "INTERNALERROR" not in run.output

# --- input errors: exit code 2, a message naming what is wrong ----------------------------

TWO_MUSTS = [Req("demo.a"), Req("demo.b")]
PASSING_CHECKS = """\
    import pytest
    from conformance.api import expect_equal

    @pytest.mark.requirement("demo.a")
    def test_hello_is_served(candidate):
        response = candidate.session().request("GET", "hello.txt")
        expect_equal(response.status_code, 200, "GET hello.txt status")
        expect_equal(response.text, "hello\\n", "GET hello.txt body")

    @pytest.mark.requirement("demo.b")
    def test_root_lists_files(candidate):
        response = candidate.session().request("GET", "")
        expect_equal(response.status_code, 200, "GET / status")
    """


@scenario
def collection_problems(root: Path) -> Pending:
    suite = make_suite(root, "collect", TWO_MUSTS, """\
        import pytest

        def test_without_marker():
            pass

        @pytest.mark.requirement("demo.nonexistent")
        def test_with_unknown_id():
            pass

        @pytest.mark.requirement("demo.a")
        def test_fine():
            pass
        """)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    return start_pytest(root, suite, "--candidate", str(manifest))


def test_check_without_requirement_marker_is_a_collection_error(collection_problems: Run) -> None:
    run = collection_problems
    assert run.returncode == 2
    assert re.search(r"test_collect_checks\.py::test_without_marker: check declares no "
                     r"requirement", run.stderr)
    assert_plain_error(run)


def test_unknown_requirement_id_is_a_collection_error(collection_problems: Run) -> None:
    run = collection_problems
    assert run.returncode == 2
    # Every problem is listed at once, not one per attempt.
    assert re.search(r"test_with_unknown_id: requirement 'demo\.nonexistent' is not in the "
                     r"demo catalogue", run.stderr)
    assert "test_fine" not in run.stderr
    assert not (run.output_dir / "report.json").exists()


@scenario
def no_candidate(root: Path) -> Pending:
    return start_pytest(root, make_suite(root, "nocand", TWO_MUSTS, PASSING_CHECKS))


def test_suite_checks_need_a_candidate(no_candidate: Run) -> None:
    run = no_candidate
    assert run.returncode == 2
    assert "suite checks need a candidate: pass --candidate MANIFEST" in run.stderr
    assert_plain_error(run)


@scenario
def malformed_manifest(root: Path) -> Pending:
    suite = make_suite(root, "badmanifest", TWO_MUSTS, PASSING_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    manifest.write_text(manifest.read_text().replace('product = "Fake HTTP"\n', ""))
    return start_pytest(root, suite, "--candidate", str(manifest))


def test_malformed_manifest_names_file_and_field(malformed_manifest: Run) -> None:
    run = malformed_manifest
    assert run.returncode == 2
    assert str(run.root / "candidate.toml") in run.stderr
    assert "field 'product': Field required" in run.stderr
    assert_plain_error(run)


@scenario
def malformed_launch(root: Path) -> Pending:
    suite = make_suite(root, "badlaunch", TWO_MUSTS, PASSING_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    manifest.write_text(manifest.read_text().replace(
        f"command = {json.dumps(HTTP_SERVER)}", 'command = "python -m http.server"'))
    return start_pytest(root, suite, "--candidate", str(manifest))


def test_malformed_launch_section_is_refused_before_anything_starts(malformed_launch: Run) -> None:
    run = malformed_launch
    assert run.returncode == 2
    assert "field 'launch.command': Input should be a valid list" in run.stderr
    assert str((run.root / "candidate.toml").resolve()) in run.stderr
    assert_plain_error(run)
    assert not (run.output_dir / "candidate.log").exists()  # nothing was started


@scenario
def unresolvable_artefact(root: Path) -> Pending:
    suite = make_suite(root, "noartefact", TWO_MUSTS, PASSING_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    manifest.write_text(manifest.read_text().replace(
        'python_distribution = "pytest"', 'python_distribution = "no-such-distribution-eos"'))
    return start_pytest(root, suite, "--candidate", str(manifest))


def test_unresolvable_artefact_is_an_input_error(unresolvable_artefact: Run) -> None:
    run = unresolvable_artefact
    assert "'no-such-distribution-eos' is not installed" in run.stderr
    assert_plain_error(run)
    assert run.returncode == 2


@scenario
def unknown_requirement_option(root: Path) -> Pending:
    suite = make_suite(root, "selectbad", TWO_MUSTS, PASSING_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    return start_pytest(root, suite, "--candidate", str(manifest), "--requirement", "demo.zz")


@scenario
def mode_pattern_matching_nothing(root: Path) -> Pending:
    suite = make_suite(root, "modebad", TWO_MUSTS, PASSING_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker(), extra="""
[[test_mode]]
name = "typo"
description = "a pattern with a typo"
requirements = ["demo.zz*"]
""")
    return start_pytest(root, suite, "--candidate", str(manifest))


def test_test_mode_pattern_matching_nothing_is_an_input_error(
    mode_pattern_matching_nothing: Run,
) -> None:
    run = mode_pattern_matching_nothing
    assert run.returncode == 2
    assert "field 'test_mode.0.requirements': 'demo.zz*' matches no requirement" in run.stderr
    assert_plain_error(run)


def test_unknown_requirement_option_is_an_input_error(unknown_requirement_option: Run) -> None:
    run = unknown_requirement_option
    assert run.returncode == 2
    assert "--requirement: unknown requirement id(s) demo.zz" in run.stderr
    assert_plain_error(run)


# --- a passing run ------------------------------------------------------------------------


@scenario
def passing(root: Path) -> Pending:
    suite = make_suite(root, "passing", TWO_MUSTS, PASSING_CHECKS)
    marker = new_marker()
    manifest = make_manifest(root, HTTP_SERVER, marker, files={"hello.txt": "hello\n"})
    return start_pytest(root, suite, "--candidate", str(manifest), marker=marker)


def test_passing_run_exits_0_and_writes_every_output(passing: Run) -> None:
    run = passing
    assert run.returncode == 0, run.output
    for name in ("report.json", "junit.xml", "earl.jsonld", "journal.jsonl", "candidate.log"):
        assert (run.output_dir / name).is_file(), name
    report = run.report()
    assert report["verdict"] == "pass"
    assert run.outcomes() == {"demo.a": "passed", "demo.b": "passed"}
    assert report["run"]["complete"] is True
    assert report["campaign"] == {"id": CAMPAIGN, "kind": "self-assessment",
                                  "assessor": "unit-tester"}
    assert "conformance summary" in run.stdout


def test_passing_run_outputs_are_consistent(passing: Run) -> None:
    run = passing
    report = run.report()
    candidate = report["candidate"]
    assert (candidate["id"], candidate["version"], candidate["launcher"]) == (
        CANDIDATE_ID, "0.0.1", "process")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", candidate["artefacts"][0]["digest"])
    assert [e["kind"] for e in report["run"]["events"]] == ["launched"]
    journal = [json.loads(line) for line in
               (run.output_dir / "journal.jsonl").read_text().splitlines()]
    assert [e["type"] for e in journal] == ["start", "event", "check", "check", "end"]
    junit = ET.parse(run.output_dir / "junit.xml").getroot()
    assert sorted(c.attrib["name"] for c in junit.iter("testcase")) == ["demo.a", "demo.b"]
    earl = json.loads((run.output_dir / "earl.jsonld").read_text())
    outcomes = [n["result"]["outcome"] for n in earl["@graph"] if n["@type"] == "earl:Assertion"]
    assert outcomes == ["earl:passed", "earl:passed"]
    # The candidate's own output is kept: http.server logs each request it served.
    assert "GET /hello.txt" in (run.output_dir / "candidate.log").read_text()


def test_passing_run_report_matches_the_published_schema(passing: Run) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import conformance

    schema_file = Path(conformance.__file__).parent / "schemas" / "report-1.schema.json"
    schema = json.loads(schema_file.read_text())
    errors = jsonschema.Draft202012Validator(schema).iter_errors(passing.report())
    assert [error.message for error in errors] == []


def test_passing_run_leaves_no_candidate_running(passing: Run) -> None:
    assert_candidate_gone(passing)


# --- every outcome in one run -------------------------------------------------------------

MIXED = [Req("demo.pass"), Req("demo.also"), Req("demo.fail"), Req("demo.assert"),
         Req("demo.untested"), Req("demo.skip"), Req("demo.plainskip"), Req("demo.cant"),
         Req("demo.crash"), Req("demo.setup")]


@scenario
def mixed(root: Path) -> Pending:
    suite = make_suite(root, "mixed", MIXED, """\
        import pytest
        from conformance.api import cant_tell, expect_equal, inapplicable

        @pytest.fixture
        def broken_precondition():
            raise RuntimeError("could not provision")

        @pytest.mark.requirement("demo.pass", "demo.also")
        def test_pass(candidate):
            expect_equal(candidate.session().request("GET", "").status_code, 200, "GET /")

        @pytest.mark.requirement("demo.fail")
        def test_fail(candidate):
            response = candidate.session("primary").request("GET", "missing.txt")
            expect_equal(response.status_code, 200, "GET missing.txt status")

        @pytest.mark.requirement("demo.assert")
        def test_plain_assert(candidate):
            assert 1 + 1 == 3, "arithmetic is broken"

        @pytest.mark.requirement("demo.skip")
        def test_skip(candidate):
            inapplicable("no task component advertised", "the product has no task lists")

        @pytest.mark.requirement("demo.plainskip")
        def test_plain_skip(candidate):
            pytest.skip("the server answered 503")

        @pytest.mark.requirement("demo.cant")
        def test_cant(candidate):
            cant_tell("could not create a calendar to test in")

        @pytest.mark.requirement("demo.crash")
        def test_crash(candidate):
            {}["missing-key"]

        @pytest.mark.requirement("demo.setup")
        def test_setup(candidate, broken_precondition):
            pass
        """)
    marker = new_marker()
    manifest = make_manifest(root, HTTP_SERVER, marker, extra="""
[[known_deviations]]
requirement = "demo.fail"
reason = "serves no missing files"
reference = "https://example.org/issues/7"

[[test_mode]]
name = "plain-http"
description = "served over plain HTTP for the test"
requirements = ["demo.a*", "demo.fail"]
""")
    return start_pytest(root, suite, "--candidate", str(manifest), "--seed", "1234",
                        marker=marker)


def test_mixed_run_fails_with_exit_1(mixed: Run) -> None:
    run = mixed
    assert run.returncode == 1, run.output
    assert run.report()["verdict"] == "fail"
    assert run.report()["run"]["complete"] is True


def test_every_outcome_is_classified(mixed: Run) -> None:
    assert mixed.outcomes() == {
        "demo.pass": "passed",
        "demo.also": "passed",  # one check may cover two requirements
        "demo.fail": "failed",
        "demo.assert": "failed",
        "demo.untested": "untested",
        "demo.skip": "inapplicable",
        # A skip that names no signal of the standard never makes a requirement not apply.
        "demo.plainskip": "cantTell",
        "demo.cant": "cantTell",
        "demo.crash": "cantTell",
        "demo.setup": "cantTell",
    }


def test_profile_verdict_lists_failed_and_unmet_musts(mixed: Run) -> None:
    (verdict,) = mixed.report()["profiles"]
    assert verdict["verdict"] == "fail"
    assert sorted(verdict["failed_must"]) == ["demo.assert", "demo.fail"]
    assert sorted(verdict["unmet_must"]) == ["demo.cant", "demo.crash", "demo.plainskip",
                                             "demo.setup", "demo.untested"]


def test_failure_carries_its_http_evidence(mixed: Run) -> None:
    failed = mixed.requirement("demo.fail")
    (finding,) = failed["findings"]
    assert finding["message"] == "GET missing.txt status: expected 200, got 404"
    assert (finding["expected"], finding["actual"]) == ("200", "404")
    (exchange,) = finding["evidence"]["exchanges"]
    assert exchange["method"] == "GET"
    assert exchange["url"].endswith("/missing.txt")
    assert exchange["status"] == 404
    assert exchange["request_headers"]["authorization"] == "[redacted]"
    assert finding["evidence"]["exchangeCount"] == 1
    assert failed["url"] == "https://example.org/spec#section-1"


def test_known_deviation_is_attached_but_stays_failed(mixed: Run) -> None:
    failed = mixed.requirement("demo.fail")
    assert failed["outcome"] == "failed"
    assert failed["known_deviation"] == {"reason": "serves no missing files",
                                         "reference": "https://example.org/issues/7",
                                         "intermittent": False}
    assert mixed.report()["stale_deviations"] == []


def test_test_mode_settings_are_named_beside_what_depends_on_them(mixed: Run) -> None:
    (setting,) = mixed.report()["candidate"]["test_mode"]
    assert setting["name"] == "plain-http"
    assert setting["requirements"] == ["demo.also", "demo.assert", "demo.fail"]
    assert mixed.requirement("demo.also")["test_mode"] == ["plain-http"]
    assert mixed.requirement("demo.pass")["test_mode"] == []


def test_messages_explain_each_outcome(mixed: Run) -> None:
    checks = {c["nodeid"].rsplit("::", 1)[1]: c for c in mixed.report()["checks"]}
    assert "arithmetic is broken" in checks["test_plain_assert"]["message"]
    assert checks["test_skip"]["message"] == "the product has no task lists"
    assert checks["test_skip"]["signal"] == "no task component advertised"
    assert checks["test_plain_skip"]["message"] == (
        "skipped without a signal that the requirement does not apply: the server answered 503"
    )
    assert checks["test_plain_skip"]["signal"] is None
    assert checks["test_cant"]["message"] == "could not create a calendar to test in"
    assert checks["test_crash"]["message"].startswith("check could not complete: KeyError")
    assert checks["test_setup"]["message"].startswith("setup failed")
    assert "could not provision" in checks["test_setup"]["message"]
    # A passing check keeps its exchanges too: a buyer sees why it passed.
    (exchange,) = checks["test_pass"]["evidence"]["exchanges"]
    assert (exchange["method"], exchange["status"]) == ("GET", 200)
    assert checks["test_pass"]["evidence"]["exchangeCount"] == 1


def test_no_secret_in_any_output(mixed: Run) -> None:
    run = mixed
    for output in run.output_dir.iterdir():
        assert SECRET not in output.read_text(errors="replace"), output.name
    assert SECRET not in run.output


def test_seed_is_recorded(mixed: Run) -> None:
    assert mixed.report()["run"]["seeds"]["hypothesis"] == 1234


def test_mixed_run_leaves_no_candidate_running(mixed: Run) -> None:
    assert_candidate_gone(mixed)


# --- selecting requirements ---------------------------------------------------------------


@scenario
def one_requirement(root: Path) -> Pending:
    suite = make_suite(root, "select", TWO_MUSTS, PASSING_CHECKS)
    marker = new_marker()
    manifest = make_manifest(root, HTTP_SERVER, marker, files={"hello.txt": "hello\n"})
    return start_pytest(root, suite, "--candidate", str(manifest), "--requirement", "demo.a",
                        marker=marker)


def test_requirement_option_runs_only_that_requirements_checks(one_requirement: Run) -> None:
    run = one_requirement
    report = run.report()
    assert [c["nodeid"].rsplit("::", 1)[1] for c in report["checks"]] == ["test_hello_is_served"]
    assert run.outcomes() == {"demo.a": "passed", "demo.b": "untested"}
    assert report["run"]["selected_requirements"] == ["demo.a"]
    assert_candidate_gone(run)


# --- candidates that fail -----------------------------------------------------------------


@scenario
def exits_at_once(root: Path) -> Pending:
    suite = make_suite(root, "boom", TWO_MUSTS, PASSING_CHECKS)
    marker = new_marker()
    command = ["{python}", "-c", "import sys; print('boom'); sys.exit(4)"]
    return start_pytest(root, suite, "--candidate", str(make_manifest(root, command, marker)),
                        marker=marker)


def test_candidate_that_exits_at_once(exits_at_once: Run) -> None:
    run = exits_at_once
    assert run.returncode == 3, run.output
    assert "exited with code 4 before it became ready" in run.stderr
    assert "boom" in run.stderr  # the candidate's last words
    assert_plain_error(run)
    report = run.report()
    assert set(run.outcomes().values()) == {"untested"}
    assert report["run"]["complete"] is False
    (event,) = report["run"]["events"]
    assert event["kind"] == "launch-failed"
    assert event["log_tail"] == ["boom"]
    assert marked_processes(run.marker) == []


@scenario
def dies_during_the_run(root: Path) -> Pending:
    requirements = [Req("demo.before"), Req("demo.kill"), Req("demo.after")]
    suite = make_suite(root, "dies", requirements, """\
        import socket, time
        import pytest
        from urllib.parse import urlsplit
        from conformance.api import expect_equal

        @pytest.mark.requirement("demo.before")
        def test_1_before(candidate):
            expect_equal(candidate.session().request("GET", "x").status_code, 200, "GET /x")

        @pytest.mark.requirement("demo.kill")
        def test_2_kill(candidate):
            candidate.session().request("GET", "exit")
            port = urlsplit(candidate.base_url).port
            # Wait until the candidate no longer listens, so the harness sees it gone.
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                except OSError:
                    break
                time.sleep(0.02)
            time.sleep(0.2)

        @pytest.mark.requirement("demo.after")
        def test_3_after(candidate):
            candidate.session().request("GET", "x")
        """)
    marker = new_marker()
    manifest = make_manifest(root, ["{python}", "{workdir}/server.py", "{port}"], marker,
                             files={"server.py": EXITING_SERVER})
    return start_pytest(root, suite, "--candidate", str(manifest), marker=marker)


def test_candidate_that_dies_during_the_run(dies_during_the_run: Run) -> None:
    run = dies_during_the_run
    assert run.returncode == 3, run.output
    assert_plain_error(run)
    report = run.report()
    assert report["run"]["complete"] is False
    assert "exited with code 7 during the run" in report["run"]["stop_reason"]
    # What ran before is kept; what could not run is untested, never passed.
    assert run.outcomes() == {"demo.before": "passed", "demo.kill": "passed",
                              "demo.after": "untested"}
    died = [e for e in report["run"]["events"] if e["kind"] == "candidate-exited"]
    assert len(died) == 1
    assert "test_2_kill" in died[0]["message"]
    assert "exiting on request" in died[0]["log_tail"]
    assert_candidate_gone(run)


@scenario
def forks_a_helper(root: Path) -> Pending:
    suite = make_suite(root, "forks", [Req("demo.a")], """\
        import pytest

        @pytest.mark.requirement("demo.a")
        def test_served(candidate):
            assert candidate.session().request("GET", "").status_code == 200
        """)
    marker = new_marker()
    # The candidate starts a helper that would outlive it unless its whole group is stopped.
    script = ("import runpy, subprocess, sys; "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "sys.argv = ['http.server', '{port}', '--bind', '127.0.0.1']; "
              "runpy.run_module('http.server', run_name='__main__')")
    manifest = make_manifest(root, ["{python}", "-c", script], marker)
    return start_pytest(root, suite, "--candidate", str(manifest), marker=marker)


def test_helper_processes_of_the_candidate_are_stopped_too(forks_a_helper: Run) -> None:
    run = forks_a_helper
    assert run.returncode == 0, run.output
    assert_candidate_gone(run)


# --- slower scenarios (seconds each), marked so a quick run can leave them out ------------


@scenario
def never_ready(root: Path) -> Pending:
    suite = make_suite(root, "sleepy", TWO_MUSTS, PASSING_CHECKS)
    marker = new_marker()
    command = ["{python}", "-c", "import time; time.sleep(60)"]
    manifest = make_manifest(root, command, marker, ready="timeout = 1\ninterval = 0.05")
    return start_pytest(root, suite, "--candidate", str(manifest), marker=marker)


@pytest.mark.integration  # waits out a one-second readiness timeout
def test_candidate_that_never_becomes_ready(never_ready: Run) -> None:
    run = never_ready
    assert run.returncode == 3, run.output
    where = re.search(r"did not become ready within 1 s: probe (http://127\.0\.0\.1:\d+/) saw "
                      r"\w+", run.stderr)
    assert where, run.stderr
    assert_plain_error(run)
    report = run.report()
    assert set(run.outcomes().values()) == {"untested"}
    assert report["run"]["complete"] is False
    assert "did not become ready" in report["run"]["stop_reason"]
    assert report["run"]["start_parameters"]["endpoints"]["base"] == where.group(1)
    assert marked_processes(run.marker) == []  # the sleeping process was stopped


SEEDED_CHECKS = """\
    import os
    import pytest
    from hypothesis import given, settings, strategies as st

    @pytest.mark.requirement("demo.a", "demo.b")
    @settings(max_examples=8, database=None)
    @given(st.integers(min_value=0, max_value=2**60))
    def test_property(candidate, number):
        with open(os.environ["EOS_DRAWN"], "a") as drawn:
            drawn.write(str(number) + "\\n")
    """


@scenario
def unseeded_property(root: Path) -> Pending:
    suite = make_suite(root, "seeded", TWO_MUSTS, SEEDED_CHECKS)
    manifest = make_manifest(root, HTTP_SERVER, new_marker())
    return start_pytest(root, suite, "--candidate", str(manifest), hypothesis=True,
                        env={"EOS_DRAWN": str(root / "first.txt")})


@pytest.mark.integration  # a second run with Hypothesis loaded, after the first one
def test_recorded_seed_reproduces_the_same_examples(unseeded_property: Run) -> None:
    first = unseeded_property
    assert first.returncode == 0, first.output
    seed = first.report()["run"]["seeds"]["hypothesis"]
    root = first.root
    second = run_pytest(root, root / "suite_seeded", "--candidate", str(root / "candidate.toml"),
                        "--seed", str(seed), "--campaign", "again", hypothesis=True,
                        env={"EOS_DRAWN": str(root / "second.txt")})
    assert second.returncode == 0, second.output
    again = json.loads((root / "reports" / "again" / CANDIDATE_ID / "report.json").read_text())
    assert again["run"]["seeds"]["hypothesis"] == seed
    drawn = (root / "first.txt").read_text().split()
    assert len(drawn) >= 2
    assert (root / "second.txt").read_text().split() == drawn
