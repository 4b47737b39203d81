"""The endpoint launcher: the candidate already runs somewhere; nothing to start."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from conformance.candidate.launchers.base import Launcher, ReadinessProbe, RunningCandidate


class EndpointSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ready: ReadinessProbe = ReadinessProbe(timeout=10)
    # Placeholder values for commands a suite runs against the running candidate (say, where
    # it keeps its files), since no launcher of the harness knows them.
    values: dict[str, str] = Field(default_factory=dict)


class EndpointLauncher(Launcher):
    kind: ClassVar[str] = "endpoint"
    Settings: ClassVar[type[BaseModel]] = EndpointSettings

    def start(self) -> RunningCandidate:
        settings = self.settings
        assert isinstance(settings, EndpointSettings)
        self.template_values = dict(settings.values)
        endpoints = self.expand_endpoints()
        self.wait_until_ready(endpoints, settings.ready)
        return RunningCandidate(endpoints, self)

    def stop(self) -> None:
        """Nothing to stop: the endpoint is someone else's."""

    def start_parameters(self) -> dict[str, object]:
        return {"kind": self.kind, "endpoints": self.expand_endpoints()}
