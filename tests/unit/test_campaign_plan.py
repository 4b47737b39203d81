"""`conformance run` plans every candidate before it starts any: a manifest that does not fit
the catalogues fails with exit 2 and the field named, and no product is started."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.candidate.manifest import load_manifest
from conformance.cli import main
from conformance.errors import InputError
from conformance.locations import bundled_candidates_dir
from conformance.run.plan import plan_run
from conformance.suite.discovery import discover_suites

RADICALE = bundled_candidates_dir() / "radicale.toml"


def variant(tmp_path: Path, old: str, new: str) -> Path:
    text = RADICALE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.toml"
    # Started by the variant only: a file that tells whether the product was launched.
    marker = tmp_path / "launched"
    wrapper = f'"sh", "-c", "touch {marker}; exec \\"$0\\" \\"$@\\"", "{{python}}"'
    text = text.replace(old, new).replace('command = [\n  "{python}"', f"command = [\n  {wrapper}")
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, manifest: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["run", "--candidate", "radicale", "--candidate", str(manifest),
         "--output-root", str(tmp_path / "reports")],
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('caldav = ["caldav-core"]', 'caldav = ["caldav-kore"]',
         "field 'claims.caldav': unknown profile 'caldav-kore'"),
        ("[settings.caldav]\n", "[settings.caldav]\naccunt = \"primary\"\n",
         "field 'settings.caldav.accunt': Extra inputs are not permitted"),
        ('requirement = "caldav.sync.initial"', 'requirement = "caldav.sync.inital"',
         "field 'known_deviations.0.requirement': unknown requirement 'caldav.sync.inital'"),
    ],
)
def test_a_typo_fails_before_any_candidate_starts(
    tmp_path: Path, old: str, new: str, named: str
) -> None:
    manifest = variant(tmp_path, old, new)
    code, output = run(tmp_path, manifest)
    assert code == 2
    assert named in " ".join(output.split())
    # Neither the first (valid) candidate nor the broken one was started.
    assert not (tmp_path / "reports").exists()
    assert not (tmp_path / "launched").exists()


def test_plan_checks_suite_settings_types() -> None:
    loaded = load_manifest(RADICALE)
    broken = loaded.model_copy(
        update={"manifest": loaded.manifest.model_copy(
            update={"settings": {"caldav": {"account": ["primary"]}}})}
    )
    with pytest.raises(InputError, match=r"settings\.caldav\.account"):
        plan_run(broken, discover_suites())


def test_every_bundled_manifest_plans() -> None:
    suites = discover_suites()
    paths = sorted(bundled_candidates_dir().rglob("*.toml"))
    assert paths
    for path in paths:
        plan = plan_run(load_manifest(path), suites)
        assert plan.requirements and plan.profiles


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--workers", "0"], "--workers: must be at least 1"),
        (["--scheduler", "nonsense"], "--scheduler: cannot reach the Dask scheduler at nonsense"),
    ],
)
def test_bad_executor_options_are_clear_errors(
    tmp_path: Path, options: list[str], named: str
) -> None:
    result = CliRunner().invoke(main, ["run", "--candidate", "radicale", "--output-root",
                                       str(tmp_path / "reports"), *options])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert named in " ".join(result.output.split())
    assert not (tmp_path / "reports").exists()
