"""Registration, user-interactive authentication, login, whoami, logout, devices."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import RecordingSession, expect
from suites.matrix import mx
from suites.matrix.registrar import Registrar


def password_auth(user: mx.User, session: str | None, password: str | None = None
                  ) -> dict[str, Any]:
    return {"type": "m.login.password", "session": session,
            "identifier": {"type": "m.id.user", "user": user.user_id},
            "password": password or user.password}


def login(http: RecordingSession, user: mx.User, password: str | None = None,
          **extra: Any) -> Any:
    return mx.call(http, "POST", "login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user.localpart},
        "password": password or user.password, **extra})


@pytest.mark.requirement("matrix.register.uia-flows")
def test_register_flows(http: RecordingSession, registrar: Registrar) -> None:
    registrar.require_open()
    response = mx.call(http, "POST", "register",
                       body={"username": mx.unique("flows"), "password": mx.unique("pw")})
    expect(response.status_code == 401, f"POST /register without auth answered "
           f"{response.status_code}", 401, response.status_code)
    body = mx.json_body(response, "UIA challenge")
    flows = body.get("flows")
    expect(isinstance(flows, list) and bool(flows) and all(
        isinstance(f, dict) and isinstance(f.get("stages"), list) for f in flows),
        "'flows' is not a list of {stages: [...]}", "flows", flows)
    expect(isinstance(body.get("session"), str), "no UIA 'session' string", "session", body)
    expect(isinstance(body.get("params"), dict), "no UIA 'params' object", "params", body)


@pytest.mark.requirement("matrix.register.dummy", "matrix.register.user-id")
def test_register_dummy(http: RecordingSession, registrar: Registrar) -> None:
    registrar.require_open()
    # Done here rather than through the registrar: a registration that fails is what this
    # check is about, so it fails the check instead of making it undecided.
    name = mx.unique("dummy")
    request: dict[str, Any] = {"username": name, "password": mx.unique("pw")}
    challenge = mx.json_body(mx.call(http, "POST", "register", body=request), "UIA challenge")
    flows = challenge.get("flows") if isinstance(challenge, dict) else None
    expect(isinstance(flows, list) and any(
        isinstance(f, dict) and f.get("stages") == ["m.login.dummy"] for f in flows),
        "open registration offers no flow of m.login.dummy alone", ["m.login.dummy"], flows)
    request["auth"] = {"type": "m.login.dummy", "session": challenge.get("session")}
    body = mx.ok(mx.call(http, "POST", "register", body=request),
                 "POST /register completing m.login.dummy")
    for key in ("user_id", "access_token", "device_id"):
        expect(isinstance(body.get(key), str) and bool(body[key]),
               f"the registration answer has no {key} string", key, sorted(body))
    user_id = str(body["user_id"])
    expect(user_id.startswith(f"@{name}:") and len(user_id) > len(name) + 2,
           "user_id is not @<requested localpart>:<server_name>", f"@{name}:…", user_id)


@pytest.mark.requirement("matrix.register.user-in-use")
def test_register_user_in_use(http: RecordingSession, registrar: Registrar,
                              fresh_user: mx.User) -> None:
    registrar.require_open()
    response = mx.call(http, "POST", "register", body={
        "username": fresh_user.localpart, "password": "eos-other-pw",
        "auth": {"type": "m.login.dummy"}})
    mx.error(response, 400, "M_USER_IN_USE", "registering a taken username")


@pytest.mark.requirement("matrix.register.invalid-username")
def test_register_invalid_username(http: RecordingSession, registrar: Registrar) -> None:
    registrar.require_open()
    for name in ("Eos Has Spaces", "eos\u00e9t\u00e9"):
        response = mx.call(http, "POST", "register", body={
            "username": name, "password": "eos-pw", "auth": {"type": "m.login.dummy"}})
        mx.error(response, 400, "M_INVALID_USERNAME", f"registering {name!r}")


@pytest.mark.requirement("matrix.register.available")
def test_register_available(http: RecordingSession, registrar: Registrar,
                            fresh_user: mx.User) -> None:
    registrar.require_open()
    body = mx.ok(mx.call(http, "GET", "register/available",
                         params={"username": mx.unique("free")}), "a free name")
    expect(body.get("available") is True, "a free name is not available: true", True, body)
    mx.error(mx.call(http, "GET", "register/available",
                     params={"username": fresh_user.localpart}), 400, "M_USER_IN_USE",
             "a taken name")


@pytest.mark.requirement("matrix.register.inhibit-login")
def test_register_inhibit_login(http: RecordingSession, registrar: Registrar) -> None:
    registrar.require_open()
    request: dict[str, Any] = {"username": mx.unique("inhibit"), "password": "eos-pw-12",
                               "inhibit_login": True}
    first = mx.json_body(mx.call(http, "POST", "register", body=request), "UIA challenge")
    request["auth"] = {"type": "m.login.dummy", "session": first.get("session")}
    body = mx.ok(mx.call(http, "POST", "register", body=request), "register, inhibit_login")
    expect("access_token" not in body, "an access_token was returned despite inhibit_login",
           "no access_token", sorted(body))
    expect(isinstance(body.get("user_id"), str), "no user_id", "user_id", body)


@pytest.mark.requirement("matrix.uia.password", "matrix.devices.delete")
def test_delete_device_with_password(http: RecordingSession, fresh_user: mx.User) -> None:
    other = mx.ok(login(http, fresh_user), "second login")
    path = f"devices/{mx.q(other['device_id'])}"
    challenge = fresh_user.call("DELETE", path, body={})
    expect(challenge.status_code == 401, f"DELETE device without auth answered "
           f"{challenge.status_code}", 401, challenge.status_code)
    session = mx.json_body(challenge, "UIA challenge").get("session")
    mx.ok(fresh_user.call("DELETE", path, body={"auth": password_auth(fresh_user, session)}),
          "DELETE device with m.login.password")
    mx.error(fresh_user.call("GET", path), 404, "M_NOT_FOUND", "the deleted device")
    mx.error(mx.call(http, "GET", "account/whoami", token=other["access_token"]), 401,
             "M_UNKNOWN_TOKEN", "the deleted device's token")


@pytest.mark.requirement("matrix.uia.wrong-password")
def test_uia_wrong_password(http: RecordingSession, fresh_user: mx.User) -> None:
    other = mx.ok(login(http, fresh_user), "second login")
    path = f"devices/{mx.q(other['device_id'])}"
    session = mx.json_body(fresh_user.call("DELETE", path, body={}), "challenge").get("session")
    response = fresh_user.call("DELETE", path, body={
        "auth": password_auth(fresh_user, session, "eos-wrong-password")})
    body = mx.error(response, 401, "M_FORBIDDEN", "UIA with a wrong password")
    expect(isinstance(body.get("flows"), list), "the failed stage gives no flows again",
           "flows", body)


@pytest.mark.requirement("matrix.login.flows")
def test_login_flows(http: RecordingSession) -> None:
    flows: Any = mx.ok(mx.call(http, "GET", "login"), "GET /login").get("flows")
    expect(isinstance(flows, list) and all(
        isinstance(f, dict) and isinstance(f.get("type"), str) for f in flows),
        "'flows' is not a list of {type: ...}", "list of flows", flows)
    # The server may offer more types than password; the suite signs in with a password.
    types = [f["type"] for f in flows]
    expect("m.login.password" in types, "m.login.password is not offered",
           "m.login.password", types)


@pytest.mark.requirement("matrix.login.password")
def test_login_password(http: RecordingSession, fresh_user: mx.User) -> None:
    body = mx.ok(login(http, fresh_user), "password login")
    expect(body.get("user_id") == fresh_user.user_id, "login names another user",
           fresh_user.user_id, body.get("user_id"))
    expect(isinstance(body.get("access_token"), str) and isinstance(body.get("device_id"), str),
           "no access_token or device_id", "both", sorted(body))
    expect(body["access_token"] != fresh_user.access_token, "the new login reused a token")


@pytest.mark.requirement("matrix.login.wrong-password")
def test_login_wrong_password(http: RecordingSession, fresh_user: mx.User) -> None:
    mx.error(login(http, fresh_user, "eos-wrong-password"), 403, "M_FORBIDDEN",
             "login with a wrong password")


@pytest.mark.requirement("matrix.login.device-id")
def test_login_device_id(http: RecordingSession, fresh_user: mx.User) -> None:
    body = mx.ok(login(http, fresh_user, device_id=fresh_user.device_id), "login naming a device")
    expect(body.get("device_id") == fresh_user.device_id, "another device id was returned",
           fresh_user.device_id, body.get("device_id"))


@pytest.mark.requirement("matrix.login.unknown-type")
def test_login_unknown_type(http: RecordingSession) -> None:
    # The spec fixes the status; its example errcode (M_UNKNOWN) is only an example.
    mx.error(mx.call(http, "POST", "login", body={"type": "org.example.eos.nope"}), 400,
             (), "an unknown login type")


@pytest.mark.requirement("matrix.whoami.user-id")
def test_whoami_user(fresh_user: mx.User) -> None:
    body = fresh_user.ok("GET", "account/whoami", "whoami")
    expect(body.get("user_id") == fresh_user.user_id, "whoami names another user",
           fresh_user.user_id, body.get("user_id"))


@pytest.mark.requirement("matrix.whoami.device-id")
def test_whoami_device(fresh_user: mx.User) -> None:
    body = fresh_user.ok("GET", "account/whoami", "whoami")
    expect(body.get("device_id") == fresh_user.device_id, "whoami names another device",
           fresh_user.device_id, body.get("device_id"))


@pytest.mark.requirement("matrix.logout.invalidates", "matrix.logout.other-devices")
def test_logout(http: RecordingSession, fresh_user: mx.User) -> None:
    other = mx.ok(login(http, fresh_user), "second login")
    fresh_user.ok("POST", "logout", "POST /logout", body={})
    mx.error(fresh_user.call("GET", "account/whoami"), 401, "M_UNKNOWN_TOKEN",
             "the logged-out token")
    mx.ok(mx.call(http, "GET", "account/whoami", token=other["access_token"]),
          "the other device's token after logout")


@pytest.mark.requirement("matrix.logout.all")
def test_logout_all(http: RecordingSession, fresh_user: mx.User) -> None:
    other = mx.ok(login(http, fresh_user), "second login")
    fresh_user.ok("POST", "logout/all", "POST /logout/all", body={})
    for token in (fresh_user.access_token, other["access_token"]):
        mx.error(mx.call(http, "GET", "account/whoami", token=token), 401, "M_UNKNOWN_TOKEN",
                 "a token after logout/all")


def device_ids(user: mx.User, what: str) -> list[str]:
    devices: Any = user.ok("GET", "devices", what).get("devices")
    expect(isinstance(devices, list) and all(
        isinstance(d, dict) and isinstance(d.get("device_id"), str) for d in devices),
        f"{what}: 'devices' is not a list of devices with a device_id", "devices", devices)
    return sorted(d["device_id"] for d in devices)


@pytest.mark.requirement("matrix.devices.list")
def test_devices_list(http: RecordingSession, fresh_user: mx.User) -> None:
    # Compared exactly, before and after a second sign-in and its logout: the list must gain
    # and lose exactly that device (a list that only contains the caller's is not enough).
    before = device_ids(fresh_user, "GET /devices")
    expect(fresh_user.device_id in before, "the current device is not listed",
           fresh_user.device_id, before)
    other = mx.ok(login(http, fresh_user), "second login")
    with_other = device_ids(fresh_user, "GET /devices after a second login")
    expect(with_other == sorted([*before, other["device_id"]]),
           "the list is not the earlier devices plus the new one",
           sorted([*before, other["device_id"]]), with_other)
    mx.ok(mx.call(http, "POST", "logout", token=other["access_token"], body={}),
          "logout of the second device")
    after = device_ids(fresh_user, "GET /devices after its logout")
    expect(after == before, "the list after logout is not the earlier one", before, after)


@pytest.mark.requirement("matrix.devices.get")
def test_devices_get(http: RecordingSession, fresh_user: mx.User) -> None:
    # Another device than the caller's, with a name of its own, so that answering with the
    # current device (or without the name) shows.
    name = mx.unique("EOS tablet ")
    other = mx.ok(login(http, fresh_user, initial_device_display_name=name), "second login")
    body = fresh_user.ok("GET", f"devices/{mx.q(other['device_id'])}", "GET device")
    expect((body.get("device_id"), body.get("display_name")) == (other["device_id"], name),
           "GET /devices/{deviceId} does not return that device and its name",
           (other["device_id"], name), (body.get("device_id"), body.get("display_name")))


@pytest.mark.requirement("matrix.devices.update")
def test_devices_update(fresh_user: mx.User) -> None:
    path = f"devices/{mx.q(fresh_user.device_id)}"
    name = mx.unique("EOS phone ")
    fresh_user.ok("PUT", path, "PUT device display_name", body={"display_name": name})
    body = fresh_user.ok("GET", path, "GET device")
    expect(body.get("display_name") == name, "the display name did not change", name,
           body.get("display_name"))


@pytest.mark.requirement("matrix.devices.unknown")
def test_devices_unknown(fresh_user: mx.User) -> None:
    mx.error(fresh_user.call("GET", "devices/EOSNOSUCHDEVICE"), 404, "M_NOT_FOUND",
             "an unknown device")
