"""Producer output is a conforming package and document (ODF 1.3 Part 2 §2.2, §3.2, §3.3, §4;
Part 3 §2.2.1, §2.2.2): every generated source document, opened and saved by the candidate,
is validated, and each requirement fails with the part, line, column and XPath it broke."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.api import CheckFailure, cant_tell, current_evidence
from suites.odf.runner import RoundTrip, saved
from suites.odf.validate import Validation

DOCUMENTS = ("text-basic", "text-unicode", "sheet-basic")
REQUIREMENTS = (
    "odf.package.zip",
    "odf.package.compression",
    "odf.package.unique-names",
    "odf.package.manifest-present",
    "odf.package.manifest-wellformed",
    "odf.package.manifest-valid",
    "odf.package.manifest-root",
    "odf.package.manifest-lists-files",
    "odf.package.manifest-entries-exist",
    "odf.package.mimetype-present",
    "odf.package.mimetype-first",
    "odf.package.mimetype-stored",
    "odf.package.mimetype-no-extra",
    "odf.package.mimetype-matches",
    "odf.package.signatures-valid",
    "odf.document.content-present",
    "odf.document.wellformed",
    "odf.document.version",
    "odf.document.schema-extended",
    "odf.document.schema-strict",
)
MANIFEST_READ = ("odf.package.manifest-present", "odf.package.manifest-wellformed")
# What must hold before a requirement can be judged at all (else: cantTell, not a pass).
PREREQUISITES: dict[str, tuple[str, ...]] = {
    "odf.package.manifest-valid": (*MANIFEST_READ, "odf.document.version"),
    "odf.package.manifest-root": MANIFEST_READ,
    "odf.package.manifest-lists-files": MANIFEST_READ,
    "odf.package.manifest-entries-exist": MANIFEST_READ,
    "odf.package.mimetype-matches": (*MANIFEST_READ, "odf.package.mimetype-present"),
    "odf.package.mimetype-first": ("odf.package.mimetype-present",),
    "odf.package.mimetype-stored": ("odf.package.mimetype-present",),
    "odf.package.mimetype-no-extra": ("odf.package.mimetype-present",),
    "odf.document.schema-extended": ("odf.document.wellformed", "odf.document.version"),
    "odf.document.schema-strict": ("odf.document.wellformed", "odf.document.version",
                                   "odf.document.schema-extended"),
    "odf.package.signatures-valid": ("odf.document.version",),
}
SHOWN = 8


def judge(validation: Validation, requirement: str) -> None:
    """Fail with evidence when ``validation`` breaks ``requirement``."""
    if requirement != "odf.package.zip" and validation.problems_for("odf.package.zip"):
        cant_tell("the saved file is not a readable ZIP archive")
    blocked = [r for r in PREREQUISITES.get(requirement, ()) if validation.problems_for(r)]
    if blocked:
        cant_tell(f"cannot judge while {', '.join(blocked)} fails")
    problems = validation.problems_for(requirement)
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
