"""Reading TOML files and turning validation errors into messages a person can act on."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from conformance.errors import InputError

# Manifests, trust lists, policies and catalogues are a few kilobytes; a bigger file is an
# error, not something to spend minutes and a gigabyte parsing.
MAX_TOML_BYTES = 4 * 1024 * 1024


def read_toml(path: Path, what: str, max_bytes: int = MAX_TOML_BYTES) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"{what} {path}: larger than {max_bytes} bytes")
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(f"{what} {path}: not UTF-8 text ({error.reason} at byte "
                         f"{error.start})") from None
    except FileNotFoundError:
        raise InputError(f"{what} {path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{what} {path}: is a directory, expected a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{what} {path}: not valid TOML: {error}") from None
    except RecursionError:
        raise InputError(f"{what} {path}: nested too deeply") from None
    except OSError as error:
        raise InputError(f"{what} {path}: cannot read: {error.strerror}") from None


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
