"""The OASIS RelaxNG schemas of ODF 1.2, 1.3 and 1.4: found, fetched and compiled.

The schemas are never part of this repository. They come from a directory given by the
``--schemas`` option or ``$CONFORMANCE_ODF_SCHEMAS`` (layout ``<version>/schema.rng``,
``manifest-schema.rng``, ``dsig-schema.rng``), or are downloaded from docs.oasis-open.org
on first use into the user's cache and checked against the SHA-256 values pinned below.
Each compiled schema is kept for the life of the process (compiling one takes ~0.15 s).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from conformance.api import InputError

VERSIONS = ("1.2", "1.3", "1.4")
SCHEMA_KINDS = ("schema", "manifest-schema", "dsig-schema")
ENVIRONMENT = "CONFORMANCE_ODF_SCHEMAS"
CACHE_ENVIRONMENT = "CONFORMANCE_ODF_SCHEMA_CACHE"
_V12 = "http://docs.oasis-open.org/office/v1.2/os/OpenDocument-v1.2-os-"
_V13 = "https://docs.oasis-open.org/office/OpenDocument/v1.3/os/schemas/OpenDocument-v1.3-"
# The 1.4 files pinned here are the Committee Specification 01 ones (the OASIS Standard of
# October 2025 keeps its schemas at .../v1.4/os/schemas/ under the same names).
_V14 = "https://docs.oasis-open.org/office/OpenDocument/v1.4/cs01/schemas/OpenDocument-v1.4-"


@dataclass(frozen=True)
class SchemaFile:
    version: str
    kind: str
    url: str
    sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.kind}.rng"


OFFICIAL: dict[tuple[str, str], SchemaFile] = {
    (f.version, f.kind): f
    for f in (
        SchemaFile("1.2", "schema", _V12 + "schema.rng",
                   "ca5d2510858c6f922b20cd27dc76d34959c1a976b9dfc6b5caeadbebfc83dbbb"),
        SchemaFile("1.2", "manifest-schema", _V12 + "manifest-schema.rng",
                   "75f972902bc785c15e51fb4e112e2f1b24e2327829eb54786cf8687ee39c7631"),
        SchemaFile("1.2", "dsig-schema", _V12 + "dsig-schema.rng",
                   "52fbf196dc11fcaac41ff4b320f005daf419794c2f343a26ecab05778d7e7f6f"),
        SchemaFile("1.3", "schema", _V13 + "schema.rng",
                   "40bad03efdbb02825230d357da0aa6ac679934c5bf56c6281752c0c24d58e4e6"),
        SchemaFile("1.3", "manifest-schema", _V13 + "manifest-schema.rng",
                   "8aee71f03484be112af972d622cc9031280c007b0a454ae8815e8e333c9bdd17"),
        SchemaFile("1.3", "dsig-schema", _V13 + "dsig-schema.rng",
                   "1760eab7fba2394b6b9d2c77b4ed2187ed01ff8029f8538ba7bff3b834866573"),
        SchemaFile("1.4", "schema", _V14 + "schema.rng",
                   "d41964830ae40c9fa8b744e8fb6025210ba68d89175b7e9a6c667d668fc435ef"),
        SchemaFile("1.4", "manifest-schema", _V14 + "manifest-schema.rng",
                   "008d50cdd92b8606675bb0c95827bbae0d027550f22b165d047117bca6ead1e5"),
        SchemaFile("1.4", "dsig-schema", _V14 + "dsig-schema.rng",
                   "dc29cfa6ad5e94fadc187cadf9ba0530396e7c4e2793761d66ee9c518a683c9d"),
    )
}


def default_cache_dir() -> Path:
    override = os.environ.get(CACHE_ENVIRONMENT)
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "eos-conformance" / "odf-schemas"


class SchemaSource:
    """Where schema files come from: a given directory, or the pinned OASIS downloads."""

    def __init__(
        self,
        directory: Path | None = None,
        cache_dir: Path | None = None,
        urls: dict[tuple[str, str], str] | None = None,
        allow_download: bool = True,
    ) -> None:
        env = os.environ.get(ENVIRONMENT)
        self.directory = directory or (Path(env) if env else None)
        self.cache_dir = cache_dir or default_cache_dir()
        self.urls = urls or {key: f.url for key, f in OFFICIAL.items()}
        self.allow_download = allow_download

    def path(self, version: str, kind: str) -> Path:
        if version not in VERSIONS:
            raise InputError(
                f"ODF version {version!r} has no schema here (known: {', '.join(VERSIONS)})"
            )
        if self.directory is not None:
            found = self.directory / version / f"{kind}.rng"
            if not found.is_file():
                raise InputError(
                    f"ODF schema directory {self.directory} has no {version}/{kind}.rng "
                    f"(given by --schemas or ${ENVIRONMENT})"
                )
            return found
        cached = self.cache_dir / version / f"{kind}.rng"
        pinned = OFFICIAL[(version, kind)].sha256
        if cached.is_file() and _sha256(cached.read_bytes()) == pinned:
            return cached
        if not self.allow_download:
            raise InputError(
                f"no ODF {version} schema: give a directory with --schemas or ${ENVIRONMENT} "
                f"(layout {version}/{kind}.rng), or allow the download from OASIS"
            )
        return self._download(version, kind, cached, pinned)

    def _download(self, version: str, kind: str, target: Path, pinned: str) -> Path:
        url = self.urls[(version, kind)]
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                data = answer.read()
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise InputError(
                f"cannot download the ODF {version} {kind} from {url}: {reason}; give a "
                f"directory holding the schemas with --schemas or ${ENVIRONMENT}"
            ) from None
        actual = _sha256(data)
        if actual != pinned:
            raise InputError(
                f"the ODF {version} {kind} downloaded from {url} has SHA-256 {actual}, not the "
                f"pinned {pinned}: refusing to use it"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
        return target


def install_from(directory: Path, cache_dir: Path | None = None) -> list[SchemaFile]:
    """Put a local copy of the official schemas into the cache, as a download would.

    Every file must match its pinned SHA-256, so a mirror is trusted exactly as far as OASIS
    is: a modified copy is refused and nothing is installed.
    """
    target_root = cache_dir or default_cache_dir()
    accepted: list[tuple[SchemaFile, bytes]] = []
    for official in OFFICIAL.values():
        source = directory / official.version / official.file_name
        if not source.is_file():
            raise InputError(f"{directory} has no {official.version}/{official.file_name}")
        data = source.read_bytes()
        actual = _sha256(data)
        if actual != official.sha256:
            raise InputError(
                f"{source} has SHA-256 {actual}, not the pinned {official.sha256} of the "
                f"official file ({official.url}): refusing to install any schema"
            )
        accepted.append((official, data))
    for official, data in accepted:
        target = target_root / official.version / official.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return [official for official, _ in accepted]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def _compile(path: Path) -> etree.RelaxNG:
    try:
        return etree.RelaxNG(etree.parse(str(path)))
    except (etree.XMLSyntaxError, etree.RelaxNGParseError, OSError) as error:
        raise InputError(f"ODF schema {path} cannot be used: {error}") from None


def compiled(source: SchemaSource, version: str, kind: str) -> etree.RelaxNG:
    """The compiled schema, compiled once per process and file."""
    return _compile(source.path(version, kind).resolve())


def namespaces_of(source: SchemaSource, version: str) -> frozenset[str]:
    """The namespaces an ODF version defines: those its schema grammar declares."""
    return _namespaces(source.path(version, "schema").resolve())


_SCHEMA_LANGUAGES = frozenset(
    {
        "http://relaxng.org/ns/structure/1.0",
        "http://relaxng.org/ns/compatibility/annotations/1.0",
    }
)


@cache
def _namespaces(path: Path) -> frozenset[str]:
    root = etree.parse(str(path)).getroot()
    declared = {uri for uri in root.nsmap.values() if uri and uri not in _SCHEMA_LANGUAGES}
    declared.add("http://www.w3.org/XML/1998/namespace")
    return frozenset(declared)
