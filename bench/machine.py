"""What the benchmarks print about the machine they ran on (Linux /proc)."""

from __future__ import annotations

import time
from pathlib import Path


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of all cores busy over ``seconds`` (other processes: tests, builds, a browser)."""

    def sample() -> tuple[int, int]:
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    (total0, idle0), _, (total1, idle1) = sample(), time.sleep(seconds), sample()
    return 100 * (1 - (idle1 - idle0) / max(1, total1 - total0))


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    return next(x.split(":", 1)[1].strip() for x in cpuinfo.splitlines() if "model name" in x)
