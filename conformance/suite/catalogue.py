"""Requirements catalogues: one TOML file per suite, the single source of what is checked.

A catalogue names the standard, the specifications it cites, its profiles and its
requirements (id, spec, section, URL, level, profiles).
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from conformance.errors import InputError
from conformance.suite.contract import SuiteDeclaration, declaration_of
from conformance.tomlfile import describe_validation_error, read_toml

CATALOGUE_FILE = "catalogue.toml"
Level = Literal["MUST", "SHOULD", "MAY"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Spec(Strict):
    title: str
    url: str
    # How to link to a section, e.g. "https://www.rfc-editor.org/rfc/rfc4791#section-{section}".
    section_url: str | None = None


class Profile(Strict):
    title: str
    version: str
    description: str = ""


class Requirement(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    spec: str
    section: str
    level: Level
    profiles: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=1)
    url: str | None = None
    # Names of the same rule in other test programmes (programme -> test names), so auditors
    # who know those programmes can read the results, e.g. {"some-programme": ["test-a"]}.
    references: dict[str, list[str]] = Field(default_factory=dict)


class Catalogue(Strict):
    standard: str = Field(pattern=r"^[a-z0-9]+$")
    title: str
    version: str
    specs: dict[str, Spec]
    profiles: dict[str, Profile]
    requirements: list[Requirement] = Field(min_length=1)

    @model_validator(mode="after")
    def consistent(self) -> Catalogue:
        seen: set[str] = set()
        for requirement in self.requirements:
            if requirement.id in seen:
                raise ValueError(f"requirement id {requirement.id!r} appears twice")
            seen.add(requirement.id)
            if requirement.spec not in self.specs:
                raise ValueError(
                    f"requirement {requirement.id!r} cites unknown spec {requirement.spec!r}"
                )
            for profile in requirement.profiles:
                if profile not in self.profiles:
                    raise ValueError(
                        f"requirement {requirement.id!r} names unknown profile {profile!r}"
                    )
        return self

    @cached_property
    def by_id(self) -> dict[str, Requirement]:
        return {requirement.id: requirement for requirement in self.requirements}

    def url_of(self, requirement: Requirement) -> str:
        if requirement.url:
            return requirement.url
        spec = self.specs[requirement.spec]
        if spec.section_url:
            return spec.section_url.format(section=requirement.section)
        return spec.url

    def profile_requirements(self, profile: str) -> list[Requirement]:
        return [r for r in self.requirements if profile in r.profiles]


class Suite(BaseModel):
    """A suite directory with its catalogue and the digests that pin what ran."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    directory: Path
    catalogue: Catalogue
    catalogue_digest: str
    suite_digest: str

    @property
    def standard(self) -> str:
        return self.catalogue.standard

    @cached_property
    def declaration(self) -> SuiteDeclaration:
        return declaration_of(self.directory)


def tree_digest(directory: Path) -> str:
    """SHA-256 over the relative paths and contents of a suite's source and data files."""
    hasher = hashlib.sha256()
    for file in sorted(directory.rglob("*")):
        if (
            file.is_file()
            and file.suffix in {".py", ".toml", ".json", ".md"}
            and "__pycache__" not in file.parts
        ):
            hasher.update(file.relative_to(directory).as_posix().encode() + b"\0")
            hasher.update(hashlib.sha256(file.read_bytes()).digest())
    return "sha256:" + hasher.hexdigest()


def load_suite(directory: Path) -> Suite:
    path = directory / CATALOGUE_FILE
    data = read_toml(path, "requirements catalogue")
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as error:
        raise InputError(describe_validation_error(path, "requirements catalogue", error)) from None
    return Suite(
        directory=directory.resolve(),
        catalogue=catalogue,
        catalogue_digest="sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
        suite_digest=tree_digest(directory),
    )


def find_suite_directory(path: Path) -> Path | None:
    """The nearest ancestor directory of ``path`` that holds a catalogue."""
    for candidate in [path, *path.parents]:
        if (candidate / CATALOGUE_FILE).is_file():
            return candidate
    return None
