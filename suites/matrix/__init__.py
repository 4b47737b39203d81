"""The Matrix suite: the Client-Server API of a homeserver."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conformance.api import SuiteDeclaration


class MatrixSettings(BaseModel):
    """``[settings.matrix]`` of a candidate manifest."""

    model_config = ConfigDict(extra="forbid")
    # How test users are created (open: POST /register with m.login.dummy).
    registration: str = "open"
    # A request the candidate is configured to rate-limit soon, and how often to send it.
    rate_limit_probe: Literal["failed-login"] | None = None
    rate_limit_attempts: int = Field(default=8, ge=1, le=1000)


SUITE = SuiteDeclaration(
    faults="faults:FAULTS",
    exemptions="faults:EXEMPTIONS",
    settings=MatrixSettings,
)
