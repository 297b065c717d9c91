"""Facts about the machine a figure was measured on, printed with every run."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> str:
    """One line: date, CPUs, CPU model, Python, load average."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{today}; nproc {os.cpu_count()} ({cpu_model()}); "
        f"Python {platform.python_version()}; load average {load}"
    )
