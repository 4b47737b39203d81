"""Session fixtures of the federation checks: one harness homeserver per test session (so
every federation check module shares it) and a federation client signed as it. Imported by
each ``checks/test_federation_*.py``; the server itself is made once per process."""

from __future__ import annotations

import atexit
import threading
from typing import Any

import pytest

from conformance.api import CandidateContext, RecordingSession, active_fault, cant_tell
from suites.matrix import mx
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.server import HarnessHomeserver

_made: dict[str, Any] = {}
_lock = threading.Lock()


def _shared(candidate: CandidateContext, alice: mx.User) -> tuple[HarnessHomeserver,
                                                                   FederationClient]:
    with _lock:
        if "harness" not in _made:
            from suites.matrix.faults import FAULTS

            fault = active_fault(FAULTS)
            session: RecordingSession = candidate.session(None)
            holder: dict[str, FederationClient] = {}
            destination = alice.server_name

            def keys_of(origin: str) -> dict[str, Any]:
                if origin != destination:
                    raise LookupError(f"{origin} is not the candidate ({destination})")
                return holder["client"].candidate_keys()

            harness = HarnessHomeserver(
                keys_of, fault.inbound if fault is not None else None).start()
            holder["client"] = FederationClient(session, harness.identity, destination)
            atexit.register(harness.stop)
            _made["harness"] = harness
            _made["client"] = holder["client"]
        return _made["harness"], _made["client"]


@pytest.fixture(scope="session")
def harness(candidate: CandidateContext, alice: mx.User) -> HarnessHomeserver:
    """The harness homeserver, named 127.0.0.1:PORT (test mode federation-loopback)."""
    return _shared(candidate, alice)[0]


@pytest.fixture(scope="session")
def fed(candidate: CandidateContext, alice: mx.User) -> FederationClient:
    """Signed Server-Server requests from the harness homeserver to the candidate."""
    client = _shared(candidate, alice)[1]
    # Every signed request needs the candidate to have fetched the harness's key first; a
    # candidate that cannot reach the harness cannot be tested over federation at all.
    response = client.request("GET", "/_matrix/federation/v1/version")
    if response.status_code == 401:
        cant_tell("the candidate refuses the harness homeserver's signed requests "
                  f"({response.text[:200]}); can it reach https://{client.identity.server_name}"
                  "/_matrix/key/v2/server? (test mode federation-loopback)")
    return client
