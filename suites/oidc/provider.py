"""What the provider publishes, read as the checks need it: the endpoints its discovery
document names and its JWK Set. A check that needs one the provider does not give cannot
tell."""

from __future__ import annotations

from typing import Any

from conformance.api import RecordingSession, cant_tell, inapplicable

DISCOVERY_PATH = ".well-known/openid-configuration"


def endpoint(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value:
        cant_tell(f"the discovery document names no {name}")
    return value


def fetch_jwks(session: RecordingSession, metadata: dict[str, Any]) -> dict[str, Any]:
    """The JWK Set at jwks_uri now; checks that need it cannot tell without it."""
    response = session.get(endpoint(metadata, "jwks_uri"))
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200 or not isinstance(data, dict):
        cant_tell(f"the JWK Set could not be read (HTTP {response.status_code})")
    return data


def absent(settings: dict[str, Any], feature: str) -> None:
    """Inapplicable when the manifest declares ``feature`` absent ([settings.oidc]
    absent_features: dynamic-registration, key-rotation, rp-initiated-logout,
    back-channel-logout)."""
    if feature in (settings.get("absent_features") or []):
        inapplicable(f"the manifest declares {feature} absent ([settings.oidc] "
                     "absent_features)", f"the provider does not implement {feature}")
