"""Profiles, account data and filters."""

from __future__ import annotations

import pytest

from conformance.api import expect
from suites.matrix import mx


@pytest.mark.requirement("matrix.profile.displayname")
def test_displayname(fresh_user: mx.User) -> None:
    path = f"profile/{mx.q(fresh_user.user_id)}/displayname"
    name = "Ëos Tést ✓ " + mx.unique("")
    fresh_user.ok("PUT", path, "PUT displayname", body={"displayname": name})
    body = fresh_user.ok("GET", path, "GET displayname")
    expect(body.get("displayname") == name, "the display name read back differs", name,
           body.get("displayname"))


@pytest.mark.requirement("matrix.profile.avatar-url")
def test_avatar_url(fresh_user: mx.User) -> None:
    path = f"profile/{mx.q(fresh_user.user_id)}/avatar_url"
    url = f"mxc://{fresh_user.server_name}/{mx.unique('avatar')}"
    fresh_user.ok("PUT", path, "PUT avatar_url", body={"avatar_url": url})
    body = fresh_user.ok("GET", path, "GET avatar_url")
    expect(body.get("avatar_url") == url, "the avatar URL read back differs", url,
           body.get("avatar_url"))


@pytest.mark.requirement("matrix.profile.full")
def test_profile(fresh_user: mx.User) -> None:
    base = f"profile/{mx.q(fresh_user.user_id)}"
    name, url = mx.unique("Eos "), f"mxc://{fresh_user.server_name}/{mx.unique('a')}"
    fresh_user.ok("PUT", f"{base}/displayname", "PUT displayname", body={"displayname": name})
    fresh_user.ok("PUT", f"{base}/avatar_url", "PUT avatar_url", body={"avatar_url": url})
    body = fresh_user.ok("GET", base, "GET profile")
    expect(body.get("displayname") == name and body.get("avatar_url") == url,
           "the profile does not hold both values", {"displayname": name, "avatar_url": url},
           body)


@pytest.mark.requirement("matrix.profile.unknown-user")
def test_profile_unknown(alice: mx.User) -> None:
    nobody = f"@{mx.unique('eosnobody')}:{alice.server_name}"
    # The spec fixes the status; its example errcode (M_NOT_FOUND) is only an example.
    mx.error(alice.call("GET", f"profile/{mx.q(nobody)}"), 404, (),
             "the profile of a user that does not exist")


@pytest.mark.requirement("matrix.account-data.global")
def test_account_data_global(fresh_user: mx.User) -> None:
    path = f"user/{mx.q(fresh_user.user_id)}/account_data/org.example.eos.test"
    content = {"nested": {"list": [1, 2.5, "drei", None, True]}, "text": "Grüße 👋"}
    fresh_user.ok("PUT", path, "PUT account data", body=content)
    body = fresh_user.ok("GET", path, "GET account data")
    expect(body == content, "the account data read back differs", content, body)


@pytest.mark.requirement("matrix.account-data.room")
def test_account_data_room(alice: mx.User, room: str) -> None:
    path = f"user/{mx.q(alice.user_id)}/rooms/{mx.q(room)}/account_data/org.example.eos.room"
    content = {"pinned": ["x", "y"]}
    alice.ok("PUT", path, "PUT room account data", body=content)
    body = alice.ok("GET", path, "GET room account data")
    expect(body == content, "the room account data read back differs", content, body)


@pytest.mark.requirement("matrix.account-data.not-found")
def test_account_data_not_found(alice: mx.User) -> None:
    path = f"user/{mx.q(alice.user_id)}/account_data/org.example.eos.{mx.unique('never')}"
    mx.error(alice.call("GET", path), 404, "M_NOT_FOUND", "account data never set")


@pytest.mark.requirement("matrix.account-data.other-user")
def test_account_data_other_user(alice: mx.User, bob: mx.User) -> None:
    path = f"user/{mx.q(bob.user_id)}/account_data/org.example.eos.test"
    mx.error(alice.call("GET", path), 403, "M_FORBIDDEN", "another user's account data")


@pytest.mark.requirement("matrix.account-data.sync")
def test_account_data_in_sync(fresh_user: mx.User) -> None:
    content = {"marker": mx.unique("m")}
    fresh_user.ok("PUT", f"user/{mx.q(fresh_user.user_id)}/account_data/org.example.eos.sync",
                  "PUT account data", body=content)
    events = mx.sync(fresh_user).get("account_data", {}).get("events", [])
    found = [e for e in events if e.get("type") == "org.example.eos.sync"]
    expect(bool(found) and found[0].get("content") == content,
           "the account data is not in /sync account_data", content, found)


def _create_filter(user: mx.User, definition: dict[str, object]) -> str:
    body = user.ok("POST", f"user/{mx.q(user.user_id)}/filter", "POST filter", body=definition)
    filter_id = body.get("filter_id")
    expect(isinstance(filter_id, str) and bool(filter_id), "no filter_id string", "filter_id",
           body)
    return str(filter_id)


DEFINITION = {"room": {"timeline": {"limit": 1}}, "presence": {"types": ["m.presence"]}}


@pytest.mark.requirement("matrix.filter.create")
def test_filter_create(alice: mx.User) -> None:
    _create_filter(alice, DEFINITION)


@pytest.mark.requirement("matrix.filter.get")
def test_filter_get(alice: mx.User) -> None:
    filter_id = _create_filter(alice, DEFINITION)
    body = alice.ok("GET", f"user/{mx.q(alice.user_id)}/filter/{mx.q(filter_id)}", "GET filter")
    # Every part of the definition comes back as it was given.
    got = {key: body.get(key) for key in DEFINITION}
    expect(got == DEFINITION, "the filter read back differs", DEFINITION, body)


@pytest.mark.requirement("matrix.filter.unknown")
def test_filter_unknown(alice: mx.User) -> None:
    mx.error(alice.call("GET", f"user/{mx.q(alice.user_id)}/filter/987654321"), 404,
             "M_NOT_FOUND", "an unknown filter")


@pytest.mark.requirement("matrix.filter.applied")
def test_filter_applied(alice: mx.User, room: str) -> None:
    for index in range(3):
        mx.send_text(alice, room, f"filter {index}")
    filter_id = _create_filter(alice, DEFINITION)
    events = mx.timeline_events(mx.sync(alice, filter_=filter_id), room)
    # Limit 1 caps the timeline at the newest event; it does not empty it.
    got = [(e.get("type"), e.get("content", {}).get("body")) for e in events]
    expect(got == [("m.room.message", "filter 2")],
           f"{len(events)} timeline events with the filter's limit 1, not the newest message",
           [("m.room.message", "filter 2")], got)
