"""The Jinja environment shared by every page, and the page's inline assets and CSP."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from conformance import __version__


def asset(name: str) -> str:
    return files("conformance.html").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def when(value: datetime | str | None) -> str:
    """A moment as people read it: 2026-01-01 10:00 UTC."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | str | None) -> str:
    text = when(value)
    return text[:10] if text != "—" else text


def anchor(text: str) -> str:
    """An id attribute value for a requirement or spec id, readable and unique per page."""
    return "req-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("conformance.html", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["anchor"] = anchor
    return env


def render(template: str, script: str | None = None, **context: Any) -> str:
    """Render a page with the shared stylesheet (and an optional script) inline.

    The Content-Security-Policy allows only these exact inline blocks (by hash), so even a
    string that escaped escaping could not run or load anything.
    """
    style = asset("style.css")
    code = asset(script) if script else ""
    policy = [
        "default-src 'none'",
        f"style-src {_csp_hash(style)}",
        f"script-src {_csp_hash(code)}" if code else "script-src 'none'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    return (
        environment()
        .get_template(template)
        .render(
            style=Markup(style),
            script=Markup(code),
            csp="; ".join(policy),
            harness_version=__version__,
            generated=datetime.now(UTC),
            **context,
        )
    )
