"""The suite's whole fault catalogue (``FAULTS``) and its exemptions (``EXEMPTIONS``): the
rules of faults_base.py and the flows, request parameters and logout of faults_flows.py."""

from suites.oidc.faults_base import EXEMPTIONS
from suites.oidc.faults_base import FAULTS as BASE_FAULTS
from suites.oidc.faults_flows import FLOW_FAULTS

FAULTS = [*BASE_FAULTS, *FLOW_FAULTS]

__all__ = ["EXEMPTIONS", "FAULTS"]
