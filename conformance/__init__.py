"""The European Open Standard conformance harness.

The core knows no standard by name: suites live under ``suites/`` and use only the public
API re-exported here.
"""

from conformance.check.evidence import EvidenceLog, current_evidence, record_response
from conformance.check.http import RecordingSession
from conformance.check.observations import observe
from conformance.check.verdicts import (
    CantTell,
    CheckFailure,
    cant_tell,
    expect,
    expect_equal,
    expect_in,
)

__version__ = "0.1.0"

__all__ = [
    "CantTell",
    "CheckFailure",
    "EvidenceLog",
    "RecordingSession",
    "__version__",
    "cant_tell",
    "current_evidence",
    "expect",
    "expect_equal",
    "expect_in",
    "observe",
    "record_response",
]
