"""Reading an ODF package: the ZIP entries as they are stored, before any XML is parsed.

Python's ``zipfile`` keeps only the last of two entries with the same name, so the central
directory is walked here too, to see duplicates, order, compression and extra fields.

Every part is read as a stream, in chunks, against ``Limits``: the sizes the ZIP directory
declares are checked before a byte is inflated, and the bytes actually inflated are counted
as they come, so neither a lying header nor a bomb gets past a limit by more than a chunk.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from suites.odf.limits import DEFAULT_LIMITS, RATIO_GRACE_BYTES, LimitExceeded, Limits

CHUNK = 64 * 1024
# What zipfile and its decompressors raise on damaged or unsupported entries.
READ_ERRORS = (KeyError, zipfile.BadZipFile, OSError, NotImplementedError, EOFError,
               RuntimeError, ValueError, zlib.error, lzma.LZMAError)
# End of central directory record, and the ZIP64 locator and record (APPNOTE 4.3.14-16).
EOCD, ZIP64_LOCATOR, ZIP64_EOCD = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"


@dataclass(frozen=True)
class Entry:
    name: str
    compress_type: int
    local_extra: bytes
    index: int


class PackageError(Exception):
    """The bytes are not a ZIP archive at all."""


class Package:
    def __init__(self, data: bytes | IO[bytes], name: str = "document",
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.name = name
        self.limits = limits
        self._file = io.BytesIO(data) if isinstance(data, bytes) else data
        self._size = self._file.seek(0, io.SEEK_END)
        declared = _declared_entries(self._file, self._size)
        if declared is not None and declared > limits.max_entries:
            # Refused before zipfile builds an object per entry of the directory.
            raise LimitExceeded("(package)", "max_entries", limits.max_entries,
                                f"the ZIP directory declares {declared:,} entries")
        try:
            self._file.seek(0)
            self.zip = zipfile.ZipFile(self._file)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise PackageError(f"not a ZIP archive: {error}") from None
        if len(infos) > limits.max_entries:
            raise LimitExceeded("(package)", "max_entries", limits.max_entries,
                                f"the ZIP directory holds {len(infos):,} entries")
        self._infos = infos
        self.entries = [
            Entry(info.filename, info.compress_type, self._local_extra(info), index)
            for index, info in enumerate(infos)
        ]
        # zipfile reads the last entry of a name; so do we.
        self._last = {info.filename: index for index, info in enumerate(infos)}
        self._unpacked: dict[int, int] = {}  # entry index -> most bytes ever inflated
        self.unpacked_total = 0
        # Encrypted parts (encryption.py): their plain bytes once decrypted, and the names
        # of those that could not be (no password, or a failure), never parsed as XML.
        self.decrypted: dict[str, bytes] = {}
        self.opaque: set[str] = set()

    def _local_extra(self, info: zipfile.ZipInfo) -> bytes:
        # The local file header's own extra field (the central directory's may differ).
        self._file.seek(info.header_offset)
        header = self._file.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            return b""
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        self._file.seek(info.header_offset + 30 + name_length)
        return self._file.read(extra_length)

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

    def chunks(self, name: str, index: int | None = None, share: int = 1) -> Iterator[bytes]:
        """The unpacked bytes of a part (the last of its name, or entry ``index``), in
        chunks, within 1/``share`` of max_part_bytes. Raises PackageError when it cannot be
        read, LimitExceeded past a limit."""
        if index is None and name in self.decrypted:
            plain = self.decrypted[name]
            self._check(name, self._last[name], len(plain), max(len(plain), 1), share,
                        declared=True)
            for start in range(0, len(plain), CHUNK):
                yield plain[start : start + CHUNK]
            return
        if index is None:
            if name not in self._last:
                raise PackageError(f"{name}: cannot be read from the ZIP archive: no such entry")
            index = self._last[name]
        info = self._infos[index]
        # The stored bytes cannot be more than the archive holds, whatever the header says.
        packed = max(min(info.compress_size, self._size), 1)
        self._check(name, index, info.file_size, packed, share, declared=True)
        try:
            with self.zip.open(info) as stream:
                count = 0
                while chunk := stream.read(CHUNK):
                    count += len(chunk)
                    self._check(name, index, count, packed, share, declared=False)
                    yield chunk
        except READ_ERRORS as error:
            raise PackageError(f"{name}: cannot be read from the ZIP archive: {error}") from None

    def _check(self, name: str, index: int, size: int, packed: int, share: int,
               declared: bool) -> None:
        """``size`` is what the directory declares (nothing inflated yet) or what has been
        inflated so far; both are held to every limit."""
        limits = self.limits
        if declared:
            amount, outcome = f"declares {size:,} unpacked bytes", "not read"
        else:
            amount, outcome = f"had unpacked {size:,} bytes when stopped", "not read further"
        if size > limits.max_part_bytes // share:
            raise LimitExceeded(name, "max_part_bytes", limits.max_part_bytes, amount, outcome,
                                share)
        if size > RATIO_GRACE_BYTES and size / packed > limits.max_ratio:
            raise LimitExceeded(name, "max_ratio", limits.max_ratio,
                                f"{amount} from {packed:,} stored bytes, "
                                f"{size / packed:,.0f}:1", outcome)
        before = self._unpacked.get(index, 0)
        if size <= before:
            return
        total = self.unpacked_total - before + size
        if total > limits.max_total_bytes:
            raise LimitExceeded(name, "max_total_bytes", limits.max_total_bytes,
                                f"{amount}, {total:,} with the parts unpacked before it",
                                outcome)
        if not declared:  # only what was inflated counts towards the total
            self._unpacked[index] = size
            self.unpacked_total = total

    def read(self, name: str, share: int = 1) -> bytes:
        return b"".join(self.chunks(name, share=share))

    def check_crc(self, index: int) -> None:
        """Inflate entry ``index`` to its end (zipfile compares the CRC-32 there)."""
        for _ in self.chunks(self._infos[index].filename, index):
            pass

    def parse(self, name: str, share: int = 1) -> Any:
        """The part parsed as XML (an lxml ElementTree), within 1/``share`` of the limits.
        Raises etree.XMLSyntaxError, PackageError or LimitExceeded."""
        return parse_xml(self.chunks(name, share=share), name, self.limits.max_xml_nodes, share)


def parse_xml(chunks: Iterable[bytes], part: str, max_nodes: int, share: int = 1) -> Any:
    """Parse XML fed in chunks, counting the nodes as the tree grows: the tree of a small
    part can cost 30 times its text, so its bytes alone do not bound memory."""
    parser = etree.XMLPullParser(events=("start", "comment", "pi"), resolve_entities=False,
                                 no_network=True, huge_tree=False)
    nodes, allowed = 0, max_nodes // share
    for chunk in chunks:
        parser.feed(chunk)
        for event, node in parser.read_events():
            nodes += 1 + len(node.attrib) if event == "start" else 1
        if nodes > allowed:
            raise LimitExceeded(part, "max_xml_nodes", max_nodes,
                                f"holds more than {allowed:,} XML elements, attributes, "
                                "comments and processing instructions", share=share)
    return parser.close().getroottree()


def _declared_entries(file: IO[bytes], size: int) -> int | None:
    """The entry count the end of central directory record declares (None if not found):
    cheap to read, so a directory of a million entries is refused before it is parsed."""
    tail_length = min(size, 22 + 0xFFFF)  # the record, then a comment of up to 64 KiB
    file.seek(size - tail_length)
    tail = file.read(tail_length)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != ZIP64_LOCATOR:
        return count
    file.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
    record = file.read(56)
    if record[:4] != ZIP64_EOCD:
        return count
    return int.from_bytes(record[32:40], "little")
