"""The simulator's emission log and matching its pieces to what a client received.

``SIMSTATA_EMIT_LOG`` makes the simulated Stata append ``<time_ns> <run> <cumulative chars of the run>``
each time text enters its output buffer (that is when Stata printed it; any embedder's polling is then part
of the latency). A client records ``(time_ns, cumulative chars received)`` per
message; a piece's latency is the arrival time of the first message whose cumulative count covers
the piece's end, minus its emission time. Both sides use ``time.time_ns()`` on the same machine.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_FINAL_PROMPT = ". \n"


@dataclass(frozen=True)
class Piece:
    time_ns: int
    run: int
    cumulative: int


class EmitLog:
    """Reads pieces appended since the last mark (one log file per Stata process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0

    def mark(self) -> None:
        self._offset = self.path.stat().st_size if self.path.exists() else 0

    def pieces_since_mark(self) -> list[Piece]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as f:
            f.seek(self._offset)
            data = f.read()
        pieces = []
        for line in data.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3:
                pieces.append(Piece(int(parts[0]), int(parts[1]), int(parts[2])))
        return pieces


def main_run(pieces: Sequence[Piece]) -> list[Piece]:
    """The pieces of the run that printed the most (helper runs, e.g. graph listing, print little)."""
    totals: dict[int, int] = {}
    for piece in pieces:
        totals[piece.run] = max(totals.get(piece.run, 0), piece.cumulative)
    if not totals:
        return []
    run = max(totals, key=lambda r: totals[r])
    return [p for p in pieces if p.run == run]


def cumulative(arrivals: Sequence[tuple[int, str]]) -> list[tuple[int, int]]:
    """(arrival time_ns, text) pairs -> (arrival time_ns, characters received so far), for latencies_ms."""
    total = 0
    out = []
    for t, text in arrivals:
        total += len(text)
        out.append((t, total))
    return out


def latencies_ms(pieces: Sequence[Piece], arrivals: Sequence[tuple[int, int]]) -> tuple[list[float], int]:
    """Per-piece latency in ms, and how many pieces never arrived (cumulative count not reached)."""
    times = [t for t, _ in arrivals]
    counts = [c for _, c in arrivals]
    out: list[float] = []
    missing = 0
    received = counts[-1] if counts else 0
    for n, piece in enumerate(pieces):
        i = bisect.bisect_left(counts, piece.cumulative)
        if i >= len(counts):
            # A do-file's closing prompt (". " and a newline) is Stata's last print; kernels trim it.
            if n == len(pieces) - 1 and piece.cumulative - received <= len(_FINAL_PROMPT):
                continue
            missing += 1
            continue
        out.append((times[i] - piece.time_ns) / 1e6)
    return out, missing
