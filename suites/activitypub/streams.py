"""Reading Activity Streams 2.0 values as checks meet them: the Public collection in its
forms, IRIs given as strings or as objects with an id, and properties with one value or a
list."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_FORMS = {PUBLIC, "as:Public", "Public"}


def url_of(value: Any) -> str | None:
    """An IRI given as a string or as an object with an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def http_url(value: Any) -> str | None:
    """An absolute http(s) URL given as a string or as an object with an id; an empty string,
    a relative reference or another scheme is not one (a property "present" as "" is absent)."""
    url = url_of(value)
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def ids_of(values: list[Any]) -> list[str]:
    """The ids of a collection's items (IRIs or embedded objects), in order, repeats kept."""
    return [i for i in (url_of(v) for v in values) if i is not None]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def refers_to(value: Any, activity_id: str) -> bool:
    return url_of(value) == activity_id
