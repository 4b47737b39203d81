"""Shared by every test of the harness itself."""

pytest_plugins = ["tests.ci_skips"]
