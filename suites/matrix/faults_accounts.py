"""Faults of accounts and the rest: discovery, errors and tokens, registration and UIA, login,
devices, profiles, account data, presence, media, end-to-end keys and to-device messages.

Each imitates a bug a homeserver could ship, put by the proxy in front of a real Synapse
(faults.py has the shared transforms). Those marked "loose" also fail a check the suite had
before it was tightened: an old check that searched a list, or took a Content-Type on trust,
passes them.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.matrix.faults_base import (
    _drop_from,
    _edit_json,
    _errcode,
    _is_sync,
    _is_whoami,
    _path_ends,
    _path_has,
    _short_circuit,
    _status,
)

_REGISTER = _path_ends("/register", method="POST")
_LOGIN = _path_ends("/login", method="POST")
_LOCALPART = re.compile(r"^[a-z0-9._=\-/+]+$")


def _is_versions(request: ProxyRequest) -> bool:
    return request.path_only.endswith("/_matrix/client/versions")


def _is_account_data(request: ProxyRequest) -> bool:
    return request.method == "GET" and "/account_data/" in request.path_only


def _bearer(request: ProxyRequest) -> str | None:
    value = request.header("Authorization") or ""
    return value[len("Bearer "):] if value.startswith("Bearer ") else None


def _error(errcode: str, message: str) -> dict[str, str]:
    return {"errcode": errcode, "error": message}


# --- discovery -----------------------------------------------------------------------------

def _versions_need_token(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if _is_versions(request) and request.header("Authorization") is None:
        return ProxyResponse.from_json(401, _error("M_MISSING_TOKEN", "Missing access token"))
    return request


def _unstable_as_strings(body: Any) -> Any:
    features = body.get("unstable_features") if isinstance(body, dict) else None
    if isinstance(features, dict):
        body["unstable_features"] = {k: str(v).lower() for k, v in features.items()}
    return body


def _unwrap_capabilities(body: Any) -> Any:
    return body.get("capabilities", body) if isinstance(body, dict) else body


def _change_password_as_string(body: Any) -> Any:
    capability = body.get("capabilities", {}).get("m.change_password")
    if isinstance(capability, dict) and "enabled" in capability:
        capability["enabled"] = str(capability["enabled"]).lower()
    return body


# --- errors and tokens ---------------------------------------------------------------------

def _wrong_method_as_404(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if response.status == 405 and body is not None and body.get("errcode") == "M_UNRECOGNIZED":
        return response.with_status(404)
    return response


def _untyped_displayname(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    body = request.json_object()
    if (request.method == "PUT" and request.path_only.endswith("/displayname")
            and body is not None and not isinstance(body.get("displayname"), str)):
        return ProxyResponse.from_json(200, {})
    return request


def _no_bearer(request: ProxyRequest) -> ProxyRequest:
    # Only ?access_token= would be read; the header never reaches the token check.
    return request.without_header("Authorization")


# --- registration and UIA ------------------------------------------------------------------

def _challenge_without_params(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if _REGISTER(request) and response.status == 401 and body is not None:
        body.pop("params", None)
        return response.with_json(body)
    return response


def _auth_type(request: ProxyRequest) -> str | None:
    body = request.json_object() or {}
    auth = body.get("auth")
    return auth.get("type") if isinstance(auth, dict) else None


def _dummy_ignored(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if not _REGISTER(request) or body is None or _auth_type(request) != "m.login.dummy":
        return request
    body.pop("auth")
    return request.with_json(body)


def _user_id_as_localpart(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("user_id"), str):
        body["user_id"] = body["user_id"][1:].split(":", 1)[0]
    return body


def _sanitise_username(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    name = body.get("username") if body is not None and _REGISTER(request) else None
    if body is None or not isinstance(name, str) or _LOCALPART.match(name):
        return request
    cleaned = re.sub(r"[^a-z0-9._=\-/+]", "_", name.lower())
    body["username"] = f"{cleaned}_{uuid.uuid4().hex[:6]}"
    return request.with_json(body)


def _drop_inhibit_login(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if not _REGISTER(request) or body is None or "inhibit_login" not in body:
        return request
    body.pop("inhibit_login")
    return request.with_json(body)


def _is_device_delete(request: ProxyRequest) -> bool:
    return request.method == "DELETE" and "/devices/" in request.path_only


def _password_refused(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if not _is_device_delete(request) or body is None or _auth_type(request) != "m.login.password":
        return request
    body["auth"] = dict(body["auth"], password="eos-hashed-the-wrong-way")
    return request.with_json(body)


def _delete_not_applied(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if _is_device_delete(request) and _auth_type(request) is not None:
        return ProxyResponse.from_json(200, {})
    return request


# --- login, whoami, logout, devices --------------------------------------------------------

def _flows_without_password(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("flows"), list):
        body["flows"] = [f for f in body["flows"]
                         if not (isinstance(f, dict) and f.get("type") == "m.login.password")]
    return body


def _login_echoes_identifier(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    sent = request.json_object() or {}
    identifier = sent.get("identifier")
    if not _LOGIN(request) or response.status != 200 or body is None or not isinstance(
            identifier, dict):
        return response
    return response.with_json(dict(body, user_id=identifier.get("user")))


def _drop_login_device(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if not _LOGIN(request) or body is None or "device_id" not in body:
        return request
    body.pop("device_id")
    return request.with_json(body)


def _unknown_login_as_403(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    sent = request.json_object() or {}
    if _LOGIN(request) and response.status == 400 and sent.get("type") != "m.login.password":
        return ProxyResponse.from_json(403, _error("M_FORBIDDEN", "Login type not allowed"))
    return response


def _whoami_localhost(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("user_id"), str):
        body["user_id"] = body["user_id"].split(":", 1)[0] + ":localhost"
    return body


def _logout_everywhere(request: ProxyRequest) -> ProxyRequest:
    if request.method == "POST" and request.path_only.endswith("/logout"):
        return request.with_path(request.path_only + "/all")
    return request


class _StaleDevices:
    """Devices whose session logged out stay in GET /devices (loose: the old check only
    looked for the caller's own device in the list)."""

    def __init__(self) -> None:
        self.by_token: dict[str, dict[str, Any]] = {}
        self.stale: list[dict[str, Any]] = []

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        token = _bearer(request)
        if request.method == "POST" and request.path_only.endswith("/logout") and token:
            device = self.by_token.get(token)
            if device is not None:
                self.stale.append(device)
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json_object()
        if body is None or response.status != 200:
            return response
        if _LOGIN(request) and isinstance(body.get("access_token"), str):
            self.by_token[body["access_token"]] = {
                "device_id": body.get("device_id"), "user_id": body.get("user_id"),
                "display_name": None}
        if request.method == "GET" and request.path_only.endswith("/devices"):
            listed = body.get("devices")
            if isinstance(listed, list):
                users = {d.get("user_id") for d in listed if isinstance(d, dict)}
                listed.extend(d for d in self.stale if d["user_id"] in users)
                return response.with_json(body)
        return response


# --- profile, account data, presence -------------------------------------------------------

def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


_ROOM_ACCOUNT_DATA = re.compile(r"^(.*/user/[^/]+)/rooms/[^/]+(/account_data/.*)$")


def _room_data_stored_globally(request: ProxyRequest) -> ProxyRequest:
    match = _ROOM_ACCOUNT_DATA.match(request.path_only)
    if request.method != "PUT" or match is None:
        return request
    return request.with_path(match.group(1) + match.group(2))


def _is_global_account_data(request: ProxyRequest) -> bool:
    return _is_account_data(request) and "/rooms/" not in request.path_only


# --- media ---------------------------------------------------------------------------------

def _content_uri_as_http(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    uri = body.get("content_uri") if body is not None else None
    if body is None or not request.path_only.endswith("/upload") or not isinstance(uri, str):
        return response
    server, _, media_id = uri.removeprefix("mxc://").partition("/")
    host = request.header("Host") or server
    return response.with_json(dict(
        body, content_uri=f"http://{host}/_matrix/media/v3/download/{server}/{media_id}"))


class _MediaWithoutAuth:
    """Authenticated media served without an access token: the download is answered as if
    the last token the server saw had come with it."""

    def __init__(self) -> None:
        self.last: str | None = None

    def __call__(self, request: ProxyRequest) -> ProxyRequest:
        header = request.header("Authorization")
        if header is not None:
            self.last = header
        elif "/_matrix/client/v1/media/" in request.path_only and self.last is not None:
            return request.with_header("Authorization", self.last)
        return request


def _thumbnail_not_an_image(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    # Loose: the old check took any image/* Content-Type with a non-empty body.
    if "/media/thumbnail/" not in request.path_only or response.status != 200:
        return response
    return response.with_body(json.dumps(_error("M_UNKNOWN", "thumbnailing failed")).encode())


def _upload_size_as_string(body: Any) -> Any:
    size = body.get("m.upload.size") if isinstance(body, dict) else None
    if isinstance(size, int):
        body["m.upload.size"] = f"{size // (1024 * 1024)}M"
    return body


# --- end-to-end keys and to-device ---------------------------------------------------------

def _query_without_signatures(body: Any) -> Any:
    # Loose: the old check compared only 'keys' and 'algorithms'.
    for devices in body.get("device_keys", {}).values():
        for device in devices.values() if isinstance(devices, dict) else ():
            if isinstance(device, dict):
                device.pop("signatures", None)
    return body


class _ClaimAgain:
    """/keys/claim hands out the same one-time keys to a repeated claim (never removed)."""

    def __init__(self) -> None:
        self.answers: dict[bytes, ProxyResponse] = {}

    def on_request(self, request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.path_only.endswith("/keys/claim") and request.body in self.answers:
            return self.answers[request.body]
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.path_only.endswith("/keys/claim") and response.status == 200:
            self.answers.setdefault(request.body, response)
        return response


class _ChangesIgnoreFrom:
    """/keys/changes ignores 'from': it lists every user whose keys ever changed (loose: the
    old check only looked for the one user that changed in the window)."""

    def __init__(self) -> None:
        self.uploaders: set[str] = set()

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = request.json_object()
        keys = body.get("device_keys") if body is not None else None
        if request.path_only.endswith("/keys/upload") and isinstance(keys, dict):
            self.uploaders.add(str(keys.get("user_id")))
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json_object()
        if not request.path_only.endswith("/keys/changes") or body is None:
            return response
        changed = set(body.get("changed") or []) | self.uploaders
        return response.with_json(dict(body, changed=sorted(changed)))


def _zero_key_counts(body: Any) -> Any:
    counts = body.get("device_one_time_keys_count") if isinstance(body, dict) else None
    if isinstance(counts, dict):
        body["device_one_time_keys_count"] = {"signed_curve25519": 0}
    return body


def _to_device_doubled(body: Any) -> Any:
    # Loose: the old check took the first matching event and never counted them.
    box = body.get("to_device", {}) if isinstance(body, dict) else {}
    if isinstance(box.get("events"), list):
        box["events"] = [e for event in box["events"] for e in (event, event)]
    return body


def _wildcard_as_device(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object()
    if "/sendToDevice/" not in request.path_only or body is None:
        return request
    for devices in body.get("messages", {}).values():
        if isinstance(devices, dict) and "*" in devices:
            devices["EOSNOSUCHDEVICE"] = devices.pop("*")
    return request.with_json(body)


_stale_devices = _StaleDevices()
_claim_again = _ClaimAgain()
_changes_ignore_from = _ChangesIgnoreFrom()

FAULTS: list[Fault] = [
    # discovery
    Fault("versions-need-token",
          "/versions refuses a request without an access token (401 M_MISSING_TOKEN).",
          ("matrix.versions.shape",),
          on_request=_versions_need_token),
    Fault("unstable-features-as-strings",
          "unstable_features maps names to the strings 'true'/'false' instead of booleans.",
          ("matrix.versions.unstable-features",),
          on_response=_edit_json(_is_versions, _unstable_as_strings)),
    Fault("capabilities-unwrapped",
          "/capabilities answers the capabilities at the top level, without 'capabilities'.",
          ("matrix.capabilities.shape",),
          on_response=_edit_json(_path_ends("/capabilities"), _unwrap_capabilities)),
    Fault("change-password-enabled-as-string",
          "m.change_password.enabled is the string 'true' instead of a boolean.",
          ("matrix.capabilities.change-password",),
          on_response=_edit_json(_path_ends("/capabilities"), _change_password_as_string)),
    # errors and tokens
    Fault("wrong-method-as-404",
          "A known endpoint called with an unsupported method answers 404 instead of 405.",
          ("matrix.error.unrecognized-405",),
          on_response=_wrong_method_as_404),
    Fault("not-json-as-bad-json",
          "A body that is not JSON is refused with M_BAD_JSON instead of M_NOT_JSON.",
          ("matrix.error.not-json",),
          on_response=_errcode("M_NOT_JSON", "M_BAD_JSON")),
    Fault("wrong-type-displayname-accepted",
          "A displayname that is not a string is accepted with 200.",
          ("matrix.error.bad-json",),
          on_request=_untyped_displayname),
    Fault("missing-token-as-unknown-token",
          "A request without an access token gets M_UNKNOWN_TOKEN instead of M_MISSING_TOKEN.",
          ("matrix.auth.missing-token",),
          on_response=_errcode("M_MISSING_TOKEN", "M_UNKNOWN_TOKEN")),
    Fault("bearer-header-ignored",
          "The Authorization: Bearer header is never read (only ?access_token= would be).",
          ("matrix.auth.bearer-header",),
          on_request=_no_bearer),
    # registration and UIA
    Fault("uia-challenge-without-params",
          "The 401 UIA challenge of /register has no 'params'.",
          ("matrix.register.uia-flows",),
          on_response=_challenge_without_params),
    Fault("dummy-stage-ignored",
          "/register ignores a completed m.login.dummy stage and challenges again.",
          ("matrix.register.dummy",),
          on_request=_dummy_ignored),
    Fault("register-returns-localpart",
          "/register answers the bare localpart as user_id instead of @localpart:server.",
          ("matrix.register.user-id",),
          on_response=_edit_json(_REGISTER, _user_id_as_localpart)),
    Fault("invalid-username-sanitised",
          "An invalid username (upper case, spaces, non-ASCII) is silently rewritten and "
          "registered instead of refused with M_INVALID_USERNAME.",
          ("matrix.register.invalid-username",),
          on_request=_sanitise_username),
    Fault("inhibit-login-ignored",
          "/register ignores inhibit_login and returns an access token anyway.",
          ("matrix.register.inhibit-login",),
          on_request=_drop_inhibit_login),
    Fault("password-stage-refused",
          "The UIA m.login.password stage checks the wrong hash: the right password fails.",
          ("matrix.uia.password",),
          on_request=_password_refused),
    Fault("device-delete-not-applied",
          "DELETE /devices/{deviceId} with valid auth answers 200 but keeps the device.",
          ("matrix.devices.delete",),
          on_request=_delete_not_applied),
    # login, whoami, logout, devices
    Fault("login-flows-without-password",
          "GET /login does not list m.login.password although password login works.",
          ("matrix.login.flows",),
          on_response=_edit_json(_path_ends("/login", method="GET"), _flows_without_password)),
    Fault("login-echoes-identifier",
          "A password login answers the identifier as typed (the localpart) as user_id.",
          ("matrix.login.password",),
          on_response=_login_echoes_identifier),
    Fault("login-ignores-device-id",
          "A login naming an existing device_id gets a new device instead.",
          ("matrix.login.device-id",),
          on_request=_drop_login_device),
    Fault("unknown-login-type-as-403",
          "A login of an unsupported type answers 403 instead of 400.",
          ("matrix.login.unknown-type",),
          on_response=_unknown_login_as_403),
    Fault("whoami-wrong-server-name",
          "/account/whoami names the user on 'localhost' instead of the server's name.",
          ("matrix.whoami.user-id",),
          on_response=_edit_json(_is_whoami, _whoami_localhost)),
    Fault("logout-ends-all-sessions",
          "POST /logout logs out every device of the user, as /logout/all does.",
          ("matrix.logout.other-devices",),
          on_request=_logout_everywhere),
    Fault("logged-out-devices-still-listed",
          "GET /devices keeps listing devices whose session logged out.",
          ("matrix.devices.list",),
          on_request=_stale_devices.on_request, on_response=_stale_devices.on_response),
    Fault("device-get-without-display-name",
          "GET /devices/{deviceId} leaves out the device's display_name.",
          ("matrix.devices.get",),
          on_response=_edit_json(_path_has("/devices/", method="GET"),
                                 _drop_from("display_name"))),
    Fault("unknown-device-as-empty",
          "GET of an unknown device answers 200 with an empty object.",
          ("matrix.devices.unknown",),
          on_response=_status(_path_has("/devices/", method="GET"), 404, 200, {})),
    # profile, account data, presence
    Fault("avatar-url-not-stored",
          "PUT avatar_url answers 200 but nothing is stored.",
          ("matrix.profile.avatar-url",),
          on_request=_short_circuit(_path_ends("/avatar_url", method="PUT"), 200, {})),
    Fault("unknown-profile-as-empty",
          "The profile of a user that does not exist is answered 200 with an empty object.",
          ("matrix.profile.unknown-user",),
          on_response=_status(_path_has("/profile/", method="GET"), 404, 200, {})),
    Fault("account-data-nulls-dropped",
          "Global account data comes back with its null values dropped.",
          ("matrix.account-data.global",),
          on_response=_edit_json(_is_global_account_data, _without_nulls)),
    Fault("room-account-data-stored-globally",
          "Per-room account data is stored as global account data (the room is ignored).",
          ("matrix.account-data.room",),
          on_request=_room_data_stored_globally),
    Fault("missing-account-data-as-empty",
          "Account data never set is answered 200 with an empty object.",
          ("matrix.account-data.not-found",),
          on_response=_status(_is_account_data, 404, 200, {})),
    Fault("foreign-account-data-as-not-found",
          "Reading another user's account data answers 404 M_NOT_FOUND instead of 403.",
          ("matrix.account-data.other-user",),
          on_response=_status(_is_account_data, 403, 404,
                              _error("M_NOT_FOUND", "Account data not found"))),
    Fault("unknown-presence-accepted",
          "An unknown presence value is answered 200 (and silently dropped).",
          ("matrix.presence.invalid",),
          on_response=_status(_path_ends("/status", method="PUT"), 400, 200, {})),
    # media
    Fault("content-uri-as-http",
          "An upload answers an http download URL as content_uri instead of an mxc:// URI.",
          ("matrix.media.upload",),
          on_response=_content_uri_as_http),
    Fault("media-served-without-token",
          "Authenticated media downloads are served without an access token.",
          ("matrix.media.download-auth",),
          on_request=_MediaWithoutAuth()),
    Fault("thumbnail-not-an-image",
          "A failed thumbnail is served as image/png with a JSON error as its bytes.",
          ("matrix.media.thumbnail",),
          on_response=_thumbnail_not_an_image),
    Fault("upload-size-as-string",
          "The media config gives m.upload.size as a string ('50M').",
          ("matrix.media.config",),
          on_response=_edit_json(_path_ends("/media/config"), _upload_size_as_string)),
    Fault("unknown-media-as-500",
          "Downloading an unknown media id answers 500 instead of 404 M_NOT_FOUND.",
          ("matrix.media.unknown",),
          on_response=_status(_path_has("/media/download/", method="GET"), 404, 500,
                              _error("M_UNKNOWN", "Internal server error"))),
    # end-to-end keys and to-device
    Fault("keys-query-drops-signatures",
          "/keys/query returns the device keys without their signatures.",
          ("matrix.keys.query",),
          on_response=_edit_json(_path_ends("/keys/query"), _query_without_signatures)),
    Fault("claimed-keys-handed-out-again",
          "A claimed one-time key is not removed: the same claim gets it again.",
          ("matrix.keys.claim",),
          on_request=_claim_again.on_request, on_response=_claim_again.on_response),
    Fault("key-changes-ignore-from",
          "/keys/changes ignores 'from' and lists every user whose keys ever changed.",
          ("matrix.keys.changes",),
          on_request=_changes_ignore_from.on_request,
          on_response=_changes_ignore_from.on_response),
    Fault("sync-one-time-key-counts-zero",
          "/sync reports 0 one-time keys whatever was uploaded.",
          ("matrix.keys.sync-counts",),
          on_response=_edit_json(_is_sync, _zero_key_counts)),
    Fault("to-device-doubled",
          "Each to-device message comes twice in the same /sync.",
          ("matrix.to-device.deliver",),
          on_response=_edit_json(_is_sync, _to_device_doubled)),
    Fault("to-device-wildcard-as-device-id",
          "Device '*' of a to-device message is taken as one device's id, not as every "
          "device of the user, so no device gets it.",
          ("matrix.to-device.wildcard",),
          on_request=_wildcard_as_device),
]
