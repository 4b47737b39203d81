"""The harness's own reaper: removes a run's containers and networks once the run is gone.

Started as a detached process when a run creates its first container. It waits for the
harness process to end — however it ends, SIGKILL included — then removes everything that
carries the run's label. A normal stop has already removed it all; then there is nothing to do.

    python -m conformance.candidate.launchers.reaper PID LABEL=VALUE
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

LABEL = "org.eos-conformance.run"


def spawn(run_id: str) -> None:
    subprocess.Popen(
        [sys.executable, "-m", "conformance.candidate.launchers.reaper", str(os.getpid()), run_id],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(os.environ),
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); its /proc status says it is gone.
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        return not any(line.startswith("State:\tZ") for line in status)
    return True


def remove_labelled(run_id: str) -> int:
    """Remove every container and network of the run; returns how many were removed."""
    import docker

    client = docker.from_env(timeout=30)  # type: ignore[attr-defined]
    removed = 0
    selector = {"label": f"{LABEL}={run_id}"}
    try:
        for container in client.containers.list(all=True, filters=selector):
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)
                removed += 1
        for network in client.networks.list(filters=selector):
            with contextlib.suppress(docker.errors.APIError):
                network.remove()
                removed += 1
        for volume in client.volumes.list(filters=selector):
            with contextlib.suppress(docker.errors.APIError):
                volume.remove(force=True)
                removed += 1
    finally:
        client.close()
    return removed


def main() -> None:
    pid, run_id = int(sys.argv[1]), sys.argv[2]
    while _alive(pid):
        time.sleep(0.5)
    remove_labelled(run_id)


if __name__ == "__main__":
    main()
