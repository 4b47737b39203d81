"""The label registry against a real PostgreSQL server started for these tests.

Needs the Debian packages (`apt-get install -y postgresql`): initdb and postgres under
/usr/lib/postgresql/<version>/bin. Skipped, with that reason, only when they are absent.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from conformance.registry.store import LabelKey, Registry, database_url
from tests.unit.registry_support import concurrent_events_are_never_lost

pytestmark = pytest.mark.integration


def _bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "postgres").exists() and (candidate / "initdb").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found; install them: apt-get install -y postgresql")
    # initdb refuses to run as root: run the server as the 'postgres' system user then.
    prefix: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="eos-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if owner is not None:
        for path in (base, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [
            *prefix,
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-k",
            str(sockets),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=50",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                engine = sqlalchemy.create_engine(database_url(url))
                with engine.connect():
                    pass
                engine.dispose()
                break
            except sqlalchemy.exc.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start: {server.stderr!r}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(20)
        if server.poll() is None:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_url(postgres_url: str) -> str:
    """A fresh database per test, on the one server."""
    name = f"t{time.monotonic_ns()}"
    engine = sqlalchemy.create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def test_history_status_and_append_only(fresh_url: str) -> None:
    registry = Registry(database_url(fresh_url))
    try:
        key = LabelKey("demo-server", "Demo Server", "Example Vendor", "demo", "core")
        until = datetime.now(UTC) + timedelta(days=700)
        registry.record(key, "award", "auditor", "ok", report_digest="sha256:1", valid_until=until)
        registry.record(key.label_id, "suspend", "auditor", "complaint")
        assert registry.status(key.label_id, datetime.now(UTC)).status == "suspended"
        assert [e.action for e in registry.events(key.label_id)] == ["award", "suspend"]
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            registry.engine.begin() as connection,
        ):
            connection.exec_driver_sql("DELETE FROM label_events")
        assert registry.count_events() == 2
    finally:
        registry.close()


def test_concurrent_writers_lose_no_event(fresh_url: str) -> None:
    concurrent_events_are_never_lost(database_url(fresh_url))
