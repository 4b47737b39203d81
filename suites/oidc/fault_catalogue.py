"""The suite's whole fault catalogue: ``faults.py`` and ``faults_flows.py``."""

from suites.oidc.faults import FAULTS as BASE_FAULTS
from suites.oidc.faults_flows import FLOW_FAULTS

FAULTS = [*BASE_FAULTS, *FLOW_FAULTS]
