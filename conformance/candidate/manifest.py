"""Candidate manifests: what a product is, what it claims, how to start and reach it.

A manifest is a TOML file. Validation names the file, the field and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from conformance.candidate.artefact_kinds import debian_package_digest, executable_digest
from conformance.candidate.npm_artefact import npm_package_digest
from conformance.errors import InputError
from conformance.tomlfile import describe_validation_error, read_toml

SLUG = r"^[a-z0-9][a-z0-9._-]*$"
DIGEST = r"^sha256:[0-9a-f]{64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Artefact(Strict):
    """One artefact the verdict is about; exactly one way to know its digest."""

    name: str
    digest: str | None = Field(default=None, pattern=DIGEST)
    python_distribution: str | None = None
    path: str | None = None
    image: str | None = None
    # An npm package pinned by a package-lock.json (path relative to the manifest).
    npm_package: str | None = None
    npm_lockfile: str | None = None
    # A system package (its version and the digest of its file list) or a command on PATH.
    debian_package: str | None = None
    executable: str | None = None

    @model_validator(mode="after")
    def one_source(self) -> Artefact:
        given = (
            self.digest,
            self.python_distribution,
            self.path,
            self.image,
            self.npm_package,
            self.debian_package,
            self.executable,
        )
        if len([s for s in given if s]) != 1:
            raise ValueError(
                "give exactly one of 'digest', 'python_distribution', 'path' or 'image' "
                "(or 'npm_package' with 'npm_lockfile'; or, for an installed tool, "
                "'debian_package' or 'executable')"
            )
        if bool(self.npm_package) != bool(self.npm_lockfile):
            raise ValueError("'npm_package' and 'npm_lockfile' go together")
        return self


class Account(Strict):
    username: str
    password: str | None = None


class KnownDeviation(Strict):
    requirement: str
    reason: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="spec section or upstream issue")
    # The product breaks the rule in some runs only (say, a nondeterministic writer), so a
    # run where it happens to pass is no news; the reason must say how often it was seen.
    intermittent: bool = False


class SettingForTests(Strict):
    """A setting the candidate runs with only so the harness can test it (plain HTTP on
    loopback, an authorisation shortcut), and the requirements whose results depend on it.
    The report says so beside each of them: a buyer reads what holds in production."""

    name: str = Field(pattern=SLUG)
    description: str = Field(min_length=1)
    requirements: list[str] = Field(
        min_length=1, description="requirement ids, or a prefix ending in '*' (e.g. 'ap.follow.*')"
    )


class Manifest(Strict):
    id: str = Field(pattern=SLUG)
    product: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    version: str | None = None
    description: str = ""
    artefacts: list[Artefact] = Field(min_length=1)
    claims: dict[str, list[str]] = Field(min_length=1)
    launch: dict[str, Any]
    endpoints: dict[str, str]
    accounts: dict[str, Account] = Field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    known_deviations: list[KnownDeviation] = Field(default_factory=list)
    test_mode: list[SettingForTests] = Field(default_factory=list)

    @field_validator("endpoints")
    @classmethod
    def has_base_endpoint(cls, endpoints: dict[str, str]) -> dict[str, str]:
        if "base" not in endpoints:
            raise ValueError("endpoints must name a 'base' URL")
        return endpoints

    @field_validator("launch")
    @classmethod
    def names_its_kind(cls, launch: dict[str, Any]) -> dict[str, Any]:
        if "kind" not in launch:
            raise ValueError("launch must name its 'kind' (process, endpoint, container)")
        return launch

    def deviation_for(self, requirement_id: str) -> KnownDeviation | None:
        return next((d for d in self.known_deviations if d.requirement == requirement_id), None)


class LoadedManifest(BaseModel):
    """A validated manifest with where it came from and the digest of its bytes."""

    path: Path
    sha256: str
    manifest: Manifest


def _read_with_base(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The manifest's table; ``extends = "other.toml"`` takes every top-level key not given
    here from that manifest (whole keys, no deep merge, so a ``launch`` is never mixed)."""
    data = read_toml(path, "candidate manifest")
    _inline_file_templates(data, path)
    base = data.pop("extends", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise InputError(f"candidate manifest {path}: field 'extends': expected a file path")
    base_path = (path.parent / base).resolve()
    if base_path in seen:
        raise InputError(f"candidate manifest {path}: field 'extends': {base_path} extends itself")
    return {**_read_with_base(base_path, (*seen, path.resolve())), **data}


def _inline_file_templates(data: dict[str, Any], path: Path) -> None:
    """``launch.files`` entries may be ``{ template = "relative/path" }``: the content of that
    file, beside the declaring manifest, so several launch modes share one configuration.
    Inlined at reading time, so the manifest digest covers what the candidate was given."""
    launch = data.get("launch")
    if not isinstance(launch, dict):
        return
    tables = [("launch.files", launch.get("files"))]
    services = launch.get("services")
    if isinstance(services, list):
        tables += [
            (f"launch.services.{i}.files", service.get("files"))
            for i, service in enumerate(services)
            if isinstance(service, dict)
        ]
    for field, files in tables:
        if not isinstance(files, dict):
            continue
        for name, value in files.items():
            if isinstance(value, dict):
                files[name] = _template_content(value, path, f"{field}.{name}")


def _template_content(value: dict[str, Any], path: Path, field: str) -> str:
    template = value.get("template")
    if set(value) != {"template"} or not isinstance(template, str):
        raise InputError(
            f"candidate manifest {path}: field '{field}': expected the file's content as a "
            'string, or { template = "path relative to the manifest" }'
        )
    source = path.parent / template
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(
            f"candidate manifest {path}: field '{field}': cannot read template {source}: {reason}"
        ) from None


def load_manifest(path: Path) -> LoadedManifest:
    data = _read_with_base(path)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as error:
        raise InputError(describe_validation_error(path, "candidate manifest", error)) from None
    # The effective manifest (after ``extends``), canonically serialised, is what ran.
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    return LoadedManifest(path=path.resolve(), sha256=digest, manifest=manifest)


def resolve_manifest(name_or_path: str, bundled_dir: Path) -> LoadedManifest:
    """A manifest path, or the id of a bundled reference candidate."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return load_manifest(path)
    bundled = bundled_dir / f"{name_or_path}.toml"
    if bundled.exists():
        return load_manifest(bundled)
    known = ", ".join(sorted(p.stem for p in bundled_dir.glob("*.toml"))) or "none"
    raise InputError(
        f"candidate {name_or_path!r}: no such manifest file, and not a bundled candidate "
        f"(bundled: {known})"
    )


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand(template: str, values: dict[str, str], field: str) -> str:
    """Replace ``{name}`` placeholders; an unknown name is an input error naming the field."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            allowed = ", ".join("{" + k + "}" for k in sorted(values))
            raise InputError(f"manifest field '{field}': unknown placeholder {{{key}}} ({allowed})")
        return values[key]

    return _PLACEHOLDER.sub(replace, template)


class ResolvedArtefact(BaseModel):
    name: str
    digest: str | None
    kind: Literal[
        "declared",
        "python-distribution",
        "file",
        "image",
        "npm-package",
        "debian-package",
        "executable",
    ]
    version: str | None = None


def _distribution_digest(name: str) -> tuple[str, str]:
    """SHA-256 of an installed distribution's RECORD, which itself lists every file's hash."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise InputError(
            f"artefact python_distribution {name!r} is not installed in this environment"
        ) from None
    record = dist.read_text("RECORD") or ""
    lines = sorted(line for line in record.splitlines() if line.strip())
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return "sha256:" + digest, dist.version


def resolve_artefact(artefact: Artefact, base_dir: Path) -> ResolvedArtefact:
    if artefact.digest:
        return ResolvedArtefact(name=artefact.name, digest=artefact.digest, kind="declared")
    if artefact.python_distribution:
        digest, version = _distribution_digest(artefact.python_distribution)
        return ResolvedArtefact(
            name=artefact.name, digest=digest, kind="python-distribution", version=version
        )
    if artefact.path:
        file = (base_dir / artefact.path).resolve()
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InputError(f"artefact {artefact.name!r}: cannot read {file}: {error}") from None
        return ResolvedArtefact(
            name=artefact.name, digest="sha256:" + hashlib.sha256(data).hexdigest(), kind="file"
        )
    if artefact.npm_package and artefact.npm_lockfile:
        digest, version = npm_package_digest(base_dir / artefact.npm_lockfile, artefact.npm_package)
        return ResolvedArtefact(
            name=artefact.name, digest=digest, kind="npm-package", version=version
        )
    if artefact.debian_package:
        digest, version = debian_package_digest(artefact.debian_package)
        return ResolvedArtefact(
            name=artefact.name, digest=digest, kind="debian-package", version=version
        )
    if artefact.executable:
        return ResolvedArtefact(
            name=artefact.name, digest=executable_digest(artefact.executable), kind="executable"
        )
    # An image pinned by digest is known now; a tag is resolved by the container launcher,
    # which records the digest that actually ran.
    image = artefact.image or ""
    pinned = image.split("@", 1)[1] if "@sha256:" in image else None
    return ResolvedArtefact(name=artefact.name, digest=pinned, kind="image")
