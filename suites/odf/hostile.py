"""Hostile packages for the suite's own tests and benchmarks: a real document with parts
replaced or added, streamed in so a 1 GiB part never sits in memory (zip bombs, packages of
too many entries)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

MIB = 1 << 20
MANIFEST = "META-INF/manifest.xml"


def zeros(size: int) -> Iterator[bytes]:
    """``size`` zero bytes, a MiB at a time."""
    for offset in range(0, size, MIB):
        yield bytes(min(MIB, size - offset))


def rewrite_package(
    base: bytes,
    target: IO[bytes],
    parts: Mapping[str, Iterable[bytes]],
    listed: Mapping[str, str] | None = None,
) -> None:
    """Write ``base`` to ``target`` with ``parts`` replaced or added, and ``listed``
    (path -> media type) added to its manifest, so it conforms apart from its payload."""
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{kind}"/>'
        for path, kind in (listed or {}).items()
    )
    with zipfile.ZipFile(target, "w") as out, zipfile.ZipFile(io.BytesIO(base)) as source:
        for info in source.infolist():
            if info.filename in parts:
                continue
            data = source.read(info)
            if info.filename == MANIFEST:
                data = data.replace(b"</manifest:manifest>",
                                    entries.encode() + b"</manifest:manifest>")
            out.writestr(info, data)
        for name, chunks in parts.items():
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with out.open(entry, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
