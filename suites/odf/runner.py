"""Asking a command-line candidate to round-trip or export a document, from its settings.

``[settings.odf]`` in the manifest (all optional; a missing kind makes its checks
inapplicable):

    timeout = 120                     # seconds per command
    [settings.odf.roundtrip]          # document kind -> command that opens and saves as ODF
    text = ["soffice", "--headless", "--convert-to", "odt", "--outdir", "{outdir}", "{input}"]
    spreadsheet = [...]
    [settings.odf.export]             # format -> command that converts an ODF text document
    txt = [...]                       # formats: txt, pdf, html, csv (csv: spreadsheets)
    pdf = [...]

Placeholders: {input} the source file, {outdir} an empty directory for the result,
{output} a suggested result path ({outdir}/{stem}.{ext}), {stem}, {ext} the wanted file
extension, {format} (the same), and the launcher's {workdir}, {python}, {bindir}. The result
is {output} if the command wrote it, else the only file with that extension in {outdir}.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from conformance.api import (
    CandidateContext,
    CommandRun,
    cant_tell,
    inapplicable,
    run_template,
    working_directory,
)
from suites.odf import ODFSettings
from suites.odf.corpus import SourceDocument
from suites.odf.limits import DEFAULT_LIMITS, Limits
from suites.odf.validate import Validation

_counter = itertools.count(1)


@dataclass
class Conversion:
    run: CommandRun
    output: Path | None
    problem: str | None


def settings_of(candidate: CandidateContext) -> dict[str, Any]:
    return candidate.settings("odf")


def limits_of(candidate: CandidateContext) -> Limits:
    """The ZIP bomb limits, from [settings.odf] (checked against ODFSettings at plan time;
    only the limit keys here, so a malformed command table stays the checks' cantTell)."""
    settings = settings_of(candidate)
    chosen = {name: settings[name] for name in Limits.names() if name in settings}
    return ODFSettings.model_validate(chosen).limits()


def command_for(candidate: CandidateContext, table: str, key: str) -> list[str] | None:
    commands = settings_of(candidate).get(table, {})
    if not isinstance(commands, dict):
        cant_tell(f"[settings.odf.{table}] must be a table of commands")
    command = commands.get(key)
    if command is None:
        return None
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        cant_tell(f"[settings.odf.{table}] {key} must be a list of strings")
    return command


def undeclared(table: str, key: str, what: str) -> NoReturn:
    """The manifest declares no command for ``key``: the candidate does not offer that (a
    declared absent feature), so the checks that need it do not apply."""
    inapplicable(
        f"the manifest declares no [settings.odf.{table}] {key} command",
        f"the candidate does not offer {what}",
    )


def convert(
    candidate: CandidateContext, template: list[str], field: str, source: Path, extension: str,
    extra: dict[str, str] | None = None,
) -> Conversion:
    """Run one conversion in fresh directories under the candidate's working directory."""
    number = next(_counter)
    base = working_directory(candidate) / f"job-{number:04d}"
    inbox, outdir = base / "in", base / "out"
    inbox.mkdir(parents=True)
    outdir.mkdir()
    staged = inbox / source.name
    staged.write_bytes(source.read_bytes())
    output = outdir / f"{staged.stem}.{extension}"
    values = {
        "input": str(staged),
        "outdir": str(outdir),
        "output": str(output),
        "stem": staged.stem,
        "ext": extension,
        "format": extension,
        **(extra or {}),  # a suite's own placeholders, e.g. {password}
    }
    timeout = float(settings_of(candidate).get("timeout", 120))
    run = run_template(candidate, template, values, field, timeout=timeout)
    if run.returncode is None:
        return Conversion(run, None, f"the command did not finish within {timeout:g} s")
    if not run.succeeded:
        return Conversion(run, None, f"the command exited with code {run.returncode}")
    if output.is_file():
        return Conversion(run, output, None)
    produced = sorted(p for p in outdir.iterdir() if p.is_file() and p.suffix == f".{extension}")
    if len(produced) == 1:
        return Conversion(run, produced[0], None)
    return Conversion(run, None, f"the command wrote no .{extension} file into {outdir}")


@dataclass
class RoundTrip:
    source: SourceDocument
    conversion: Conversion | None  # None: the candidate does not handle this kind
    data: bytes | None
    validation: Validation | None
    limits: Limits = field(default=DEFAULT_LIMITS)  # what the content checks may unpack

    def describe(self) -> str:
        if self.conversion is None:
            return "not attempted"
        run = self.conversion.run
        return f"{' '.join(run.command)} -> exit {run.returncode} in {run.seconds:.2f} s"


def saved(trip: RoundTrip) -> bytes:
    """The saved document, or cantTell when the candidate produced none."""
    if trip.data is None:
        problem = trip.conversion.problem if trip.conversion else "not attempted"
        cant_tell(f"no saved document to examine: {problem}")
    return trip.data
