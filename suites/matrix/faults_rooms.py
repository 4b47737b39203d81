"""More faults of the Matrix catalogue (see faults.py for the shared transforms)."""

from __future__ import annotations

from conformance.api import Fault

FAULTS: list[Fault] = []
