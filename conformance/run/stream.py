"""A run as a stream of typed events: the plugin emits them, handlers (the journal, the
in-memory record the report is folded from) receive each one as it happens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from conformance.report.events import CheckFinished, RunEventRecorded, RunEventType
from conformance.report.model import CheckResult, RunEvent

Handler = Callable[[RunEventType], None]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class RunStream:
    def __init__(self) -> None:
        self.events: list[RunEventType] = []
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def emit(self, event: RunEventType) -> None:
        self.events.append(event)
        for handler in self._handlers:
            handler(event)

    def incident(self, kind: str, message: str, log_tail: list[str] | None = None) -> None:
        """Something that happened to the run itself (launched, died, interrupted)."""
        self.emit(
            RunEventRecorded(
                event=RunEvent(kind=kind, message=message, at=now(), log_tail=log_tail or [])
            )
        )

    @property
    def checks(self) -> list[CheckResult]:
        return [e.check for e in self.events if isinstance(e, CheckFinished)]
