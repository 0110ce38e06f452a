"""Several portal processes on one database: app processes on their own ports and the job worker, each of which can
be killed with SIGKILL and started again (issue #16's proof and the soak bench use it)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_worker() -> bool:
    """True once background jobs run in their own process (`python -m portal.worker`, the SAQ worker)."""
    return importlib.util.find_spec("portal.worker") is not None


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    # (killed at, back at) monotonic times; back is None while it is down or starting
    outages: list[list[float | None]] = field(default_factory=list)

    def start(self) -> None:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,  # noqa: S603
                                     start_new_session=True)
        handle.close()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up:\n{self.tail()}")
            if not self.port:
                return  # the worker has no port: running is ready
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {READY_TIMEOUT_S} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no shutdown hook runs."""
        assert self.proc is not None
        self.outages.append([time.monotonic(), None])
        os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: uvicorn and anything it forked
        self.proc.wait()

    def restarted(self) -> None:
        self.outages[-1][1] = time.monotonic()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def pss_kib(self) -> int:
        """Proportional set size of the process and its children (memory flat or growing?)."""
        total = 0
        pids = [self.proc.pid] if self.proc else []
        try:
            pids += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except (OSError, AttributeError):
            pass
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total

    def tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


class Cluster:
    """`apps` uvicorn processes (one uvicorn worker each, like separate machines) and, when the portal has one,
    the job worker; all with the environment of this process (database, storage and secret key shared)."""

    def __init__(self, log_dir: Path, *, apps: int = 2, env: dict[str, str] | None = None) -> None:
        base = dict(env or os.environ)
        base.setdefault("PICCOLO_CONF", "piccolo_conf")
        base["PYTHONPATH"] = str(ROOT)
        if has_worker():
            base["PORTAL_JOBS_IN_PROCESS"] = "0"  # the tests' default runs jobs in the web process: here the worker does
            # a queue of their own: the test process's in-process worker must not take the cluster's jobs
            base["PORTAL_QUEUE_NAME"] = f"cluster-{os.getpid()}-{free_port()}"
        # production's periodic passes (the test suite turns them off): recovery of jobs whose worker died
        for name in ("PORTAL_RECOVER_INTERVAL_SECONDS", "PORTAL_CLEANUP_INTERVAL_MINUTES"):
            base.pop(name, None)
        self.apps: list[Process] = []
        for i in range(apps):
            port = free_port()
            args = [sys.executable, "-m", "uvicorn", "--factory", "portal.app:create_app", "--host", "127.0.0.1",
                    "--port", str(port), "--no-access-log", "--log-level", "warning", "--loop", "uvloop",
                    "--http", "httptools"]
            self.apps.append(Process(f"app{i + 1}", args, {**base, "PORT": str(port)}, log_dir / f"app{i + 1}.log",
                                     port=port))
        self.worker = (Process("worker", [sys.executable, "-m", "portal.worker"], base, log_dir / "worker.log")
                       if has_worker() else None)

    @property
    def processes(self) -> list[Process]:
        return [*self.apps, *([self.worker] if self.worker else [])]

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p.port}" for p in self.apps]

    def __enter__(self) -> Cluster:
        try:
            for p in self.processes:
                p.start()
            for p in self.processes:
                p.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.processes:
            p.stop()
