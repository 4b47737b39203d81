"""A proxy transform that serves inline ordered collections as chains of
OrderedCollectionPages (Activity Streams 2.0 Core §5), so the checks' paging code meets a real
candidate's collections split into pages.

The collection answer keeps its id and totalItems but links ``first`` instead of listing
``orderedItems``; the pages (``?eos-page=N``) are answered by the proxy itself from the
collection it last passed on. ``broken_chain`` makes the first page's ``next`` lead nowhere,
and for collections the candidate pages itself (bovine does from ten items on) the link to
the first page.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from conformance.api import ProxyRequest, ProxyResponse

PAGE_PARAMETER = "eos-page"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def _page_url(collection_id: str, number: int | str) -> str:
    joiner = "&" if "?" in collection_id else "?"
    return f"{collection_id}{joiner}{PAGE_PARAMETER}={number}"


class Pager:
    def __init__(self, page_size: int = 1, broken_chain: bool = False) -> None:
        self.page_size = page_size
        self.broken_chain = broken_chain
        self.pages_served = 0
        self._collections: dict[str, tuple[str, list[Any]]] = {}  # path -> (id, items)
        self._lock = threading.Lock()

    def on_request(self, request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        number = request.query.get(PAGE_PARAMETER)
        if request.method != "GET" or not number:
            return request
        with self._lock:
            known = self._collections.get(request.path_only)
        if known is None or not number.isdigit():
            return ProxyResponse.from_json(404, {"error": "no such page"})
        return self._page(known[0], known[1], int(number))

    def _page(self, collection_id: str, items: list[Any], number: int) -> ProxyResponse:
        start = number * self.page_size
        page: dict[str, Any] = {
            "@context": AS_CONTEXT, "id": _page_url(collection_id, number),
            "type": "OrderedCollectionPage", "partOf": collection_id,
            "orderedItems": items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            following = "missing" if self.broken_chain and number == 0 else number + 1
            page["next"] = _page_url(collection_id, following)
        with self._lock:
            self.pages_served += 1
        return ProxyResponse.from_json(200, page, "application/activity+json")

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method != "GET":
            return response
        document = response.json_object()
        if document is None or not isinstance(document.get("id"), str):
            return response
        if self.broken_chain and not isinstance(document.get("orderedItems"), list):
            return self._break_own_paging(response, document)
        if document.get("type") != "OrderedCollection" \
                or not isinstance(document.get("orderedItems"), list):
            return response
        items = document.pop("orderedItems")
        with self._lock:
            self._collections[urlsplit(document["id"]).path] = (document["id"], items)
        document["totalItems"] = len(items)
        document["first"] = _page_url(document["id"], 0)
        return response.with_json(document)

    def _break_own_paging(self, response: ProxyResponse, document: dict[str, Any]
                          ) -> ProxyResponse:
        """A collection the candidate pages itself: its first-page link (or a page's next)
        leads to a page that answers 404."""
        if document.get("type") == "OrderedCollection" and document.get("first") is not None:
            document["first"] = _page_url(document["id"], "missing")
        elif document.get("type") == "OrderedCollectionPage" and document.get("next"):
            document["next"] = _page_url(document["id"], "missing")
        else:
            return response
        return response.with_json(document)
