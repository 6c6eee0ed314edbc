"""Process facts read from /proc: resident memory and children (to find a bridge's kernel)."""

from __future__ import annotations

import threading
from pathlib import Path


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def find_descendant(pid: int, needle: str) -> int | None:
    """First descendant (breadth-first) whose command line contains ``needle``."""
    queue = children(pid)
    while queue:
        child = queue.pop(0)
        if needle in cmdline(child):
            return child
        queue.extend(children(child))
    return None


class PeakRss:
    """Samples a process's RSS every ``interval`` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.before = rss_mb(pid) or 0.0
        self.peak = self.before
        self.samples = 0  # how many times RSS was read (a 1 s run at 20 ms: about 50)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"rss-{pid}", daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self) -> None:
        value = rss_mb(self.pid)
        self.samples += 1
        if value is not None and value > self.peak:
            self.peak = value

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    @property
    def growth(self) -> float:
        return round(self.peak - self.before, 1)
