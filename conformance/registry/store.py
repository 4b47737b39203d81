"""The registry's storage: SQLite by default, PostgreSQL for a shared deployment.

Events are only ever inserted (database triggers refuse UPDATE and DELETE). Each insert runs
in a transaction that first locks its label, re-reads the label's history and checks the
transition, so concurrent awards and withdrawals from several processes are serialised and
none is lost or applied to a stale state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from conformance.errors import InputError
from conformance.registry.lifecycle import (
    Action,
    LabelEvent,
    LabelState,
    apply,
    check_transition,
    settle,
)
from conformance.trust.policy import PolicyError

DEFAULT_URL_ENV = "CONFORMANCE_REGISTRY_URL"
DEFAULT_PATH = Path("registry/labels.sqlite")

metadata = MetaData()

labels_table = Table(
    "labels",
    metadata,
    Column("label_id", String(300), primary_key=True),
    Column("candidate", String(200), nullable=False),
    Column("product", Text, nullable=False),
    Column("vendor", Text, nullable=False),
    Column("standard", String(100), nullable=False),
    Column("profile", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

events_table = Table(
    "label_events",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=True),
    Column("label_id", String(300), ForeignKey("labels.label_id"), nullable=False, index=True),
    Column("action", String(30), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("report_digest", String(80)),
    Column("valid_until", DateTime(timezone=True)),
    Column("grace_until", DateTime(timezone=True)),
)

snapshots_table = Table(
    "snapshots",
    metadata,
    Column("serial", Integer, primary_key=True, autoincrement=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("next_update", DateTime(timezone=True), nullable=False),
)

_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS label_events_no_{verb.lower()} BEFORE {verb} ON label_events "
    "BEGIN SELECT RAISE(ABORT, 'label events are append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION label_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'label events are append-only'; END $$",
    "DROP TRIGGER IF EXISTS label_events_append_only ON label_events",
    "CREATE TRIGGER label_events_append_only BEFORE UPDATE OR DELETE ON label_events "
    "FOR EACH ROW EXECUTE FUNCTION label_events_append_only()",
]


@dataclass(frozen=True)
class LabelKey:
    """Which label an event is about: one per candidate and profile."""

    candidate: str
    product: str
    vendor: str
    standard: str
    profile: str

    @property
    def label_id(self) -> str:
        return f"{self.candidate}/{self.standard}/{self.profile}"


@dataclass(frozen=True)
class LabelRecord:
    label_id: str
    candidate: str
    product: str
    vendor: str
    standard: str
    profile: str


def database_url(value: str | None, must_exist: bool = False) -> str:
    """--db: a SQLAlchemy URL, or a file path meaning SQLite; default from the environment.

    Commands that only read or change existing labels pass ``must_exist``, so a mistyped path
    is an error instead of a new, empty registry.
    """
    value = value or os.environ.get(DEFAULT_URL_ENV) or str(DEFAULT_PATH)
    if "://" in value:
        # psycopg 3 is the PostgreSQL driver; plain postgresql:// URLs mean it too.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value
    if must_exist and not Path(value).is_file():
        raise InputError(
            f"label registry {value}: no such file (award a label first, or pass --db)"
        )
    Path(value).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{value}"


class Registry:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = _engine(url)
            with self.engine.begin() as connection:
                metadata.create_all(connection)
                triggers = _SQLITE_TRIGGERS if self.is_sqlite else _POSTGRES_TRIGGERS
                if not self.is_sqlite:
                    # One schema set-up at a time when several processes open a new database.
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242)")
                for statement in triggers:
                    connection.exec_driver_sql(statement)
        except (ArgumentError, SQLAlchemyError, ImportError) as error:
            raise InputError(
                f"label registry {_safe(url)}: cannot open: {_first_line(error)}"
            ) from None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as error:
            raise InputError(f"label registry {_safe(self.url)}: {_first_line(error)}") from None

    def record(
        self,
        key: LabelKey | str,
        action: Action,
        actor: str,
        reason: str,
        *,
        report_digest: str | None = None,
        valid_until: datetime | None = None,
        grace_until: datetime | None = None,
        at: datetime | None = None,
    ) -> LabelEvent:
        """Append one event after checking it against the label's current state."""
        if not reason.strip():
            raise InputError("a label action needs a reason")
        with self._transaction() as connection:
            label_id = self._lock_label(connection, key, action)
            history = self._events(connection, label_id)
            moment = at or datetime.now(UTC)
            state = current_state(history, moment)
            check_transition(state, action)
            if action == "award" and any(
                e.action == "award" and e.report_digest == report_digest for e in history
            ):
                raise PolicyError(f"label {label_id}: report {report_digest} already recorded")
            values: dict[str, Any] = {
                "label_id": label_id,
                "action": action,
                "at": moment,
                "actor": actor,
                "reason": reason,
                "report_digest": report_digest,
                "valid_until": valid_until,
                "grace_until": grace_until,
            }
            sequence = connection.execute(
                insert(events_table).returning(events_table.c.sequence), values
            ).scalar_one()
            return _event({**values, "sequence": sequence})

    def _lock_label(self, connection: Connection, key: LabelKey | str, action: Action) -> str:
        if isinstance(key, LabelKey):
            row = {
                "label_id": key.label_id,
                "candidate": key.candidate,
                "product": key.product,
                "vendor": key.vendor,
                "standard": key.standard,
                "profile": key.profile,
                "created_at": datetime.now(UTC),
            }
            connection.execute(_insert_ignore(self.engine, row))
            label_id = key.label_id
        else:
            label_id = key
        # SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL locks
        # the label's row until commit.
        query = select(labels_table.c.label_id).where(labels_table.c.label_id == label_id)
        if not self.is_sqlite:
            query = query.with_for_update()
        if connection.execute(query).first() is None:
            raise InputError(f"no label {label_id!r} in the registry")
        return label_id

    def _events(self, connection: Connection, label_id: str) -> list[LabelEvent]:
        rows = connection.execute(
            select(events_table)
            .where(events_table.c.label_id == label_id)
            .order_by(events_table.c.sequence)
        ).mappings()
        return [_event(dict(row)) for row in rows]

    def events(self, label_id: str) -> list[LabelEvent]:
        with self._transaction() as connection:
            return self._events(connection, label_id)

    def all_events(self) -> list[LabelEvent]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(events_table).order_by(events_table.c.sequence)
            ).mappings()
            return [_event(dict(row)) for row in rows]

    def labels(self) -> list[LabelRecord]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(labels_table).order_by(labels_table.c.label_id)
            ).mappings()
            return [
                LabelRecord(
                    r["label_id"],
                    r["candidate"],
                    r["product"],
                    r["vendor"],
                    r["standard"],
                    r["profile"],
                )
                for r in rows
            ]

    def status(self, label_id: str, at: datetime) -> LabelState:
        return current_state(self.events(label_id), at)

    def count_events(self) -> int:
        with self._transaction() as connection:
            return int(
                connection.execute(select(func.count()).select_from(events_table)).scalar_one()
            )

    def new_serial(self, issued_at: datetime, next_update: datetime) -> int:
        with self._transaction() as connection:
            return int(
                connection.execute(
                    insert(snapshots_table).returning(snapshots_table.c.serial),
                    {"issued_at": issued_at, "next_update": next_update},
                ).scalar_one()
            )


def current_state(history: list[LabelEvent], moment: datetime) -> LabelState:
    """State from all recorded events (in order), then what time did since."""
    state = LabelState("none")
    for past in history:
        state = apply(state, past)
    return settle(state, moment)


def _event(row: dict[str, Any]) -> LabelEvent:
    return LabelEvent(
        label_id=row["label_id"],
        action=row["action"],
        at=_utc(row["at"]),
        actor=row["actor"],
        reason=row["reason"],
        report_digest=row["report_digest"],
        valid_until=_utc(row["valid_until"]) if row["valid_until"] else None,
        grace_until=_utc(row["grace_until"]) if row["grace_until"] else None,
        sequence=row["sequence"],
    )


def _utc(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; everything stored is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(connection: Any, _record: Any) -> None:
            connection.isolation_level = None
            connection.execute("PRAGMA journal_mode=WAL")

        @event.listens_for(engine, "begin")
        def _write_lock_up_front(connection: Connection) -> None:
            # Taking the write lock at BEGIN makes read-check-insert atomic across processes.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _insert_ignore(engine: Engine, row: dict[str, Any]) -> Any:
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(labels_table).values(row).on_conflict_do_nothing()
    from sqlalchemy.dialects.postgresql import insert as postgres_insert

    return postgres_insert(labels_table).values(row).on_conflict_do_nothing()


def _safe(url: str) -> str:
    """The URL without a password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
