"""Client flows through matrix-nio, a real Matrix client library, with its exchanges recorded
as evidence like the raw requests' (method, URL, status and the JSON answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from nio import AsyncClient, AsyncClientConfig

from conformance.api import HttpExchange, current_evidence, excerpt, relevant_headers
from suites.matrix import mx

T = TypeVar("T")


class NioClient:
    """One nio client signed in with a test user's access token, on its own event loop."""

    def __init__(self, base_url: str, user: mx.User) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = AsyncClient(base_url.rstrip("/"), user.user_id, device_id=user.device_id,
                                  config=AsyncClientConfig(store_sync_tokens=False,
                                                           encryption_enabled=False))
        self.client.access_token = user.access_token
        self.client.user_id = user.user_id

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        result = self.loop.run_until_complete(coroutine)
        self._record(result)
        return result

    def _record(self, result: Any) -> None:
        log = current_evidence()
        transport = getattr(result, "transport_response", None)
        if log is None or transport is None:
            return
        body = getattr(transport, "_body", None)
        log.add_exchange(HttpExchange(
            method=str(transport.method), url=str(transport.url).split("?")[0],
            request_headers={}, request_body="(sent by matrix-nio)",
            status=int(transport.status), reason=str(transport.reason or ""),
            response_headers=relevant_headers(transport.headers),
            response_body=excerpt(body), elapsed_ms=0.0))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()
