"""Secrets never enter evidence: passwords, client secrets, access and refresh tokens are
replaced in JSON bodies, form bodies and URL query strings before anything is kept.

What is redacted is a list of field names (below), matched case-insensitively wherever they
occur; ID tokens are kept, because a buyer needs them to see why a signature check passed.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset(
    {
        "password",
        "new_password",
        "passwd",
        "client_secret",
        "access_token",
        "refresh_token",
        "registration_access_token",
        "device_token",
        "login_token",
        "secret",
    }
)
# For bodies cut short or not parseable: "field": "value" and field=value forms.
_JSON_PAIR = re.compile(
    r'("(?:' + "|".join(sorted(SECRET_FIELDS)) + r')"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|$)', re.IGNORECASE
)
_FORM_PAIR = re.compile(
    r"(?<![\w-])((?:" + "|".join(sorted(SECRET_FIELDS)) + r")=)[^&\s\"']*", re.IGNORECASE
)


def _is_secret(name: str) -> bool:
    return name.lower() in SECRET_FIELDS


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if _is_secret(str(k)) and v not in (None, "") else _redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(item) for item in value]
    return value


def redact_text(text: str) -> str:
    """A body with every secret field's value replaced (JSON, form or plain text)."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            redacted = _redact_json(parsed)
            return text if redacted == parsed else json.dumps(redacted, ensure_ascii=False)
    if "=" in stripped and "\n" not in stripped and " " not in stripped:
        pairs = parse_qsl(stripped, keep_blank_values=True)
        if pairs and any(_is_secret(k) for k, _ in pairs):
            return urlencode([(k, REDACTED if _is_secret(k) else v) for k, v in pairs], safe="[]")
    return _FORM_PAIR.sub(rf"\1{REDACTED}", _JSON_PAIR.sub(rf'\1"{REDACTED}"', text))


def redact_url(url: str) -> str:
    """A URL with secret query (or fragment) parameters replaced."""
    parts = urlsplit(url)
    query, fragment = parts.query, parts.fragment
    if not any(_is_secret(k) for k, _ in parse_qsl(query + "&" + fragment)):
        return url

    def clean(component: str) -> str:
        pairs = parse_qsl(component, keep_blank_values=True)
        return urlencode([(k, REDACTED if _is_secret(k) else v) for k, v in pairs], safe="[]")

    return urlunsplit(parts._replace(query=clean(query), fragment=clean(fragment)))
