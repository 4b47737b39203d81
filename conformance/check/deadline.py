"""Deadlines that hold whatever the candidate does: a server that trickles one byte every few
seconds defeats a per-read timeout, so each exchange and each check also has an overall
deadline, enforced with a timer signal in the main thread. An expired deadline ends the
check as ``cantTell`` (it could not decide), with the evidence recorded so far.

Defaults: 30 s per HTTP exchange, 120 s per check; a suite may declare its own check
deadline, and $CONFORMANCE_EXCHANGE_DEADLINE / $CONFORMANCE_CHECK_DEADLINE override both.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from conformance.check.verdicts import CantTell

EXCHANGE_DEADLINE_SECONDS = 30.0
CHECK_DEADLINE_SECONDS = 120.0
EXCHANGE_ENV = "CONFORMANCE_EXCHANGE_DEADLINE"
CHECK_ENV = "CONFORMANCE_CHECK_DEADLINE"


class DeadlineExceeded(CantTell):
    """A check or one of its exchanges ran past its deadline."""


def configured(env: str, default: float) -> float:
    value = os.environ.get(env)
    try:
        return float(value) if value else default
    except ValueError:
        return default


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Raise DeadlineExceeded in the block once ``seconds`` have passed (nesting keeps the
    nearer deadline). Outside the main thread no timer signal exists, so nothing is enforced."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    began = time.monotonic()

    def expired(signum: int, frame: FrameType | None) -> None:
        raise DeadlineExceeded(f"{what} did not finish within its {seconds:g} s deadline")

    if outer_remaining and outer_remaining < seconds:
        # The enclosing deadline comes first: keep its handler and timer.
        yield
        return
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            left = outer_remaining - (time.monotonic() - began)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
