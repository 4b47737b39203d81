"""ZIP bombs against ``conformance odf validate``: wall time and peak memory per document.

    CONFORMANCE_ODF_SCHEMAS=../shared/odf-schemas .venv/bin/python bench/odf_zip_bomb.py

Builds, in a temporary directory, packages that are conforming apart from their payload:

- a 1 GiB picture of zeros (about 1 MB stored: DEFLATE's ~1030:1), and a 1 GiB content.xml;
- 100 000 small parts in nested folders (10 KiB of zeros each, 1 GiB in all);
- 1 024 parts of 1 MiB of zeros (each under the ratio grace, 1 GiB in all: max_total_bytes);
- a content.xml of 24 MiB of empty paragraphs with random style names (10:1, past
  max_xml_nodes);
- the largest content.xml every limit lets through (nodes and bytes just under the limits,
  random text so the ratio stays low): the worst memory case the limits allow; signed, too
  (then too large to verify), and the largest content.xml whose signature is verified
  (just under the limits / SIGNATURE_SHARE);

and, for comparison, the generated corpus document and LibreOffice's saved copy of it (when
``soffice`` is installed). Each is validated by ``conformance odf validate`` in a child of a
small launcher process, which reports the wall time and ``resource.getrusage(RUSAGE_CHILDREN)
.ru_maxrss``: Linux carries a process's peak RSS across fork and exec, so a child forked
straight from this process (holding the corpus and the packages' builders) would report at
least this process's size, and RUSAGE_CHILDREN here would be the largest child so far.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from odf_validate import libreoffice_copies, table  # noqa: E402

from suites.odf.corpus import build_corpus  # noqa: E402
from suites.odf.faults import sign  # noqa: E402
from suites.odf.hostile import rewrite_package, zeros  # noqa: E402
from suites.odf.limits import DEFAULT_LIMITS, SIGNATURE_SHARE  # noqa: E402

MIB = 1 << 20
# Run in a fresh interpreter (about 10 MB): one child, timed, its peak RSS in KiB.
LAUNCHER = """
import resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{elapsed} {peak} {done.returncode}")
print(done.stdout + done.stderr, end="")
"""
CONFORMANCE = PROJECT / ".venv" / "bin" / "conformance"
MANIFEST = "META-INF/manifest.xml"
CONTENT_HEAD = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n<office:document-content "
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    b"<office:body><office:text>"
)
CONTENT_TAIL = b"</office:text></office:body></office:document-content>"


def zeros_as_spaces(size: int) -> Iterator[bytes]:
    block = b" " * MIB
    for _ in range(size // MIB):
        yield block


def content(body: Iterable[bytes], head: bytes = CONTENT_HEAD) -> Iterator[bytes]:
    yield head
    yield from body
    yield CONTENT_TAIL


def styled_paragraphs(size: int, seed: int = 1) -> Iterator[bytes]:
    """Empty paragraphs with random style names: ~10:1, so only the node count stops them."""
    draw = random.Random(seed)
    written = 0
    while written < size:
        chunk = b"".join(b'<text:p text:style-name="P%06d"/>' % draw.randrange(10**6)
                         for _ in range(4096))
        written += len(chunk)
        yield chunk


def largest_accepted(share: int = 1, seed: int = 2) -> Iterator[bytes]:
    """As many nodes and bytes as the limits (or 1/``share`` of them) let through: short
    paragraphs up to just under max_xml_nodes, then random text (libxml2 caps one text node
    at 10 MB) up to just under max_part_bytes."""
    draw = random.Random(seed)
    nodes = DEFAULT_LIMITS.max_xml_nodes // share - 1_000
    budget = DEFAULT_LIMITS.max_part_bytes // share - 64 * 1024
    written = len(CONTENT_HEAD) + len(CONTENT_TAIL)
    for start in range(0, nodes, 10_000):
        chunk = b"".join(b"<text:p>%d</text:p>" % n
                         for n in range(start, min(start + 10_000, nodes)))
        written += len(chunk)
        yield chunk
    alphabet = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while written + 64 < budget:
        text = min(9_000_000, budget - written - 64)
        yield b"<text:p>"
        for offset in range(0, text, MIB):
            piece = bytes(draw.choices(alphabet, k=min(MIB, text - offset)))
            yield piece
        yield b"</text:p>"
        written += text + 17


def many_entries(count: int, size: int) -> dict[str, Iterable[bytes]]:
    block = bytes(size)
    return {f"Objects/{n // 1000:03d}/{n % 1000:03d}/data.bin": (block,) for n in range(count)}


def measure(label: str, path: Path) -> tuple[str, ...]:
    """Run the validator on ``path`` in a child process: its wall time and peak RSS."""
    answer = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(CONFORMANCE), "odf", "validate", str(path)],
        capture_output=True, text=True, cwd=PROJECT, check=True)
    first, *lines = answer.stdout.splitlines()
    elapsed, peak, code = first.split()
    verdict = lines[0].split(": ", 1)[1] if lines and ": " in lines[0] else "?"
    why = next((line.strip() for line in lines[1:] if "not checked" in line or "error" in line),
               "")
    return (label, f"{path.stat().st_size / MIB:.2f}", f"{float(elapsed):.2f}",
            f"{int(peak) / 1024:.0f}", code, verdict, why[:110])


def main() -> None:
    os.environ.setdefault("CONFORMANCE_ODF_SCHEMAS", str(PROJECT.parent / "shared" / "odf-schemas"))
    corpus = build_corpus(1)
    base = corpus[0].data
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        cases: list[tuple[str, Path]] = []

        def build(label: str, name: str, parts: dict[str, Iterable[bytes]],
                  listed: dict[str, str] | None = None) -> None:
            target = root / name
            with target.open("wb") as stream:
                rewrite_package(base, stream, parts, listed)
            cases.append((label, target))

        generated = root / "generated.odt"
        generated.write_bytes(base)
        cases.append(("generated corpus document", generated))
        saved = libreoffice_copies({"text-basic.odt": base})
        if saved:
            (root / "libreoffice.odt").write_bytes(saved[0])
            cases.append(("saved by LibreOffice", root / "libreoffice.odt"))
        build("1 GiB picture of zeros", "picture.odt",
              {"Pictures/zeros.png": zeros(1024 * MIB)}, {"Pictures/zeros.png": "image/png"})
        build("1 GiB content.xml", "content.odt",
              {"content.xml": content(zeros_as_spaces(1024 * MIB))})
        build("100 000 parts of 10 KiB", "entries.odt", many_entries(100_000, 10 * 1024))
        spread = many_entries(1024, MIB)
        build("1 024 parts of 1 MiB", "total.odt", spread,
              dict.fromkeys(spread, "application/octet-stream"))
        build("24 MiB of styled paragraphs", "nodes.odt",
              {"content.xml": content(styled_paragraphs(24 * MIB))})
        build("largest accepted content.xml", "largest.odt",
              {"content.xml": content(largest_accepted())})
        signed = root / "largest-signed.odt"
        signed.write_bytes(sign(cases[-1][1].read_bytes()))
        cases.append(("the same, signed", signed))
        build("largest signed content.xml verified", "shared.odt",
              {"content.xml": content(largest_accepted(SIGNATURE_SHARE))})
        signed = root / "shared-signed.odt"
        signed.write_bytes(sign(cases.pop()[1].read_bytes()))
        cases.append(("largest content.xml verified, signed", signed))
        rows = [measure(label, path) for label, path in cases]
    table("conformance odf validate, one child process per document (default limits)",
          ("document", "file MiB", "seconds", "peak RSS MiB", "exit", "class", "first reason"),
          rows)


if __name__ == "__main__":
    main()
