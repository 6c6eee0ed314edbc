"""Linux /proc readings (no psutil): memory, threads, descriptors, processes."""

from __future__ import annotations

from pathlib import Path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for {pid}")


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    _, _, rest = raw.rpartition(")")
    fields = rest.split()
    return fields[0], int(fields[1])  # state, ppid


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z":
                parents[int(entry.name)] = stat[1]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def orphan_kernels() -> set[int]:
    """``stata_kernel`` processes re-parented to init (their parent died without shutting them down).

    Compare a snapshot before and after a test: other people's processes on the machine are not ours.
    """
    orphans: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z" and stat[1] == 1 and "-m stata_kernel" in cmdline(int(entry.name)):
                orphans.add(int(entry.name))
    return orphans


def kernels_of(pid: int) -> set[int]:
    """The ``stata_kernel`` processes started by ``pid`` (its direct children).

    Direct children only: a process a kernel forks has the kernel's command line until it execs.
    """
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z" and stat[1] == pid and "-m stata_kernel" in cmdline(int(entry.name)):
                found.add(int(entry.name))
    return found
