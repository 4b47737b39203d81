"""End-to-end keys beyond the basics of test_e2ee.py: counts per algorithm, queries of some or
all devices, unknown users and devices, the order and the counting of claimed one-time keys.
Device and one-time keys carry real Ed25519 signatures (suites/matrix/e2ee.py)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import e2ee, mx
from suites.matrix.registrar import Registrar


def with_keys(user: mx.User, one_time: int = 0) -> tuple[e2ee.Signer, dict[str, Any]]:
    """Uploads signed device keys (and one-time keys) for the user's device."""
    signer = e2ee.device_signer(user.device_id)
    keys = e2ee.device_keys(user, signer)
    body: dict[str, Any] = {"device_keys": keys}
    if one_time:
        body["one_time_keys"] = e2ee.one_time_keys(user, signer, one_time)
    e2ee.upload(user, "POST /keys/upload (device keys)", **body)
    return signer, keys


@pytest.mark.requirement("matrix.keys.upload-counts-per-algorithm")
def test_counts_per_algorithm(fresh_user: mx.User) -> None:
    signer = e2ee.device_signer(fresh_user.device_id)
    keys = {**e2ee.one_time_keys(fresh_user, signer, 2),
            **{f"curve25519:{mx.unique('C')}": e2ee.random_key()}}
    counts = e2ee.upload(fresh_user, device_keys=e2ee.device_keys(fresh_user, signer),
                         one_time_keys=keys).get("one_time_key_counts")
    expected = {"signed_curve25519": 2, "curve25519": 1}
    expect(e2ee.nonzero(counts) == expected,
           "one_time_key_counts does not count each algorithm's keys apart", expected, counts)


@pytest.mark.requirement("matrix.keys.upload-accumulate")
def test_counts_accumulate(fresh_user: mx.User) -> None:
    signer, _ = with_keys(fresh_user, 3)
    counts = e2ee.upload(fresh_user, "second POST /keys/upload", one_time_keys=e2ee.one_time_keys(
        fresh_user, signer, 2)).get("one_time_key_counts")
    # The count is of every unclaimed key held for the device, not of this request's keys.
    expect(e2ee.nonzero(counts) == {e2ee.OTK: 5},
           "one_time_key_counts after 3 + 2 keys is not 5", {e2ee.OTK: 5}, counts)
    later = e2ee.key_counts(fresh_user)
    expect(e2ee.nonzero(later) == {e2ee.OTK: 5}, "an upload of nothing does not count the 5 keys",
           {e2ee.OTK: 5}, later)


def two_devices(user: mx.User, registrar: Registrar) -> dict[str, dict[str, Any]]:
    second = registrar.login(user.localpart, user.password)
    return {u.device_id: with_keys(u)[1] for u in (user, second)}


def returned_devices(body: dict[str, Any], user: mx.User) -> Any:
    devices = body.get("device_keys", {}).get(user.user_id)
    if not isinstance(devices, dict):
        return devices
    return {device: e2ee.without_unsigned(keys) for device, keys in devices.items()}


@pytest.mark.requirement("matrix.keys.query-all-devices")
def test_query_all_devices(fresh_user: mx.User, alice: mx.User, registrar: Registrar) -> None:
    uploaded = two_devices(fresh_user, registrar)
    got = returned_devices(e2ee.query(alice, {fresh_user.user_id: []}), fresh_user)
    # An empty list asks for all devices: exactly the two, each as uploaded.
    expect(got == uploaded, "/keys/query with [] does not return exactly every device's keys",
           uploaded, got)


@pytest.mark.requirement("matrix.keys.query-named-devices")
def test_query_named_devices(fresh_user: mx.User, alice: mx.User, registrar: Registrar) -> None:
    uploaded = two_devices(fresh_user, registrar)
    wanted = sorted(uploaded)[1]
    got = returned_devices(e2ee.query(alice, {fresh_user.user_id: [wanted]}), fresh_user)
    expect(got == {wanted: uploaded[wanted]},
           "/keys/query for one device does not return exactly that device",
           {wanted: uploaded[wanted]}, got)


def own_server_failure(body: dict[str, Any], server: str) -> Any:
    failures = body.get("failures")
    return failures.get(server) if isinstance(failures, dict) else None


@pytest.mark.requirement("matrix.keys.query-unknown")
def test_query_unknown(fresh_user: mx.User, alice: mx.User) -> None:
    _, keys = with_keys(fresh_user)
    nobody = f"@{mx.unique('nobody')}:{fresh_user.server_name}"
    body = e2ee.query(alice, {fresh_user.user_id: [fresh_user.device_id, "EOSNOSUCHDEVICE"],
                              nobody: []})
    # Reached but unknown: no failure; the unknown device and user are simply missing.
    expect(own_server_failure(body, fresh_user.server_name) is None,
           "an unknown user or device is recorded as a failure of the homeserver itself",
           None, body.get("failures"))
    got = returned_devices(body, fresh_user)
    expect(got == {fresh_user.device_id: keys}, "the unknown device is not missing from "
           "device_keys (or the known one is not there)", {fresh_user.device_id: keys}, got)
    unknown = body.get("device_keys", {}).get(nobody)
    expect(unknown in (None, {}), "an unknown user has devices in device_keys", None, unknown)


@pytest.mark.requirement("matrix.keys.claim-unknown")
def test_claim_unknown(fresh_user: mx.User, alice: mx.User) -> None:
    with_keys(fresh_user, 1)
    response = alice.ok("POST", "keys/claim", "POST /keys/claim", body={"one_time_keys": {
        fresh_user.user_id: {"EOSNOSUCHDEVICE": e2ee.OTK}}})
    expect(own_server_failure(response, fresh_user.server_name) is None,
           "an unknown device is recorded as a failure of the homeserver itself", None,
           response.get("failures"))
    got = response.get("one_time_keys", {}).get(fresh_user.user_id, {})
    expect(got in (None, {}) or (isinstance(got, dict) and not got.get("EOSNOSUCHDEVICE")),
           "/keys/claim returned a key for a device that does not exist", None, got)


@pytest.mark.requirement("matrix.keys.claim-order")
def test_claim_order(fresh_user: mx.User, alice: mx.User) -> None:
    signer, _ = with_keys(fresh_user)
    batches = [e2ee.one_time_keys(fresh_user, signer, 1) for _ in range(3)]
    for number, batch in enumerate(batches, 1):
        e2ee.upload(fresh_user, f"POST /keys/upload (batch {number})", one_time_keys=batch)
    # "One-time keys are given out in the order that they were uploaded."
    for number, batch in enumerate(batches, 1):
        got = e2ee.claim(alice, fresh_user, f"claim {number}")
        expect(got == batch, f"claim {number} did not get the key of upload {number}", batch, got)


@pytest.mark.requirement("matrix.keys.claim-count-decreases")
def test_claim_count_decreases(fresh_user: mx.User, alice: mx.User) -> None:
    with_keys(fresh_user, 3)
    token = mx.next_batch(mx.sync(fresh_user))
    got = e2ee.claim(alice, fresh_user)
    expect(isinstance(got, dict) and len(got) == 1, "no one-time key was claimed", 1, got)
    counts = e2ee.key_counts(fresh_user)
    expect(e2ee.nonzero(counts) == {e2ee.OTK: 2},
           "one_time_key_counts still counts the claimed key", {e2ee.OTK: 2}, counts)
    synced = mx.sync(fresh_user, token).get("device_one_time_keys_count")
    expect(e2ee.nonzero(synced) == {e2ee.OTK: 2},
           "/sync device_one_time_keys_count still counts the claimed key", {e2ee.OTK: 2},
           synced)
