"""Test users for the Matrix checks, made the way the manifest allows: through the spec's own
``POST /register`` with the m.login.dummy stage (``registration = "open"``), or by signing in
with the manifest's ``[accounts.*]`` (``registration = "accounts"``)."""

from __future__ import annotations

from typing import Any

from conformance.api import CandidateContext, RecordingSession, cant_tell
from suites.matrix import mx


class Registrar:
    """Makes signed-in test users the way the manifest says it may."""

    def __init__(self, candidate: CandidateContext, session: RecordingSession,
                 settings: dict[str, Any]) -> None:
        self.candidate = candidate
        self.session = session
        self.mode = str(settings.get("registration", "open"))
        self.accounts_used: set[str] = set()

    def new_user(self, prefix: str = "eos") -> mx.User:
        if self.mode == "open":
            return self.register(mx.unique(prefix), mx.unique("pw-"))
        if self.mode == "accounts":
            for name, account in self.candidate.manifest.accounts.items():
                if name not in self.accounts_used and account.password:
                    self.accounts_used.add(name)
                    return self.login(account.username, account.password)
            cant_tell("the check needs another test user and the manifest gives no more accounts")
        cant_tell(f"[settings.matrix] registration = {self.mode!r} is not 'open' or 'accounts'")

    def require_open(self) -> None:
        if self.mode != "open":
            cant_tell("registration checks need [settings.matrix] registration = 'open'")

    def register(self, username: str, password: str, **extra: Any) -> mx.User:
        request: dict[str, Any] = {"username": username, "password": password, **extra}
        first = mx.call(self.session, "POST", "register", body=request)
        if first.status_code == 200:
            body = first.json()
        else:
            try:
                challenge = first.json()
            except ValueError:
                challenge = {}
            flows = challenge.get("flows") or []
            if first.status_code != 401 or not any(
                    f.get("stages") == ["m.login.dummy"] for f in flows if isinstance(f, dict)):
                cant_tell(f"cannot register a test user: POST /register answered "
                          f"{first.status_code} without an m.login.dummy flow")
            request["auth"] = {"type": "m.login.dummy", "session": challenge.get("session")}
            second = mx.call(self.session, "POST", "register", body=request)
            if second.status_code != 200:
                cant_tell(f"cannot register a test user: {second.status_code} {second.text[:200]}")
            body = second.json()
        if not {"user_id", "access_token", "device_id"} <= set(body):
            cant_tell(f"registration gave no user_id/access_token/device_id: {body}")
        return mx.User(self.session, body["user_id"], password, body["access_token"],
                       body["device_id"])

    def login(self, username: str, password: str, device_id: str | None = None) -> mx.User:
        request: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": username},
            "password": password,
        }
        if device_id:
            request["device_id"] = device_id
        response = mx.call(self.session, "POST", "login", body=request)
        if response.status_code != 200:
            cant_tell(f"cannot sign in {username}: {response.status_code} {response.text[:200]}")
        body = response.json()
        return mx.User(self.session, body["user_id"], password, body["access_token"],
                       body["device_id"])
