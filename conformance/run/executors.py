"""Executors run a campaign's shards and hand back each finished shard's files: a local pool
of processes on this machine, or an existing Dask cluster. Neither ever sees a signing key.

Dask does the scheduling, the retries on another worker when one dies, and the transport;
nothing here is a scheduler or a wire protocol of our own.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from conformance.errors import InputError
from conformance.run.shards import Shard, ShardOptions, ShardOutcome, interrupt_children, run_shard

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ShardNotRun:
    shard: Shard
    reason: str


Finished = ShardOutcome | ShardNotRun


class ProgressListener(Protocol):
    def started(self, shard: Shard, where: str) -> None: ...


class Executor(Protocol):
    description: str

    def run(
        self, shards: list[Shard], options: ShardOptions, progress: ProgressListener
    ) -> Iterator[Finished]: ...


class LocalExecutor:
    """``workers`` shards side by side on this machine, each in its own pytest process."""

    def __init__(self, workers: int, output_root: Path) -> None:
        if workers < 1:
            raise InputError(f"--workers: must be at least 1 (got {workers})")
        self.workers = workers
        self.output_root = output_root
        self.description = f"local pool of {workers} worker(s)"

    def run(
        self, shards: list[Shard], options: ShardOptions, progress: ProgressListener
    ) -> Iterator[Finished]:
        # With one worker the child's own output is the campaign's output, as it always was.
        quiet = self.workers > 1
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="shard")
        waiting = list(shards)
        running: dict[Future[ShardOutcome], Shard] = {}
        with _interruptions_passed_to_children():
            try:
                while waiting or running:
                    while waiting and len(running) < self.workers:
                        shard = waiting.pop(0)
                        progress.started(shard, "local")
                        future = pool.submit(
                            run_shard, shard, options, "local", quiet, self.output_root
                        )
                        running[future] = shard
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        shard = running.pop(future)
                        error = future.exception()
                        yield future.result() if error is None else ShardNotRun(
                            shard, f"the local worker failed: {type(error).__name__}: {error}"
                        )
            except KeyboardInterrupt:
                interrupt_children(signal.SIGTERM)
                # The children write their reports as interrupted; collect what they wrote.
                for future, shard in running.items():
                    error = future.exception()
                    yield future.result() if error is None else ShardNotRun(shard, str(error))
                for shard in waiting:
                    yield ShardNotRun(shard, "not started: the campaign was interrupted")
                raise
            finally:
                pool.shutdown(wait=True)


class _interruptions_passed_to_children:
    """SIGTERM to the coordinator reaches every running shard at once (Ctrl-C at a terminal
    reaches them anyway), so each stops where it is and reports itself interrupted."""

    def __enter__(self) -> None:
        def forward(signum: int, frame: FrameType | None) -> None:
            interrupt_children(signal.SIGTERM)
            raise KeyboardInterrupt(f"signal {signum}")

        try:
            self.previous: Any = signal.signal(signal.SIGTERM, forward)
        except ValueError:  # not the main thread: nothing to install
            self.previous = None

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def run_on_dask_worker(shard: Shard, options: ShardOptions) -> ShardOutcome:
    """The task a Dask worker runs: the shard, named after the worker that ran it."""
    from distributed import get_worker

    worker = get_worker()
    return run_shard(shard, options, worker=f"dask {worker.name} ({worker.address})", quiet=True)


class DaskExecutor:
    """Shards sent to an existing Dask cluster (``dask scheduler`` / ``dask worker``, or any
    Dask deployment). A shard whose launcher needs a resource (a container runtime) asks for
    it; workers declare what they have with ``dask worker --resources "container=1"``."""

    def __init__(self, address: str, connect: Callable[[str], Any] | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - a dependency of the harness
            raise InputError("--scheduler needs the 'distributed' package") from None
        try:
            self.client = (connect or (lambda a: Client(a, timeout="10s")))(  # type: ignore[no-untyped-call]
                address
            )
        except (OSError, TimeoutError, ValueError) as error:  # ValueError: a malformed address
            raise InputError(f"--scheduler: cannot reach the Dask scheduler at {address}: "
                             f"{error}") from None
        self.description = f"Dask cluster at {address}"
        self.dashboard: str | None = getattr(self.client, "dashboard_link", None)

    def run(
        self, shards: list[Shard], options: ShardOptions, progress: ProgressListener
    ) -> Iterator[Finished]:
        from distributed import as_completed

        # A worker that dies mid-shard makes the scheduler run the shard again elsewhere, as
        # often as its distributed.scheduler.allowed-failures says (3 by default).
        futures: dict[str, tuple[Any, Shard]] = {}
        for shard in shards:
            future = self.client.submit(
                run_on_dask_worker,
                shard,
                options,
                key=f"shard-{options.campaign}-{shard.name}",
                pure=False,
                resources=shard.needs or None,
            )
            futures[str(future.key)] = (future, shard)
        seen: set[str] = set()
        pending = set(futures)
        completed = as_completed([f for f, _ in futures.values()])  # type: ignore[no-untyped-call]
        try:
            while pending:
                self._report_running(futures, pending, seen, progress)
                if not completed.has_ready():  # type: ignore[no-untyped-call]
                    time.sleep(POLL_SECONDS)
                    continue
                for future in completed.next_batch(block=False):  # type: ignore[no-untyped-call]
                    _, shard = futures[str(future.key)]
                    pending.discard(str(future.key))
                    if future.status == "finished":
                        yield future.result()
                    else:
                        yield ShardNotRun(shard, _lost_reason(future.exception()))
        finally:
            for future, _ in futures.values():
                future.release()
            self.client.close()

    def _report_running(
        self,
        futures: dict[str, tuple[Any, Shard]],
        pending: set[str],
        seen: set[str],
        progress: ProgressListener,
    ) -> None:
        for worker, keys in self.client.processing().items():
            for key in map(str, keys):
                if key in pending and key not in seen:
                    seen.add(key)
                    progress.started(futures[key][1], str(worker))


def _lost_reason(error: BaseException | None) -> str:
    name = type(error).__name__ if error else "unknown error"
    if name == "KilledWorker":
        return f"every worker that ran it died (the scheduler gave up retrying): {error}"
    return f"the shard failed on its worker: {name}: {error}"
