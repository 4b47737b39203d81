"""The ActivityPub suite: server-to-server federation with WebFinger and HTTP Signatures."""

from pydantic import BaseModel, ConfigDict, Field

from conformance.api import SuiteDeclaration


class ActivityPubSettings(BaseModel):
    """``[settings.activitypub]`` of a candidate manifest."""

    model_config = ConfigDict(extra="forbid")
    account: str = "primary"
    # How the harness acts as the candidate's own user (client-to-server); {actor} is its id.
    client_headers: dict[str, str] = Field(default_factory=dict)
    # The candidate accepts follows only when its user accepts them through the outbox.
    accept_follows_via_outbox: bool = False
    delivery_timeout: float = Field(default=10, gt=0)
    # How the candidate authorises its own client's requests (ActivityPub §6 leaves it open),
    # in words for the report: e.g. "OAuth 2.0 bearer token" or a front proxy's header.
    c2s_authorisation: str = ""


SUITE = SuiteDeclaration(
    faults="faults:FAULTS", exemptions="faults:EXEMPTIONS", settings=ActivityPubSettings
)
