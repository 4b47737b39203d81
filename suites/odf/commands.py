"""``conformance odf …``: validate single documents, and run the document fault catalogue.

Registered by the core's suite-command discovery (conformance/suite/commands.py).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import click
from lxml import etree

from conformance.api import ConformanceError, InputError
from suites.odf.corpus import build_corpus
from suites.odf.faults import FAULTS
from suites.odf.limits import DEFAULT_LIMITS, Limits
from suites.odf.schemas import ENVIRONMENT, SchemaSource, default_cache_dir, install_from
from suites.odf.validate import Validation, validate_bytes, validate_file


def _source(schemas: Path | None, offline: bool) -> SchemaSource:
    return SchemaSource(directory=schemas, allow_download=not offline)


def _fail(error: ConformanceError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group()
def COMMANDS() -> None:
    """OpenDocument Format (ODF 1.2-1.4) tools."""


schemas_option = click.option(
    "--schemas",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"directory of the OASIS schemas (<version>/schema.rng …); default ${ENVIRONMENT}, "
    "else downloaded from OASIS once and checked against pinned SHA-256 values",
)
offline_option = click.option("--offline", is_flag=True, help="never download schemas")


def _limit_options(command: click.decorators.FC) -> click.decorators.FC:
    """--max-part-bytes … --max-xml-nodes: the ZIP bomb limits (README, "Limits")."""
    helps = {
        "max_part_bytes": "unpacked bytes of any one part",
        "max_total_bytes": "unpacked bytes of all parts together",
        "max_ratio": "unpacked:stored bytes of one part (judged past 1 MiB unpacked)",
        "max_entries": "entries of the ZIP archive",
        "max_xml_nodes": "elements, attributes, comments and PIs of one XML part",
    }
    for name in reversed(Limits.names()):
        default = getattr(DEFAULT_LIMITS, name)
        kind = click.FloatRange(min=1) if isinstance(default, float) else click.IntRange(min=1)
        command = click.option(f"--{name.replace('_', '-')}", name, type=kind, default=default,
                               show_default=True, help=helps[name])(command)
    return command


@COMMANDS.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print one JSON object per run")
@click.option("--password", envvar="CONFORMANCE_ODF_PASSWORD", default=None,
              help="password of encrypted packages (or $CONFORMANCE_ODF_PASSWORD); without "
              "it their encrypted parts are not checked")
@schemas_option
@offline_option
@_limit_options
def validate(files: tuple[Path, ...], as_json: bool, password: str | None,
             schemas: Path | None, offline: bool, **limit_values: float) -> None:
    """Check ODF documents (packages of every type, and flat XML .fodt/.fods/.fodp):
    package rules, encryption, signatures, well-formedness, RelaxNG validity (strict and
    extended) and the rules the schemas cannot express; every finding names its
    requirement. Exit 0 when every file conforms (at least extended), 1 otherwise (also when
    a part passes a limit: "not checkable"), 2 on bad input (no schemas, unreadable
    option)."""
    source = _source(schemas, offline)
    limits = Limits(**limit_values)  # type: ignore[arg-type]  # click checked each type
    results: list[Validation] = []
    absent = [str(p) for p in files if not p.is_file()]
    if absent:
        _fail(InputError(f"no such file: {', '.join(absent)}"))
    try:
        for path in files:
            results.append(validate_file(path, source, limits, password))
    except ConformanceError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps({"documents": [r.to_dict() for r in results]}, indent=2,
                              ensure_ascii=False))
    else:
        for result in results:
            version = result.version or "unknown version"
            click.echo(f"{result.document}: {result.conformance_class} (ODF {version})")
            for problem in result.problems:
                click.echo(f"  error: {problem}")
            for refusal in result.refused:
                click.echo(f"  not checked: {refusal}")
            if result.strict_problems:
                foreign = sorted({n for names in result.foreign.values() for n in names})
                click.echo(f"  note: valid only as extended; foreign markup: "
                           f"{', '.join(foreign[:8])}{' …' if len(foreign) > 8 else ''}")
    sys.exit(0 if all(r.conforming for r in results) else 1)


@COMMANDS.command("faults")
@schemas_option
@offline_option
def faults(schemas: Path | None, offline: bool) -> None:
    """Apply every package and document fault of the catalogue to a valid generated document
    and show that the validator reports the requirements each must break. Content and
    consumer faults need a product in front of them: tests/integration/test_odf_faults.py
    runs those through the suite's checks."""
    source = _source(schemas, offline)
    try:
        base = build_corpus(0)[0]
        clean = validate_bytes(base.data, base.name, source)
        missed = elsewhere = 0
        if not clean.conforming or clean.strict_problems:
            click.echo(f"the base document is not strictly conforming: {clean.problems[:3]}")
            sys.exit(1)
        validated = [f for f in FAULTS if f.validated]
        for fault in validated:
            try:
                damaged = fault.corrupt(base.data)
            except (ValueError, zipfile.BadZipFile, etree.XMLSyntaxError):
                # A rule fault for another document type (a chart, a formula, encryption):
                # tests/integration/test_odf_rules.py proves it on LibreOffice's documents.
                click.echo(f"n/a     {fault.name:26} (needs another document type)")
                elsewhere += 1
                continue
            assert damaged is not None  # only content faults write no document
            found = validate_bytes(damaged, fault.name, source).broken()
            caught = set(fault.breaks) <= found
            missed += not caught
            click.echo(f"{'caught' if caught else 'MISSED'}  {fault.name:26} "
                       f"{', '.join(fault.breaks)}")
    except ConformanceError as error:
        _fail(error)
    click.echo(f"{len(validated) - missed - elsewhere} of {len(validated) - elsewhere} "
               f"validator faults caught on the base document ({elsewhere} need another "
               "document type: tests/integration/test_odf_rules.py); "
               f"{len(FAULTS) - len(validated)} content and consumer faults are proven "
               "against a real product by the suite's integration test")
    sys.exit(1 if missed else 0)


@COMMANDS.command("install-schemas")
@click.option(
    "--from",
    "directory",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="a local copy of the OASIS schemas (<version>/schema.rng …)",
)
def install_schemas(directory: Path) -> None:
    """Install the OASIS schemas from a local copy into the cache, for machines that cannot
    reach docs.oasis-open.org. Every file must match its pinned SHA-256."""
    try:
        installed = install_from(directory)
    except ConformanceError as error:
        _fail(error)
    click.echo(f"installed {len(installed)} pinned schema files into {default_cache_dir()}")


@COMMANDS.command("matrix")
@click.option("--candidate", "candidates", multiple=True, required=True,
              help="an ODF tool: a bundled candidate id or a manifest path (two or more)")
@click.option("--campaign", default="odf-interop", show_default=True,
              help="written to <output-root>/<campaign>/odf-interop.{html,json}")
@click.option("--output-root", type=click.Path(path_type=Path, file_okay=False),
              default=Path("reports"), show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="the corpus seed")
def matrix(candidates: tuple[str, ...], campaign: str, output_root: Path, seed: int) -> None:
    """The interoperability matrix: each tool saves the generated text and spreadsheet
    documents it handles, each tool opens and exports what every one saved, and each cell
    says what was lost. Exit 0 once the page is written (whatever the cells say), 2 on bad
    input."""
    from suites.odf.interop import build_matrix, write_matrix

    if len(set(candidates)) < 2:
        _fail(InputError("the matrix needs two or more --candidate tools"))
    try:
        found = build_matrix(list(candidates), seed)
    except ConformanceError as error:
        _fail(error)
    for cell in found["cells"]:
        lost = f": {len(cell['lost'])} lost" if cell["lost"] else ""
        click.echo(f"{cell['kind']:11} {cell['producer']:16} -> {cell['consumer']:12} "
                   f"{cell['outcome']}{lost}")
    for name, problem in found["unavailable"].items():
        click.echo(f"not started: {name}: {problem}")
    for path in write_matrix(found, output_root / campaign, f"ODF interoperability: {campaign}"):
        click.echo(f"written: {path}")
