"""A producer wrapper that damages what a real producer saved: the fault catalogue in front
of a real candidate.

    python -m suites.odf.damage FAULT OUTDIR -- COMMAND…

runs COMMAND (the real producer), then applies FAULT to every ODF file it wrote into OUTDIR.
The exit code is the producer's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from suites.odf.faults import by_name

ODF_SUFFIXES = {".odt", ".ods", ".odp", ".odg"}


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: python -m suites.odf.damage FAULT OUTDIR -- COMMAND...\n")
        return 2
    name, outdir, command = argv[0], Path(argv[1]), argv[3:]
    try:
        fault = by_name(name)
    except KeyError:
        sys.stderr.write(f"unknown fault {name!r}\n")
        return 2
    code = subprocess.run(command, check=False).returncode
    for path in sorted(outdir.iterdir()) if outdir.is_dir() else []:
        if path.suffix in ODF_SUFFIXES:
            path.write_bytes(fault.corrupt(path.read_bytes()))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
