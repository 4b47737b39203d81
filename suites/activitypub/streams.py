"""Reading Activity Streams 2.0 values as checks meet them: the Public collection in its
forms, IRIs given as strings or as objects with an id, and properties with one value or a
list."""

from __future__ import annotations

from typing import Any

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_FORMS = {PUBLIC, "as:Public", "Public"}


def url_of(value: Any) -> str | None:
    """An IRI given as a string or as an object with an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def refers_to(value: Any, activity_id: str) -> bool:
    return url_of(value) == activity_id
