"""Errors the harness reports to a person, each with its exit code.

Anything raised as a ``ConformanceError`` is printed as a one-paragraph message, never as a
traceback.
"""


class ConformanceError(Exception):
    """Base class: a problem to report plainly, with an exit code."""

    exit_code = 2


class InputError(ConformanceError):
    """Bad usage or input: a manifest, a catalogue, an option (exit code 2)."""

    exit_code = 2


class CandidateError(ConformanceError):
    """The candidate could not be started, never became ready, or died (exit code 3)."""

    exit_code = 3


# Exit codes of a run, documented in the README.
EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INPUT = 2
EXIT_CANDIDATE = 3
# A campaign with a shard that could not be run (its workers kept dying, say).
EXIT_INCOMPLETE = 4
EXIT_INTERRUPTED = 130
