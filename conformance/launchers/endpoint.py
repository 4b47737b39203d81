"""The endpoint launcher: the candidate already runs somewhere; nothing to start."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from conformance.launchers.base import Launcher, ReadinessProbe, RunningCandidate


class EndpointSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ready: ReadinessProbe = ReadinessProbe(timeout=10)


class EndpointLauncher(Launcher):
    kind: ClassVar[str] = "endpoint"
    Settings: ClassVar[type[BaseModel]] = EndpointSettings

    def start(self) -> RunningCandidate:
        endpoints = self.expand_endpoints()
        settings = self.settings
        assert isinstance(settings, EndpointSettings)
        self.wait_until_ready(endpoints, settings.ready)
        return RunningCandidate(endpoints, self)

    def stop(self) -> None:
        """Nothing to stop: the endpoint is someone else's."""

    def start_parameters(self) -> dict[str, object]:
        return {"kind": self.kind, "endpoints": self.expand_endpoints()}
