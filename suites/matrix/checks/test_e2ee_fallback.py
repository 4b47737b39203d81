"""Fallback keys (CS API v1.15 §one-time-and-fallback-keys, added in v1.2): claimed when the
one-time keys have run out, reused until replaced, reported unused in /sync until claimed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import e2ee, mx


def with_fallback(user: mx.User, one_time: int = 0) -> tuple[e2ee.Signer, dict[str, Any]]:
    """Uploads device keys and a fallback key (and one-time keys); returns the fallback."""
    signer = e2ee.device_signer(user.device_id)
    fallback = e2ee.one_time_keys(user, signer, 1, fallback=True)
    body: dict[str, Any] = {"device_keys": e2ee.device_keys(user, signer),
                            "fallback_keys": fallback}
    if one_time:
        body["one_time_keys"] = e2ee.one_time_keys(user, signer, one_time)
    e2ee.upload(user, "POST /keys/upload (with a fallback key)", **body)
    return signer, fallback


def unused_types(user: mx.User, what: str) -> Any:
    body = mx.sync(user)
    expect("device_unused_fallback_key_types" in body,
           f"{what}: /sync has no device_unused_fallback_key_types (required since v1.2)",
           "device_unused_fallback_key_types", sorted(body))
    return body["device_unused_fallback_key_types"]


@pytest.mark.requirement("matrix.keys.fallback-claimed")
def test_fallback_claimed(fresh_user: mx.User, alice: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    _, fallback = with_fallback(fresh_user)
    got = e2ee.claim(alice, fresh_user)
    expect(got == fallback, "with no one-time keys left, /keys/claim does not return the "
           "fallback key as uploaded", fallback, got)


@pytest.mark.requirement("matrix.keys.fallback-reused")
def test_fallback_reused(fresh_user: mx.User, alice: mx.User, bob: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    _, fallback = with_fallback(fresh_user)
    first = e2ee.claim(alice, fresh_user, "first claim")
    second = e2ee.claim(bob, fresh_user, "second claim")
    # "The fallback key is not deleted once used": every claim gets it until it is replaced.
    expect(first == fallback and second == fallback,
           "the fallback key was not returned to both claims", [fallback, fallback],
           [first, second])


@pytest.mark.requirement("matrix.keys.one-time-before-fallback")
def test_one_time_before_fallback(fresh_user: mx.User, alice: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    signer = e2ee.device_signer(fresh_user.device_id)
    one_time = e2ee.one_time_keys(fresh_user, signer, 1)
    fallback = e2ee.one_time_keys(fresh_user, signer, 1, fallback=True)
    e2ee.upload(fresh_user, device_keys=e2ee.device_keys(fresh_user, signer),
                one_time_keys=one_time, fallback_keys=fallback)
    first = e2ee.claim(alice, fresh_user, "first claim")
    expect(first == one_time, "/keys/claim returned the fallback key while a one-time key "
           "was available", one_time, first)
    second = e2ee.claim(alice, fresh_user, "second claim")
    expect(second == fallback, "once the one-time key was claimed, the fallback key did not "
           "come", fallback, second)


@pytest.mark.requirement("matrix.keys.fallback-unused-types")
def test_unused_fallback_types(fresh_user: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    before = unused_types(fresh_user, "before any fallback key")
    expect(before == [], "device_unused_fallback_key_types lists a type before any fallback "
           "key was uploaded", [], before)
    with_fallback(fresh_user)
    after = unused_types(fresh_user, "after a fallback key")
    expect(after == [e2ee.OTK], "device_unused_fallback_key_types is not exactly the "
           "uploaded fallback key's algorithm", [e2ee.OTK], after)


@pytest.mark.requirement("matrix.keys.fallback-marked-used")
def test_fallback_marked_used(fresh_user: mx.User, alice: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    _, fallback = with_fallback(fresh_user)
    before = unused_types(fresh_user, "before the claim")
    expect(before == [e2ee.OTK], "the new fallback key is not listed as unused", [e2ee.OTK],
           before)
    got = e2ee.claim(alice, fresh_user)
    expect(got == fallback, "the fallback key was not claimed", fallback, got)
    after = unused_types(fresh_user, "after the claim")
    expect(after == [], "the claimed fallback key is still listed as unused", [], after)


@pytest.mark.requirement("matrix.keys.fallback-replaced")
def test_fallback_replaced(fresh_user: mx.User, alice: mx.User,
        require_version: Callable[[int, int], None]) -> None:
    require_version(1, 2)  # fallback keys came in v1.2
    signer, old = with_fallback(fresh_user)
    first = e2ee.claim(alice, fresh_user, "claim of the first fallback key")
    expect(first == old, "the first fallback key was not claimed", old, first)
    new = e2ee.one_time_keys(fresh_user, signer, 1, fallback=True)
    e2ee.upload(fresh_user, "POST /keys/upload (a new fallback key)", fallback_keys=new)
    # One fallback key per algorithm is kept: the new one, unused again.
    after = unused_types(fresh_user, "after the new fallback key")
    expect(after == [e2ee.OTK], "the new fallback key is not listed as unused", [e2ee.OTK],
           after)
    got = e2ee.claim(alice, fresh_user, "claim after the replacement")
    expect(got == new, "/keys/claim still returns the replaced fallback key", new, got)
