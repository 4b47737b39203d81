"""ODF validation throughput and the ODF suite's wall time per reference producer.

    CONFORMANCE_ODF_SCHEMAS=../shared/odf-schemas .venv/bin/python bench/odf_validate.py

(``--no-suite`` leaves out the suite timings.)

Prints two tables: documents validated per second (every rule, encryption and signature
check included; schemas compiled once, as in a run) over the generated corpus of every
document type (text, spreadsheet, presentation, drawing, embedded chart, flat XML), over
LibreOffice's saved copies of it, and over password-encrypted copies (the suite's
encryption, PBKDF2 with LibreOffice's 100 000 iterations: key stretching is slow by
design); then the wall time of ``pytest suites/odf`` for each bundled ODF candidate.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from suites.odf.corpus import build_corpus  # noqa: E402
from suites.odf.corpus_types import build_type_corpus  # noqa: E402
from suites.odf.encryption import encrypt_package  # noqa: E402
from suites.odf.schemas import SchemaSource, compiled  # noqa: E402
from suites.odf.validate import validate_bytes  # noqa: E402

CANDIDATES = ("libreoffice", "pandoc", "abiword", "gnumeric")
ROUNDS = 20


PASSWORD = "bench-only-password"


def throughput(name: str, documents: list[bytes], source: SchemaSource,
               rounds: int = ROUNDS) -> tuple[str, ...]:
    began = time.perf_counter()
    for _ in range(rounds):
        for data in documents:
            result = validate_bytes(data, name, source, password=PASSWORD)
            assert not result.refused, result.refused
    elapsed = time.perf_counter() - began
    count = rounds * len(documents)
    size = sum(len(d) for d in documents) / len(documents) / 1024
    return (name, str(count), f"{size:.1f}", f"{elapsed:.2f}", f"{count / elapsed:.1f}")


def _encrypted(data: bytes) -> bytes:
    """As LibreOffice encrypts (AES-256-CBC, PBKDF2-SHA1 100 000 rounds, SHA-256 1K)."""
    return encrypt_package(data, PASSWORD, iterations=100_000)


def libreoffice_copies(documents: dict[str, bytes]) -> list[bytes]:
    if shutil.which("soffice") is None:
        return []
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        for name, data in documents.items():
            (base / name).write_bytes(data)
        for name in documents:
            extension = name.rsplit(".", 1)[1]
            subprocess.run(["soffice", f"-env:UserInstallation=file://{base}/profile",
                            "--headless", "--convert-to", extension, "--outdir",
                            str(base / "out"), str(base / name)],
                           capture_output=True, timeout=180, check=False)
        return [p.read_bytes() for p in sorted((base / "out").glob("*")) if p.is_file()]


def suite_time(candidate: str) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory() as root:
        began = time.perf_counter()
        answer = subprocess.run(
            [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "odf"), "--candidate",
             candidate, "--output-root", root, "--campaign", "bench", "-q", "-p",
             "no:cacheprovider", "--seed", "1"],
            capture_output=True, text=True, cwd=PROJECT, check=False,
        )
        elapsed = time.perf_counter() - began
    tail = [line for line in answer.stdout.splitlines() if " in " in line and "passed" in line]
    summary = tail[-1].strip("= ") if tail else f"exit {answer.returncode}"
    return (candidate, f"{elapsed:.1f}", summary)


def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    source = SchemaSource()
    began = time.perf_counter()
    for version in ("1.2", "1.3", "1.4"):
        compiled(source, version, "schema")
        compiled(source, version, "manifest-schema")
    compile_seconds = time.perf_counter() - began
    corpus = [*build_corpus(1), *build_type_corpus()]
    generated = {f"{d.name}.{d.extension}": d.data for d in corpus}
    rows = [throughput("generated corpus (odfpy), every type", list(generated.values()),
                       source)]
    saved = libreoffice_copies(generated)
    if saved:
        rows.append(throughput("saved by LibreOffice, every type", saved, source))
        packages = [d for d in saved if d.startswith(b"PK")]
        rows.append(throughput("saved by LibreOffice, encrypted (100 000 PBKDF2 rounds)",
                               [_encrypted(d) for d in packages[:3]], source, rounds=2))
    table(f"ODF validation throughput (schemas 1.2-1.4 compiled once in {compile_seconds:.2f} s)",
          ("documents", "validations", "mean KiB", "seconds", "documents/s"), rows)
    if "--no-suite" not in sys.argv:
        shared = PROJECT.parent / "shared" / "odf-schemas"
        os.environ.setdefault("CONFORMANCE_ODF_SCHEMAS", str(shared))
        table("ODF suite wall time per producer (pytest suites/odf, one process each)",
              ("candidate", "seconds", "pytest summary"), [suite_time(c) for c in CANDIDATES])


if __name__ == "__main__":
    main()
