"""Reading an ODF package: the ZIP entries as they are stored, before any XML is parsed.

Python's ``zipfile`` keeps only the last of two entries with the same name, so the central
directory is walked here too, to see duplicates, order, compression and extra fields.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    compress_type: int
    local_extra: bytes
    index: int


class PackageError(Exception):
    """The bytes are not a ZIP archive at all."""


class Package:
    def __init__(self, data: bytes, name: str = "document") -> None:
        self.name = name
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise PackageError(f"not a ZIP archive: {error}") from None
        self.entries = [
            Entry(info.filename, info.compress_type, self._local_extra(info), index)
            for index, info in enumerate(infos)
        ]

    def _local_extra(self, info: zipfile.ZipInfo) -> bytes:
        # The local file header's own extra field (the central directory's may differ).
        offset = info.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            return b""
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        start = offset + 30 + name_length
        return self.data[start : start + extra_length]

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]

    def files(self) -> list[str]:
        """The stored files (directory entries, which end in '/', left out), in order."""
        return [name for name in self.names if not name.endswith("/")]

    def duplicates(self) -> list[str]:
        seen: set[str] = set()
        repeated: list[str] = []
        for name in self.names:
            if name in seen and name not in repeated:
                repeated.append(name)
            seen.add(name)
        return repeated

    def entry(self, name: str) -> Entry | None:
        return next((e for e in self.entries if e.name == name), None)

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (KeyError, zipfile.BadZipFile, OSError, NotImplementedError, EOFError) as error:
            raise PackageError(f"{name}: cannot be read from the ZIP archive: {error}") from None
