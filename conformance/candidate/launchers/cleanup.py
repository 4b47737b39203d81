"""Every started candidate is stopped at exit, whatever way the harness exits.

Pytest tears fixtures down on failures and Ctrl-C; this is the last line for the rest
(an exception in the harness itself, SIGTERM, ``sys.exit`` from anywhere).
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
from types import FrameType
from typing import Protocol


class Stoppable(Protocol):
    def stop(self) -> None: ...


_active: list[Stoppable] = []
_lock = threading.Lock()


def track(item: Stoppable) -> None:
    with _lock:
        _active.append(item)


def untrack(item: Stoppable) -> None:
    with _lock:
        if item in _active:
            _active.remove(item)


def stop_all() -> None:
    with _lock:
        items = list(reversed(_active))
        _active.clear()
    for item in items:
        with contextlib.suppress(Exception):  # cleanup must go on for the others
            item.stop()


_interruption: list[str] = []


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM (and Ctrl-C) into one KeyboardInterrupt, so pytest finishes the session and
    # the report is written before anything is stopped. The first signal is recorded at once;
    # a second one while the run is already stopping must not cut that short.
    if _interruption:
        return
    _interruption.append(signal.Signals(signum).name)
    raise KeyboardInterrupt(f"signal {signum}")


def interruption() -> str | None:
    """The signal that interrupted this process, once one did."""
    return _interruption[0] if _interruption else None


def install_signal_handlers() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, _terminate)


atexit.register(stop_all)
