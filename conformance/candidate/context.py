"""What a check sees of the candidate: endpoints, accounts, suite settings, HTTP sessions."""

from __future__ import annotations

from typing import Any

from conformance.candidate.launchers.base import RunningCandidate
from conformance.candidate.manifest import Account, Manifest
from conformance.check.http import RecordingSession
from conformance.check.verdicts import cant_tell


class CandidateContext:
    def __init__(self, manifest: Manifest, running: RunningCandidate) -> None:
        self.manifest = manifest
        self.running = running

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def endpoint(self, name: str) -> str:
        if name not in self.running.endpoints:
            cant_tell(f"the candidate manifest declares no endpoint {name!r}")
        return self.running.endpoints[name]

    def account(self, name: str) -> Account:
        if name not in self.manifest.accounts:
            cant_tell(f"the candidate manifest declares no account {name!r}")
        return self.manifest.accounts[name]

    def has_account(self, name: str) -> bool:
        return name in self.manifest.accounts

    def settings(self, standard: str) -> dict[str, Any]:
        return dict(self.manifest.settings.get(standard, {}))

    def session(self, account: str | None = None, endpoint: str = "base") -> RecordingSession:
        """A recording HTTP session, authenticated as ``account`` when it has a password."""
        auth = None
        if account is not None:
            declared = self.account(account)
            if declared.password is not None:
                auth = (declared.username, declared.password)
        return RecordingSession(self.endpoint(endpoint), auth=auth)
