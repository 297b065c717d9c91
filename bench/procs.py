"""Child processes for benchmarks: pinned to a core, logged to a file, always cleaned up.

Every child runs in its own session, so a Ctrl-C in the terminal reaches only the benchmark,
which then stops its children itself (SIGTERM, then SIGKILL) from `finally` blocks and `atexit`.
A SIGTERM sent to the benchmark is turned into the same orderly exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

CLK_TCK = os.sysconf("SC_CLK_TCK")
_children: list[Child] = []


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def cores() -> tuple[int | None, int | None]:
    """(server core, load-generator core), or (None, None) on a single-core machine."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[0], available[1]


def pin_self(core: int | None) -> None:
    """Keep this process (and the threads it starts from now on) on one core."""
    if core is not None:
        os.sched_setaffinity(0, {core})


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Child:
    """A subprocess with its output in a log file; stop() is idempotent."""

    def __init__(
        self,
        name: str,
        args: Sequence[str],
        *,
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        core: int | None = None,
        stdout_pipe: bool = False,
    ) -> None:
        self.name = name
        self.log = log
        command = list(args)
        taskset = shutil.which("taskset")
        if core is not None and taskset:
            command = [taskset, "-c", str(core), *command]
        self._log_file = log.open("ab")
        self.proc = subprocess.Popen(
            command,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=subprocess.PIPE if stdout_pipe else self._log_file,
            stderr=self._log_file,
            start_new_session=True,
        )
        if core is not None and not taskset:
            os.sched_setaffinity(self.proc.pid, {core})
        _children.append(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The end of the child's log, for error messages."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_port(self, port: int, timeout: float = 60.0) -> None:
        """Return once the child accepts TCP connections on 127.0.0.1:port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            with socket.socket() as s:
                s.settimeout(0.5)
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not listen on port {port}:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; waits for the exit."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log_file.close()
        if self in _children:
            _children.remove(self)


def stop_all() -> None:
    """Stop every child still running (registered with atexit)."""
    for child in list(_children):
        child.stop(timeout=5.0)


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signal.SIGTERM)


def install_cleanup() -> None:
    """Stop children on exit, on Ctrl-C (KeyboardInterrupt) and on SIGTERM."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_sigterm)


def python(*args: str) -> list[str]:
    """A command line running this interpreter (the venv's, when run from it)."""
    return [sys.executable, *args]
