"""Producer output is a conforming package and document (ODF 1.3 Part 2 §2.2, §3.2, §3.3, §4;
Part 3 §2.2.1, §2.2.2): every generated source document, opened and saved by the candidate,
is validated, and each requirement fails with the part, line, column and XPath it broke."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.api import CheckFailure, cant_tell, current_evidence, inapplicable
from suites.odf.rules import REQUIREMENTS as RULES
from suites.odf.runner import RoundTrip, saved
from suites.odf.validate import (
    REQUIREMENTS,
    VERIFIED_SIGNATURES,
    WELLFORMED_SIGNATURES,
    Validation,
)

# Every document type: a tool whose manifest declares no round trip for a type (it does not
# support it) makes that type's checks inapplicable (conftest.py).
DOCUMENTS = ("text-basic", "text-unicode", "sheet-basic", "sheet-formulas", "slides-basic",
             "drawing-basic", "text-chart", "text-flat", "sheet-flat", "slides-flat")
MANIFEST_READ = ("odf.package.manifest-present", "odf.package.manifest-wellformed")
# What must hold before a requirement can be judged at all (else: cantTell, not a pass).
# A schema needs a supported version: when none can be told, the validator leaves the
# schema requirements undecided; a part that merely disagrees is judged by the version the
# document declares (content.xml's), as the validator does.
PREREQUISITES: dict[str, tuple[str, ...]] = {
    "odf.package.manifest-valid": MANIFEST_READ,
    "odf.package.manifest-root": MANIFEST_READ,
    "odf.package.manifest-lists-files": MANIFEST_READ,
    "odf.package.manifest-entries-exist": MANIFEST_READ,
    "odf.package.mimetype-matches": (*MANIFEST_READ, "odf.package.mimetype-present"),
    "odf.package.mimetype-first": ("odf.package.mimetype-present",),
    "odf.package.mimetype-stored": ("odf.package.mimetype-present",),
    "odf.package.mimetype-no-extra": ("odf.package.mimetype-present",),
    "odf.document.schema-extended": ("odf.document.wellformed",),
    "odf.document.schema-strict": ("odf.document.wellformed", "odf.document.schema-extended"),
    VERIFIED_SIGNATURES: (WELLFORMED_SIGNATURES,),
    # The rules read the parsed parts and the manifest: a part that does not parse is left
    # out of them, so they are undecided rather than passed on less than the document.
    **{r: ("odf.document.wellformed", *MANIFEST_READ) for r in RULES},
}
# Part 2 §2.2.1 D: a package "may contain" signature files; without one these do not apply.
NO_SIGNATURES = ("the package holds no META-INF/documentsignatures.xml (nor any other "
                 "META-INF/*signatures* file; signing is optional, ODF 1.3 Part 2 §2.2.1 D, §3.5)")
SHOWN = 8


def judge(validation: Validation, requirement: str) -> None:
    """Fail with evidence when ``validation`` breaks ``requirement``."""
    if requirement != "odf.package.zip" and validation.problems_for("odf.package.zip"):
        cant_tell("the saved file is not a readable ZIP archive")
    problems = validation.problems_for(requirement)
    if not problems and requirement in validation.undecided:
        # Nothing was found because nothing could be looked at: never a pass. First, so a
        # part refused for a limit is named (and a refused package is not "unsigned").
        cant_tell(f"{requirement} cannot be judged: {validation.undecided[requirement]}")
    if (requirement in (WELLFORMED_SIGNATURES, VERIFIED_SIGNATURES)
            and not validation.signature_files):
        inapplicable(NO_SIGNATURES, "the saved document is not signed, so there is no "
                     "signature to check")
    blocked = [r for r in PREREQUISITES.get(requirement, ())
               if validation.problems_for(r) or r in validation.undecided]
    if blocked:
        cant_tell(f"cannot judge while {', '.join(blocked)} fails or is undecided")
    if not problems and requirement in validation.absent:
        # The document has nothing the rule is about (no formula, no sub-document …).
        inapplicable(f"{validation.absent[requirement]} (the rule of {requirement} has "
                     "nothing to look at)", "nothing of this kind in the saved document")
    if not problems:
        return
    log = current_evidence()
    if log is not None:
        for problem in problems[:SHOWN]:
            log.add_document(
                validation.document, problem.part, problem.message,
                location=problem.where(), note=requirement,
            )
    first = problems[0]
    raise CheckFailure(
        f"{len(problems)} problem(s), first: {first}",
        expected=f"no violation of {requirement}",
        actual=[str(p) for p in problems[:SHOWN]],
    )


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize(
    "requirement", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in REQUIREMENTS]
)
def test_saved_document_conforms(
    roundtrip: Callable[[str], RoundTrip], document: str, requirement: str
) -> None:
    trip = roundtrip(document)
    saved(trip)
    assert trip.validation is not None
    judge(trip.validation, requirement)
