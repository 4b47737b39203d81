"""The campaign's progress on screen: shards waiting, running, done and failed per candidate;
a live table on a terminal, one line per change elsewhere (CI logs)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.live import Live
from rich.table import Table

from conformance.run.coordinator import Listener, ShardRecord
from conformance.run.shards import Shard


class CampaignProgress(Listener):
    def __init__(self, shards: list[Shard], console: Console, title: str, live: bool) -> None:
        self.console = console
        self.use_live = live
        self.title = title
        self.state = {s.name: "waiting" for s in shards}
        self.where: dict[str, str] = {}
        self.candidate = {s.name: s.candidate_id for s in shards}
        self.live: Live | None = None

    def __enter__(self) -> CampaignProgress:
        if self.use_live and self.console.is_terminal:
            self.live = Live(self.table(), console=self.console, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self.table())
            self.live.__exit__(None, None, None)

    def started(self, shard: Shard, where: str) -> None:
        self.state[shard.name] = "running"
        self.where[shard.name] = where
        self._changed(f"running {shard.name} ({shard.standard}) on {where}")

    def finished(self, record: ShardRecord) -> None:
        failed = record.status != "done" or record.exit_code not in (0, 1)
        self.state[record.shard.name] = "failed" if failed else "done"
        verdict = record.report.verdict if record.report else "no report"
        detail = f"{record.status}, {verdict}" + (f": {record.reason}" if record.reason else "")
        self._changed(f"{record.shard.name}: {detail}")

    def _changed(self, line: str) -> None:
        if self.live is not None:
            self.live.update(self.table())
        else:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def table(self) -> Table:
        table = Table(title=self.title)
        for column in ("candidate", "waiting", "running", "done", "failed"):
            table.add_column(column)
        for candidate in dict.fromkeys(self.candidate.values()):
            counts = Counter(
                state for name, state in self.state.items() if self.candidate[name] == candidate
            )
            table.add_row(candidate, *(str(counts[s]) for s in ("waiting", "running", "done",
                                                               "failed")))
        return table
