"""The Matrix fault catalogue, one list: the first faults and the shared transforms
(faults_base.py), rooms and events (faults_rooms.py), accounts and the rest
(faults_accounts.py). ``conformance faults run matrix --candidate synapse`` proves every one is
caught in front of a real Synapse."""

from __future__ import annotations

from conformance.api import Exemption, Fault
from suites.matrix.faults_accounts import FAULTS as ACCOUNT_FAULTS
from suites.matrix.faults_base import FAULTS as BASE_FAULTS
from suites.matrix.faults_e2ee import EXEMPTIONS as E2EE_EXEMPTIONS
from suites.matrix.faults_e2ee import FAULTS as E2EE_FAULTS
from suites.matrix.faults_federation import EXEMPTIONS as FEDERATION_EXEMPTIONS
from suites.matrix.faults_federation import FAULTS as FEDERATION_FAULTS
from suites.matrix.faults_rooms import FAULTS as ROOM_FAULTS

FAULTS: list[Fault] = [*BASE_FAULTS, *ROOM_FAULTS, *ACCOUNT_FAULTS, *E2EE_FAULTS,
                      *FEDERATION_FAULTS]

# MUST/SHOULD requirements no fault breaks, and why (tests/unit/test_fault_coverage.py):
# each module's EXEMPTIONS, with its reasons.
EXEMPTIONS: dict[str, Exemption] = {**E2EE_EXEMPTIONS, **FEDERATION_EXEMPTIONS}
