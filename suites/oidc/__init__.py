"""The OpenID Connect OP suite: Core 1.0, Discovery 1.0, Dynamic Client Registration 1.0,
RFC 6749, RFC 6750, RFC 7636, RFC 7517 and RFC 7519."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from conformance.api import SuiteDeclaration


class OIDCSettings(BaseModel):
    """``[settings.oidc]`` of a candidate manifest."""

    model_config = ConfigDict(extra="forbid")
    account: str = "primary"
    # Scope -> the claims the provider releases for it.
    scopes: dict[str, list[str]] = Field(default_factory=dict)
    # Command that rotates the provider's signing keys, and how long a rotation may take.
    rotate_keys: list[str] | None = None
    rotation_timeout: float | None = Field(default=None, gt=0)
    # Pre-registered clients by role (basic, post, …): client_id, client_secret, redirect_uris…
    clients: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The provider's login and consent forms, in the order they appear.
    interaction: list[dict[str, Any]] = Field(default_factory=list)
    # Optional features the provider does not implement (rp-initiated-logout,
    # back-channel-logout): their requirements are inapplicable, on this declaration.
    absent_features: list[str] = Field(default_factory=list)


SUITE = SuiteDeclaration(
    faults="faults:FAULTS", exemptions="faults:EXEMPTIONS", settings=OIDCSettings
)
