"""Reading TOML files and turning validation errors into messages a person can act on."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from conformance.errors import InputError


def read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"{what} {path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{what} {path}: is a directory, expected a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{what} {path}: not valid TOML: {error}") from None


def describe_validation_error(
    path: Path, what: str, error: ValidationError, prefix: str = ""
) -> str:
    lines = [f"{what} {path} is invalid:"]
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        if prefix:
            location = f"{prefix}.{location}" if location else prefix
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"  field '{location or '(top level)'}': {problem['msg']}{shown}")
    return "\n".join(lines)
