"""Faults of the Server-Server API (profile matrix-federation). Two kinds:

- in front of the candidate: the fault proxy rewrites what the candidate answers the harness
  homeserver (its keys, make_join templates, send_join answers, auth errors), or answers for
  it where a server that skips a check would have said yes;
- on the way back (``inbound``): the harness homeserver applies the fault's hooks to the
  candidate's own requests (its transactions, invites, signatures) before reading them, as a
  candidate sending them so would.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from conformance.api import Exemption, Fault, ProxyRequest, ProxyResponse
from suites.matrix.faults_base import _edit_json, _path_has

FED = "/_matrix/federation/"


def _inbound(name: str, edit: Callable[[Any], Any], fragment: str) -> Fault:
    """An inbound fault: the candidate's requests whose path has ``fragment``, body edited."""

    def hook(request: ProxyRequest) -> ProxyRequest:
        body = request.json()
        if fragment not in request.path_only or not isinstance(body, dict):
            return request
        return request.with_json(edit(copy.deepcopy(body)))

    return Fault(name=f"{name}-inbound", description="inbound", breaks=(), on_request=hook)


def _each_pdu(edit: Callable[[dict[str, Any]], Any]) -> Callable[[Any], Any]:
    def apply(body: Any) -> Any:
        pdus = [p for p in body.get("pdus", []) if isinstance(p, dict)]
        body["pdus"] = [q for q in (edit(p) for p in pdus) if q is not None]
        return body

    return apply


def _rename_key_ids(body: Any) -> Any:
    body["verify_keys"] = {k.replace(":", ":bad-", 1) + ".x": v
                           for k, v in body.get("verify_keys", {}).items()}
    return body


def _other_server_name(body: Any) -> Any:
    body["server_name"] = "elsewhere.example.org"
    return body


def _unsigned(body: Any) -> Any:
    body.pop("signatures", None)
    return body


def _expired(body: Any) -> Any:
    body["valid_until_ts"] = int(time.time() * 1000) - 3600_000
    return body


def _notary_keys_changed(body: Any) -> Any:
    for document in body.get("server_keys", []):
        for value in document.get("verify_keys", {}).values():
            value["key"] = "A" * 43
    return body


def _notary_signature_dropped(origin: str = "eos.test") -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        for document in body.get("server_keys", []):
            signatures = document.get("signatures", {})
            for server in list(signatures):
                if server != document.get("server_name"):
                    del signatures[server]
        return body

    return edit


def _version_as_number(body: Any) -> Any:
    body.setdefault("server", {})["version"] = 1
    return body


def _accept_if(unsigned: bool) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    """A candidate that skips authentication: its 401s become answers (an empty object)."""

    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not request.path_only.startswith(FED) or response.status != 401:
            return response
        has_header = (request.header("Authorization") or "").startswith("X-Matrix")
        return ProxyResponse.from_json(200, {}) if has_header != unsigned else response

    return hook


def _destination_ignored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    header = request.header("Authorization") or ""
    if 'destination="' in header and 'destination="eos.test"' not in header:
        return ProxyResponse.from_json(200, {})
    return request


def _unauthorized_as_forbidden(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if response.status != 401 or not body or body.get("errcode") != "M_UNAUTHORIZED":
        return response
    return response.with_status(403).with_json(dict(body, errcode="M_FORBIDDEN"))


def _template_for_other_user(body: Any) -> Any:
    event = body.get("event", {})
    event["state_key"] = "@someone:elsewhere.example.org"
    return body


def _incompatible_as_forbidden(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if "/make_join/" not in request.path_only or not body or body.get(
            "errcode") != "M_INCOMPATIBLE_ROOM_VERSION":
        return response
    return response.with_status(403).with_json({"errcode": "M_FORBIDDEN", "error": "no"})


def _drop_auth_chain(body: Any) -> Any:
    if isinstance(body, dict):
        body.pop("auth_chain", None)
    return body


def _state_tampered(body: Any) -> Any:
    # The resident server's own PDUs altered after signing (a join_rules event re-served).
    for event in body.get("state", []) if isinstance(body, dict) else []:
        if event.get("type") == "m.room.join_rules":
            event["content"] = dict(event.get("content", {}), join_rule="knock")
    return body


def _v1_unwrapped(body: Any) -> Any:
    return body[1] if isinstance(body, list) and len(body) == 2 else body


def _v1_shape(body: Any) -> Any:
    return [200, body]


def _remote_member_absent(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if "/state/m.room.member/" in request.path_only and "%3A127.0.0.1" in request.path_only:
        return ProxyResponse.from_json(404, {"errcode": "M_NOT_FOUND", "error": "no state"})
    return request


def _drop_messages(pdu: dict[str, Any]) -> dict[str, Any] | None:
    return None if pdu.get("type") == "m.room.message" else pdu


def _wrong_hash(pdu: dict[str, Any]) -> dict[str, Any]:
    pdu["hashes"] = {"sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"}
    return pdu


def _no_signatures(pdu: dict[str, Any]) -> dict[str, Any]:
    pdu["signatures"] = {}
    return pdu


def _stale_prev(pdu: dict[str, Any]) -> dict[str, Any]:
    pdu["prev_events"] = list(pdu.get("auth_events", []))[:1]
    return pdu


def _drop_top(key: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        body.pop(key, None)
        return body

    return edit


def _invitee_not_signed(body: Any) -> Any:
    signatures = body.get("event", {}).get("signatures", {})
    signatures.pop("eos.test", None)
    return body


def _is(fragment: str, method: str | None = None) -> Callable[[ProxyRequest], bool]:
    return _path_has(fragment, method)


def _outbound_unsigned(request: ProxyRequest) -> ProxyRequest:
    return request.without_header("Authorization")



# --- what the candidate serves other servers ---------------------------------------------

def _other_pdu(body: Any) -> Any:
    for pdu in body.get("pdus", []):
        pdu["origin_server_ts"] = int(pdu.get("origin_server_ts", 0)) + 1
    return body


def _drop_last(key: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        if isinstance(body.get(key), list) and body[key]:
            body[key] = body[key][:-1]
        return body

    return edit


def _drop_messages_from(key: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        body[key] = [p for p in body.get(key, []) if p.get("type") != "m.room.message"]
        return body

    return edit


def _status_to(fragments: str | tuple[str, ...], old: int, new: int, body: Any) -> Callable[
        [ProxyRequest, ProxyResponse], ProxyResponse]:
    wanted = (fragments,) if isinstance(fragments, str) else fragments

    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not any(f in request.path_only for f in wanted) or response.status != old:
            return response
        return ProxyResponse.from_json(new, body)

    return hook


def _set(key: str, value: Any) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        body[key] = value
        return body

    return edit


def _field_ignored(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if "/query/profile" not in request.path_only or "field" not in request.query or not body:
        return response
    return response.with_json(dict(body, avatar_url="mxc://eos.test/avatar"))


def _device_keys_unsigned(body: Any) -> Any:
    for device in body.get("devices", []):
        device.get("keys", {}).pop("signatures", None)
    return body


def _queried_keys_unsigned(body: Any) -> Any:
    for devices in body.get("device_keys", {}).values():
        for keys in devices.values():
            keys.pop("signatures", None)
    return body


def _rooms_without_counts(body: Any) -> Any:
    for entry in body.get("chunk", []):
        entry.pop("num_joined_members", None)
    return body


# --- PDUs the harness sends: a candidate that does not check them -------------------------

class _Unchecked:
    """Remembers every PDU the harness sends and answers local clients as a candidate that
    stored them unchecked would (``mode`` says which check it skips)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.pdus: dict[str, dict[str, Any]] = {}

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = request.json_object()
        if request.method == "PUT" and "/federation/v1/send/" in request.path_only and body:
            from suites.matrix.federation.events import event_id

            for pdu in body.get("pdus", []):
                if isinstance(pdu, dict):
                    self.pdus[event_id(pdu, "11")] = pdu
        return request

    def _client_event(self, event_id: str) -> dict[str, Any]:
        pdu = self.pdus[event_id]
        keys = ("type", "room_id", "sender", "content", "origin_server_ts", "state_key")
        return dict({k: pdu[k] for k in keys if k in pdu}, event_id=event_id)

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        path = unquote(request.path_only)
        if not path.startswith("/_matrix/client/"):
            return response
        if "/event/" in path and request.method == "GET":
            wanted = path.rsplit("/event/", 1)[1]
            if wanted in self.pdus:
                if self.mode == "served" and response.status == 404:
                    return ProxyResponse.from_json(200, self._client_event(wanted))
                if self.mode == "lost" and response.status == 200:
                    return ProxyResponse.from_json(404, {"errcode": "M_NOT_FOUND",
                                                         "error": "Event not found."})
                if self.mode == "hash" and response.status == 200:
                    return ProxyResponse.from_json(200, self._client_event(wanted))
        if self.mode == "power" and path.endswith("/state/m.room.power_levels/"):
            room = path.split("/rooms/", 1)[1].split("/", 1)[0]
            forged = [p for p in self.pdus.values() if p.get("room_id") == room
                      and p.get("type") == "m.room.power_levels"]
            if forged:
                return ProxyResponse.from_json(200, forged[-1].get("content", {}))
        body = response.json_object()
        if self.mode == "soft" and path.endswith("/messages") and body:
            room = path.split("/rooms/", 1)[1].split("/", 1)[0]
            shown = {e.get("event_id") for e in body.get("chunk", [])}
            extra = [self._client_event(i) for i, p in self.pdus.items()
                     if p.get("room_id") == room and i not in shown
                     and p.get("type") == "m.room.message"]
            return response.with_json(dict(body, chunk=[*extra, *body.get("chunk", [])]))
        return response


def _unchecked(name: str, description: str, breaks: tuple[str, ...], mode: str) -> Fault:
    state = _Unchecked(mode)
    return Fault(name, description, breaks, on_request=state.on_request,
                 on_response=state.on_response)


def _results_empty(body: Any) -> Any:
    body["pdus"] = {}
    return body


def _never_ask(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if "/get_missing_events/" in request.path_only:
        return ProxyResponse.from_json(404, {"errcode": "M_NOT_FOUND", "error": "dropped"})
    return request



# --- ephemeral data -------------------------------------------------------------------------

def _remote(user: Any) -> bool:
    return isinstance(user, str) and ":127.0.0.1:" in user


def _sync_without_remote(kind: str) -> Callable[[Any], Any]:
    """/sync as a server that never applies other servers' EDUs of ``kind`` would answer."""

    def edit(body: Any) -> Any:
        if kind == "to_device":
            events = body.get("to_device", {}).get("events", [])
            body.get("to_device", {})["events"] = [
                e for e in events if not _remote(e.get("sender"))]
            return body
        for room in body.get("rooms", {}).get("join", {}).values():
            for event in room.get("ephemeral", {}).get("events", []):
                content = event.get("content", {})
                if kind == "m.typing" and event.get("type") == kind:
                    content["user_ids"] = [u for u in content.get("user_ids", [])
                                           if not _remote(u)]
                if kind == "m.receipt" and event.get("type") == kind:
                    for receipts in content.values():
                        for users in receipts.values():
                            for user in [u for u in users if _remote(u)]:
                                del users[user]
        return body

    return edit


def _sync_without_remote_edus(body: Any) -> Any:
    for kind in ("m.typing", "m.receipt", "to_device"):
        body = _sync_without_remote(kind)(body)
    return body


def _is_sync(request: ProxyRequest) -> bool:
    return request.path_only.endswith("/sync")



# --- history, keys, directory, media, ACLs ----------------------------------------------------

def _redaction_keeps_msgtype(body: Any) -> Any:
    for pdu in body.get("pdus", []):
        if pdu.get("type") == "m.room.message" and pdu.get("content") == {}:
            pdu["content"] = {"msgtype": "m.text"}
    return body


def _drop_type_from(key: str, kind: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        body[key] = [p for p in body.get(key, []) if p.get("type") != kind]
        return body

    return edit


def _claimed_unsigned(body: Any) -> Any:
    for devices in body.get("one_time_keys", {}).values():
        for keys in devices.values():
            for key in keys.values():
                if isinstance(key, dict):
                    key.pop("signatures", None)
    return body


def _filter_dropped(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if request.method != "POST" or "/federation/v1/publicRooms" not in request.path_only or not (
            body and "filter" in body):
        return request
    return request.with_json({k: v for k, v in body.items() if k != "filter"})


def _media_as_bytes(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if "/federation/v1/media/download/" not in request.path_only or response.status != 200:
        return response
    return response.with_header("Content-Type", "application/octet-stream")


def _acl_ignored(fragments: tuple[str, ...]) -> Callable[[ProxyRequest, ProxyResponse],
                                                         ProxyResponse]:
    """A server without ACLs: the refusals of the endpoints they guard become answers."""

    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not any(f in request.path_only for f in fragments) or response.status != 403:
            return response
        return ProxyResponse.from_json(200, {})

    return hook


def _joins_anyone(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if "/make_join/" not in request.path_only or response.status != 403:
        return response
    return ProxyResponse.from_json(200, {"room_version": "11", "event": {}})


def _remote_displayname_ignored(request: ProxyRequest, response: ProxyResponse
                                ) -> ProxyResponse:
    body = response.json_object()
    if "/state/m.room.member/" not in request.path_only or "%3A127.0.0.1" not in (
            request.path_only) or not body:
        return response
    return response.with_json({k: v for k, v in body.items() if k != "displayname"})


def _remote_presence_ignored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if "/presence/" not in request.path_only or "%3A127.0.0.1" not in request.path_only:
        return request
    return ProxyResponse.from_json(200, {"presence": "offline"})


def _version_needs_auth(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.path_only.endswith("/federation/v1/version") and not request.header(
            "Authorization"):
        return ProxyResponse.from_json(401, {"errcode": "M_UNAUTHORIZED", "error": "sign"})
    return request



# --- joining a room the harness hosts -------------------------------------------------------

def _make_join_without_versions(request: ProxyRequest) -> ProxyRequest:
    if "/make_join/" not in request.path_only:
        return request
    return request.with_path(request.path_only)


def _join_tampered(body: Any) -> Any:
    body.setdefault("content", {})["displayname"] = "changed after signing"
    return body


def _hosted_state_lost(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.path_only.endswith("/state/m.room.name/") and "%3A127.0.0.1" in request.path_only:
        return ProxyResponse.from_json(404, {"errcode": "M_NOT_FOUND", "error": "no name"})
    return request



def _any_path(*fragments: str) -> Callable[[ProxyRequest], bool]:
    def matches(request: ProxyRequest) -> bool:
        return any(f in request.path_only for f in fragments)

    return matches


def _drop_last_state(body: Any) -> Any:
    for key in ("pdu_ids", "pdus"):
        body = _drop_last(key)(body)
    return body


def _stale_profile(body: Any) -> Any:
    if "displayname" in body:
        body["displayname"] = "Old Name"
    if "avatar_url" in body:
        body["avatar_url"] = "mxc://eos.test/old"
    return body


def _keys_unsigned(body: Any) -> Any:
    for edit in (_device_keys_unsigned, _queried_keys_unsigned, _claimed_unsigned):
        body = edit(body)
    return body


FAULTS: list[Fault] = [
    # keys
    Fault("fed-key-other-server-name", "The key document names another server.",
          ("matrix.federation.keys.shape",),
          on_response=_edit_json(_is("/_matrix/key/v2/server"), _other_server_name)),
    Fault("fed-key-ids-malformed", "Verify key ids carry characters outside [a-zA-Z0-9_].",
          ("matrix.federation.keys.key-ids",),
          on_response=_edit_json(_is("/_matrix/key/v2/server"), _rename_key_ids)),
    Fault("fed-key-document-unsigned", "The key document comes without its signatures.",
          ("matrix.federation.keys.self-signed",),
          on_response=_edit_json(_is("/_matrix/key/v2/server"), _unsigned)),
    Fault("fed-key-expired", "The published keys' valid_until_ts lies in the past.",
          ("matrix.federation.keys.valid-until",),
          on_response=_edit_json(_is("/_matrix/key/v2/server"), _expired)),
    Fault("fed-notary-keys-changed", "The notary returns other keys than the server signed.",
          ("matrix.federation.notary.query",),
          on_response=_edit_json(_is("/_matrix/key/v2/query", "POST"), _notary_keys_changed)),
    Fault("fed-notary-unsigned", "The notary returns key documents without its own signature.",
          ("matrix.federation.notary.signed",),
          on_response=_edit_json(_is("/_matrix/key/v2/query/", "GET"),
                                 _notary_signature_dropped())),
    Fault("fed-version-number", "The federation version endpoint gives server.version as a "
          "number.", ("matrix.federation.version",),
          on_response=_edit_json(_is("/federation/v1/version"), _version_as_number)),
    # request authentication
    Fault("fed-unsigned-served", "Unsigned federation requests are served.",
          ("matrix.federation.auth.required", "matrix.federation.media.auth"),
          on_response=_accept_if(unsigned=True)),
    Fault("fed-signature-ignored", "Any X-Matrix header is accepted, valid or not.",
          ("matrix.federation.auth.signature", "matrix.federation.auth.body-signed",
           "matrix.federation.auth.origin", "matrix.federation.auth.unknown-key"),
          on_response=_accept_if(unsigned=False)),
    Fault("fed-destination-ignored", "The X-Matrix destination is not compared with the "
          "server's name.", ("matrix.federation.auth.destination",),
          on_request=_destination_ignored),
    Fault("fed-auth-forbidden", "Authentication failures answer 403 M_FORBIDDEN.",
          ("matrix.federation.auth.required", "matrix.federation.auth.signature"),
          on_response=_unauthorized_as_forbidden),
    Fault("fed-outbound-unsigned", "The candidate's requests to other servers carry no "
          "X-Matrix signature.", ("matrix.federation.auth.outbound",),
          inbound=Fault("fed-outbound-unsigned-inbound", "inbound", (),
                        on_request=_outbound_unsigned)),
    # joins, leaves, invites
    Fault("fed-make-join-other-user", "make_join's template is for another user.",
          ("matrix.federation.make-join.template",),
          on_response=_edit_json(_is("/make_join/"), _template_for_other_user)),
    Fault("fed-incompatible-as-forbidden", "An unsupported room version answers 403 "
          "M_FORBIDDEN.", ("matrix.federation.make-join.incompatible",),
          on_response=_incompatible_as_forbidden),
    Fault("fed-send-join-no-auth-chain", "send_join v2 omits the auth chain.",
          ("matrix.federation.send-join.v2",),
          on_response=_edit_json(_is("/v2/send_join/"), _drop_auth_chain)),
    Fault("fed-send-join-state-tampered", "send_join returns a state event altered after it "
          "was signed.", ("matrix.federation.send-join.state-valid",),
          on_response=_edit_json(_is("/v2/send_join/"), _state_tampered)),
    Fault("fed-v1-answers-unwrapped", "send_join and send_leave v1 answer the v2 object, not "
          "[200, {...}].", ("matrix.federation.send-join.v1", "matrix.federation.leave.v1"),
          on_response=_edit_json(_any_path("/v1/send_join/", "/v1/send_leave/"),
                                 _v1_unwrapped)),
    Fault("fed-remote-join-not-applied", "A remote join leaves no membership in the room's "
          "state.", ("matrix.federation.join.member-visible",),
          on_request=_remote_member_absent),
    Fault("fed-send-leave-v1-shape", "send_leave v2 answers the v1 array [200, {}].",
          ("matrix.federation.leave",),
          on_response=_edit_json(_is("/v2/send_leave/"), _v1_shape)),
    Fault("fed-invite-without-room-state", "Outgoing invites carry no invite_room_state.",
          ("matrix.federation.invite.outbound",),
          inbound=_inbound("fed-invite-without-room-state", _drop_top("invite_room_state"),
                           "/v2/invite/")),
    Fault("fed-invite-not-countersigned", "An incoming invite is returned without the "
          "invitee server's signature.", ("matrix.federation.invite.inbound",),
          on_response=_edit_json(_is("/v2/invite/", "PUT"), _invitee_not_signed)),
    # transactions and PDUs the candidate sends
    Fault("fed-messages-not-delivered", "Messages are never sent to remote members.",
          ("matrix.federation.transaction.delivered",),
          inbound=_inbound("fed-messages-not-delivered", _each_pdu(_drop_messages),
                           "/v1/send/")),
    Fault("fed-transaction-no-origin", "Transactions leave out their origin.",
          ("matrix.federation.transaction.shape",),
          inbound=_inbound("fed-transaction-no-origin", _drop_top("origin"), "/v1/send/")),
    Fault("fed-pdu-wrong-hash", "PDUs carry a content hash of other content.",
          ("matrix.federation.pdu.hashes",),
          inbound=_inbound("fed-pdu-wrong-hash", _each_pdu(_wrong_hash), "/v1/send/")),
    Fault("fed-pdu-unsigned", "PDUs are sent without signatures.",
          ("matrix.federation.pdu.signed",),
          inbound=_inbound("fed-pdu-unsigned", _each_pdu(_no_signatures), "/v1/send/")),
    Fault("fed-pdu-stale-prev-events", "New events cite an old event, not the forward "
          "extremities, as prev_events.", ("matrix.federation.pdu.prev-events",),
          inbound=_inbound("fed-pdu-stale-prev-events", _each_pdu(_stale_prev), "/v1/send/")),
    # what the candidate serves
    Fault("fed-event-other-pdu", "GET /event returns a PDU altered after it was signed.",
          ("matrix.federation.event.get",),
          on_response=_edit_json(_is("/federation/v1/event/"), _other_pdu)),
    Fault("fed-state-incomplete", "state and state_ids leave one state event out.",
          ("matrix.federation.state-ids", "matrix.federation.state"),
          on_response=_edit_json(_any_path("/federation/v1/state_ids/", "/federation/v1/state/"),
                                 _drop_last_state)),
    Fault("fed-backfill-without-messages", "backfill returns only state events.",
          ("matrix.federation.backfill",),
          on_response=_edit_json(_is("/federation/v1/backfill/"),
                                 _drop_messages_from("pdus"))),
    Fault("fed-state-for-outsiders", "Any server may read a room's state.",
          ("matrix.federation.state.not-in-room",),
          on_response=_status_to("/federation/v1/state_ids/", 403, 200,
                                 {"pdu_ids": [], "auth_chain_ids": []})),
    Fault("fed-profile-stale", "query/profile answers an old display name and avatar.",
          ("matrix.federation.query.profile", "matrix.federation.query.profile-avatar"),
          on_response=_edit_json(_is("/federation/v1/query/profile"), _stale_profile)),
    Fault("fed-profile-field-ignored", "query/profile answers every field whatever is asked.",
          ("matrix.federation.query.profile-field",), on_response=_field_ignored),
    Fault("fed-not-found-as-empty", "Unknown users, aliases and media answer 200 with an "
          "empty object instead of 404.",
          ("matrix.federation.query.profile-unknown", "matrix.federation.query.directory-unknown",
           "matrix.federation.media.unknown"),
          on_response=_status_to(("/federation/v1/query/", "/federation/v1/media/download/"),
                                 404, 200, {})),
    Fault("fed-directory-no-servers", "query/directory answers an empty servers list.",
          ("matrix.federation.query.directory",),
          on_response=_edit_json(_is("/federation/v1/query/directory"), _set("servers", []))),
    Fault("fed-e2e-keys-unsigned", "Device and one-time keys served over federation "
          "(user/devices, user/keys/query, user/keys/claim) lose their signatures.",
          ("matrix.federation.devices.list", "matrix.federation.keys-query",
           "matrix.federation.keys-claim"),
          on_response=_edit_json(_any_path("/federation/v1/user/"), _keys_unsigned)),
    Fault("fed-public-rooms-no-counts", "publicRooms entries lack num_joined_members.",
          ("matrix.federation.directory.public-rooms",),
          on_response=_edit_json(_is("/federation/v1/publicRooms"), _rooms_without_counts)),
    # PDUs the harness sends
    _unchecked("fed-remote-messages-lost", "Valid remote PDUs never reach local clients.",
               ("matrix.federation.send.accepted",), "lost"),
    Fault("fed-send-results-empty", "The /send answer's pdus map is empty.",
          ("matrix.federation.send.pdu-results",),
          on_response=_edit_json(_is("/federation/v1/send/", "PUT"), _results_empty)),
    _unchecked("fed-rejected-events-served", "PDUs failing signature or authorisation checks "
               "are stored and shown.", ("matrix.federation.rules.banned",
                                         "matrix.federation.rules.signature"), "served"),
    _unchecked("fed-forged-power-levels-applied", "A power-levels event from a member "
               "without the power becomes state.", ("matrix.federation.rules.power-levels",),
               "power"),
    _unchecked("fed-hash-unchecked", "Content hashes are not checked: a tampered event keeps "
               "its content.", ("matrix.federation.rules.hash-redacted",), "hash"),
    _unchecked("fed-soft-failed-shown", "Events failing the current state are shown to "
               "clients.", ("matrix.federation.rules.soft-fail",), "soft"),
    Fault("fed-missing-events-not-fetched", "Unknown prev_events are never asked for.",
          ("matrix.federation.missing-events.fetched",),
          inbound=Fault("fed-missing-events-not-fetched-inbound", "inbound", (),
                        on_request=_never_ask)),
    # ephemeral data
    Fault("fed-edus-never-sent", "Transactions to other servers never carry EDUs (typing, "
          "receipts, presence, device lists, to-device).",
          ("matrix.federation.edu.typing-out", "matrix.federation.edu.typing-stop",
           "matrix.federation.edu.receipt-out", "matrix.federation.edu.presence-out",
           "matrix.federation.edu.device-list", "matrix.federation.edu.to-device-out"),
          inbound=_inbound("fed-edus-never-sent", _set("edus", []), "/v1/send/")),
    Fault("fed-incoming-edus-ignored", "EDUs from other servers (typing, receipts, "
          "to-device, presence) are accepted and dropped.",
          ("matrix.federation.edu.typing-in", "matrix.federation.edu.receipt-in",
           "matrix.federation.edu.to-device-in", "matrix.federation.edu.presence-in"),
          on_request=_remote_presence_ignored,
          on_response=_edit_json(_is_sync, _sync_without_remote_edus)),
    # history, keys, directory, media
    Fault("fed-redaction-keeps-msgtype", "Redacted messages keep their msgtype.",
          ("matrix.federation.redaction.served",),
          on_response=_edit_json(_is("/federation/v1/event/"), _redaction_keeps_msgtype)),
    _unchecked("fed-remote-redaction-ignored", "A remote sender's redaction is not applied.",
               ("matrix.federation.redaction.received",), "hash"),
    Fault("fed-event-auth-without-create", "event_auth leaves the create event out.",
          ("matrix.federation.event-auth",),
          on_response=_edit_json(_is("/federation/v1/event_auth/"),
                                 _drop_type_from("auth_chain", "m.room.create"))),
    Fault("fed-missing-events-empty", "get_missing_events answers no events.",
          ("matrix.federation.missing-events.served",),
          on_response=_edit_json(_is("/federation/v1/get_missing_events/"),
                                 _set("events", []))),
    Fault("fed-public-rooms-filter-ignored", "POST /publicRooms ignores its filter.",
          ("matrix.federation.directory.filter",), on_request=_filter_dropped),
    Fault("fed-media-not-multipart", "Federation media is served as bare bytes.",
          ("matrix.federation.media.download",), on_response=_media_as_bytes),
    # ACLs and the rest
    Fault("fed-acl-ignored", "Room ACLs are not enforced on the federation endpoints.",
          ("matrix.federation.acl.make-join", "matrix.federation.acl.state",
           "matrix.federation.acl.backfill", "matrix.federation.acl.event-auth",
           "matrix.federation.acl.missing-events"),
          on_response=_acl_ignored(("/make_join/", "/state_ids/", "/backfill/", "/event_auth/",
                                    "/get_missing_events/"))),
    Fault("fed-join-rules-ignored", "make_join offers a template whatever the join rules.",
          ("matrix.federation.make-join.invite-only",), on_response=_joins_anyone),
    Fault("fed-state-ids-no-auth-chain", "state_ids answers an empty auth chain.",
          ("matrix.federation.state-ids.auth-chain",),
          on_response=_edit_json(_is("/federation/v1/state_ids/"),
                                 _set("auth_chain_ids", []))),
    Fault("fed-remote-displayname-ignored", "A remote member's new display name is lost.",
          ("matrix.federation.send.state-event",), on_response=_remote_displayname_ignored),
    Fault("fed-version-needs-auth", "The version endpoint demands a signature.",
          ("matrix.federation.version.unauthenticated",), on_request=_version_needs_auth),
    # joining a room the harness hosts
    Fault("fed-make-join-without-ver", "make_join requests name no supported room versions.",
          ("matrix.federation.join-out.make-join",),
          inbound=Fault("fed-make-join-without-ver-inbound", "inbound", (),
                        on_request=_make_join_without_versions)),
    Fault("fed-join-altered-after-signing", "The join sent to the resident server was "
          "changed after it was hashed and signed.", ("matrix.federation.join-out.send-join",),
          inbound=_inbound("fed-join-altered-after-signing", _join_tampered,
                           "/v2/send_join/")),
    Fault("fed-remote-room-state-lost", "A room joined over federation shows none of the "
          "state the resident server answered.", ("matrix.federation.join-out.joined",),
          on_request=_hosted_state_lost),
]

# MUST/SHOULD federation requirements no fault breaks, and why.
EXEMPTIONS: dict[str, Exemption] = {
    "matrix.federation.send-join.origin": Exemption(
        "Synapse 1.163.2 itself leaves 'origin' out of its send_join v2 answer "
        "(synapse/federation/federation_server.py, on_send_join_request builds the answer "
        "from event, members_omitted, state and auth_chain only), a known deviation in its "
        "manifest; that real failure shows the check fails.", proven_by="synapse"),
}
