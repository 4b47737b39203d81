"""Shared registry scenarios, run against SQLite (unit) and a real PostgreSQL (integration)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

from conformance.registry.store import LabelKey, Registry

PROCESSES = 4
EVENTS_EACH = 15


def _key(candidate: str) -> LabelKey:
    return LabelKey(candidate, "Demo Server", "Example Vendor", "demo", "core")


def _worker(url: str, worker: int, events: int) -> None:
    registry = Registry(url)
    try:
        shared, own = _key("shared"), _key(f"own-{worker}")
        until = datetime.now(UTC) + timedelta(days=700)
        for number in range(events):
            # Awards on one shared label from every process at once, and a cycle of
            # award/suspend/reinstate/withdraw on a label of its own.
            registry.record(
                shared,
                "award",
                f"w{worker}",
                "renewal",
                report_digest=f"sha256:{worker}-{number}",
                valid_until=until,
            )
            action = ("award", "suspend", "reinstate", "withdraw")[number % 4]
            registry.record(
                own,
                action,
                f"w{worker}",
                f"step {number}",
                report_digest=f"sha256:own-{worker}-{number}" if action == "award" else None,
                valid_until=until if action == "award" else None,
            )
    finally:
        registry.close()


def concurrent_events_are_never_lost(url: str) -> None:
    Registry(url).close()  # create the schema once
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(url, n, EVENTS_EACH)) for n in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    registry = Registry(url)
    try:
        assert registry.count_events() == PROCESSES * EVENTS_EACH * 2
        shared = registry.events("shared/demo/core")
        assert len(shared) == PROCESSES * EVENTS_EACH
        assert len({e.report_digest for e in shared}) == len(shared)
        sequences = [e.sequence for e in registry.all_events()]
        assert len(set(sequences)) == len(sequences)
        for worker in range(PROCESSES):
            history = registry.events(f"own-{worker}/demo/core")
            assert [e.action for e in history][:4] == ["award", "suspend", "reinstate", "withdraw"]
    finally:
        registry.close()
