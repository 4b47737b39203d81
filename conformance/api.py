"""The one module a suite imports: everything the core offers to checks, faults and suite
commands. Anything not re-exported here is the core's own business and may change.

A unit test (tests/unit/test_architecture.py) fails when a module under ``suites/`` imports
anything else from ``conformance``.
"""

from conformance.candidate.context import CandidateContext
from conformance.check.commands import CommandRun, run_template, working_directory
from conformance.check.evidence import (
    EvidenceLog,
    HttpExchange,
    current_evidence,
    excerpt,
    record_response,
    relevant_headers,
)
from conformance.check.http import RecordingSession
from conformance.check.observations import observe
from conformance.check.verdicts import (
    CantTell,
    CheckFailure,
    NotApplicable,
    cant_tell,
    expect,
    expect_equal,
    expect_in,
    inapplicable,
)
from conformance.errors import ConformanceError, InputError
from conformance.suite.campaign_hooks import CampaignCandidate, load_candidate, started_candidate
from conformance.suite.contract import SuiteDeclaration
from conformance.suite.faults import (
    Exemption,
    Fault,
    FaultProxy,
    ProxyRequest,
    ProxyResponse,
    RequestHook,
    ResponseHook,
    active_fault,
)

__all__ = [
    "CampaignCandidate",
    "CandidateContext",
    "CantTell",
    "CheckFailure",
    "CommandRun",
    "ConformanceError",
    "EvidenceLog",
    "Exemption",
    "Fault",
    "FaultProxy",
    "HttpExchange",
    "InputError",
    "NotApplicable",
    "ProxyRequest",
    "ProxyResponse",
    "RecordingSession",
    "RequestHook",
    "ResponseHook",
    "SuiteDeclaration",
    "active_fault",
    "cant_tell",
    "current_evidence",
    "excerpt",
    "expect",
    "expect_equal",
    "expect_in",
    "inapplicable",
    "load_candidate",
    "observe",
    "record_response",
    "relevant_headers",
    "run_template",
    "started_candidate",
    "working_directory",
]
