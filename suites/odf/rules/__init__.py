"""The rules of ODF 1.3 Part 2 and Part 3 that RelaxNG cannot express, each a requirement of
the catalogue. ``check`` runs them all on a ``Subject`` (model.py) and leaves its findings
and the requirements that found nothing of their kind (``absent``) on it."""

from __future__ import annotations

from suites.odf.rules import links, packaging, styles
from suites.odf.rules.model import Document, Finding, ManifestEntry, Subject

__all__ = ["REQUIREMENTS", "Document", "Finding", "ManifestEntry", "Subject", "check"]
REQUIREMENTS = (*packaging.REQUIREMENTS, *styles.REQUIREMENTS, *links.REQUIREMENTS)
# Package-only rules a flat XML document (one XML file, no ZIP) has nothing of.
PACKAGE_ONLY = (*packaging.REQUIREMENTS, links.OBJECT)


def check(subject: Subject) -> None:
    if not subject.flat:
        packaging.check(subject)
    styles.check(subject)
    links.check(subject)
