"""An HTTP session that records every exchange as evidence for the running check."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import requests

from conformance.check.deadline import (
    EXCHANGE_DEADLINE_SECONDS,
    EXCHANGE_ENV,
    configured,
    deadline,
)
from conformance.check.evidence import record_response

DEFAULT_TIMEOUT_SECONDS = 15.0


class RecordingSession(requests.Session):
    """A ``requests.Session`` rooted at a base URL whose exchanges become evidence.

    Relative URLs are joined to ``base_url``; every response is recorded into the evidence log
    of the check that is running.
    """

    def __init__(self, base_url: str, auth: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.auth = auth
        self.hooks["response"].append(record_response)
        self.headers["User-Agent"] = "eos-conformance"

    # requests' get() and options() turn redirects on before request() sees them; a check
    # must see the redirect itself (e.g. RFC 6764 discovery), so they default to off here.
    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.request("GET", url, **kwargs)

    def options(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.request("OPTIONS", url, **kwargs)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT_SECONDS)
        kwargs.setdefault("allow_redirects", False)
        target = self.url(url.decode() if isinstance(url, bytes) else url)
        shown = method.decode() if isinstance(method, bytes) else method
        # The timeout above is per read; this bounds the whole exchange, body included.
        limit = configured(EXCHANGE_ENV, EXCHANGE_DEADLINE_SECONDS)
        with deadline(limit, f"{shown} {target}"):
            return super().request(method, target, *args, **kwargs)
