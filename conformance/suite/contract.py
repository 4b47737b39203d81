"""What a suite declares about itself: ``SUITE = SuiteDeclaration(...)`` in its package's
``__init__.py``. The core reads the declaration, never a file-name convention.

A declaration names, relative to the suite package, where its fault catalogue and its extra
commands are (``"module:attribute"``, imported only when asked for), and the pydantic model of
its ``[settings.<standard>]`` table, which every manifest is checked against before a run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from conformance.errors import InputError
from conformance.tomlfile import describe_validation_error

if TYPE_CHECKING:
    from conformance.suite.catalogue import Suite

DECLARATION = "SUITE"


@dataclass(frozen=True)
class SuiteDeclaration:
    faults: str | None = None  # e.g. "faults:FAULTS", the whole catalogue as one list
    commands: str | None = None  # e.g. "commands:COMMANDS", added as `conformance <suite> …`
    # MUST/SHOULD requirements no fault breaks, with why: e.g. "faults:EXEMPTIONS", a
    # dict of requirement id -> Exemption.
    exemptions: str | None = None
    settings: type[BaseModel] | None = None  # None: the suite reads no settings
    # How long one check may take, setup to teardown (default 120 s; see check/deadline.py).
    check_deadline_seconds: float | None = None
    # A page the suite writes once per campaign, e.g. "interop:campaign_page": a function
    # (candidates, campaign directory) -> files written (see suite/campaign_hooks.py).
    campaign_page: str | None = None


def package_of(directory: Path) -> str:
    return f"{directory.parent.name}.{directory.name}"


def declaration_of(directory: Path) -> SuiteDeclaration:
    """The declaration in the suite package at DIRECTORY; a suite directory that is no package
    (checks and a catalogue only) declares nothing."""
    if not (directory / "__init__.py").is_file():
        return SuiteDeclaration()
    module = _import(package_of(directory), directory)
    found = getattr(module, DECLARATION, SuiteDeclaration())
    if not isinstance(found, SuiteDeclaration):
        raise InputError(
            f"suite {directory.name}: {DECLARATION} in its __init__.py must be a SuiteDeclaration"
        )
    return found


def resolve(suite: Suite, reference: str, what: str) -> Any:
    """The object that ``"module:attribute"`` names inside the suite package."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise InputError(
            f"suite {suite.standard}: {what} {reference!r} is not of the form 'module:attribute'"
        )
    module = _import(f"{package_of(suite.directory)}.{module_name}", suite.directory)
    if not hasattr(module, attribute):
        raise InputError(f"suite {suite.standard}: {what} {reference!r}: no such attribute")
    return getattr(module, attribute)


def validate_settings(suite: Suite, settings: Any, manifest: Path) -> dict[str, Any]:
    """The manifest's ``[settings.<standard>]`` checked against the suite's model."""
    model = suite.declaration.settings
    given = settings if settings is not None else {}
    if model is None:
        return dict(given)
    try:
        return model.model_validate(given).model_dump(exclude_unset=True)
    except ValidationError as error:
        raise InputError(
            describe_validation_error(
                manifest, "candidate manifest", error, prefix=f"settings.{suite.standard}"
            )
        ) from None


def _import(name: str, directory: Path) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        raise InputError(f"suite {directory.name}: cannot import {name}: {error}") from None
