"""A wrapper that puts a fault of the catalogue in front of a real product.

    python -m suites.odf.damage FAULT PATH -- COMMAND…

For a ``saved`` fault, PATH is the output directory: COMMAND (the real producer) runs, then
FAULT damages every ODF file it wrote there. For a ``read`` fault, PATH is the document
COMMAND (the real consumer) is about to read: FAULT damages it first, so what the consumer
shows is what a consumer that misreads the document would show. A document the fault
cannot apply to (a spreadsheet for a heading fault) is left as it is. The exit code is
COMMAND's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from suites.odf.faults import DocumentFault, by_name

ODF_SUFFIXES = {".odt", ".ods", ".odp", ".odg"}


def damage(fault: DocumentFault, path: Path) -> None:
    try:
        damaged = fault.corrupt(path.read_bytes())
    except ValueError as error:  # nothing in this document for the fault to change
        sys.stderr.write(f"{fault.name}: {path.name} left unchanged ({error})\n")
        return
    if damaged is None:
        path.unlink()
    else:
        path.write_bytes(damaged)


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: python -m suites.odf.damage FAULT PATH -- COMMAND...\n")
        return 2
    name, path, command = argv[0], Path(argv[1]), argv[3:]
    try:
        fault = by_name(name)
    except KeyError:
        sys.stderr.write(f"unknown fault {name!r}\n")
        return 2
    if fault.stage == "read":
        if path.is_file():
            damage(fault, path)
        return subprocess.run(command, check=False).returncode
    code = subprocess.run(command, check=False).returncode
    for saved in sorted(path.iterdir()) if path.is_dir() else []:
        if saved.suffix in ODF_SUFFIXES:
            damage(fault, saved)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
