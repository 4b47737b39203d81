"""The European Open Standard conformance harness.

The core knows no standard by name: suites live under ``suites/`` and import only
``conformance.api``. docs/architecture.md shows what each package owns.
"""

__version__ = "0.1.0"
