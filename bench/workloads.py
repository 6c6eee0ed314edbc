"""The Stata code each section runs, and checks of what came back."""

from __future__ import annotations

import re

from mcp_bridge.relay import SKIPPED_MARKER


def latency_probe(lines: int, sleep_ms: int = 5) -> str:
    """A trickle: one short line every few milliseconds (pieces every output-thread tick)."""
    return f'forvalues i = 1/{lines} {{\n    display "latency probe `i\' of {lines}"\n    sleep {sleep_ms}\n}}'


def stepped_loop(steps: int = 5, sleep_ms: int = 400) -> str:
    """A loop with sleeps: streaming kernels show each step as it happens, buffering ones at the end."""
    return f'forvalues i = 1/{steps} {{\n    display "step `i\' of {steps}"\n    sleep {sleep_ms}\n}}'


def flood(total_bytes: int) -> str:
    return f"_sim_flood, bytes({total_bytes})"


def flood_text(total_bytes: int, linelen: int = 80) -> str:
    """Exactly what ``_sim_flood, bytes(N)`` writes (see the simulator's SIMULATED.txt)."""
    pad = "x" * (linelen - 14)
    full, rest = divmod(total_bytes, linelen)
    text = "".join(f"SEQ {i:08d} {pad}\n" for i in range(1, full + 1))
    if rest:
        text += f"SEQ {full + 1:08d} {pad}"[: rest - 1] + "\n" if rest > 1 else "\n"
    return text


_SEQ = re.compile(r"^SEQ (\d{8}) ", re.MULTILINE)


def flood_bytes_lost(received: str, total_bytes: int, linelen: int = 80) -> int:
    """0 when the flood arrived complete and in order; else an estimate of the characters missing."""
    start = received.find("SEQ 00000001 ")
    got = received[start:] if start >= 0 else ""
    expected = flood_text(total_bytes, linelen)
    if got.startswith(expected):
        return 0
    seen = {int(m.group(1)) for m in _SEQ.finditer(got)}
    wanted = range(1, -(-total_bytes // linelen) + 1)
    missing_lines = sum(1 for i in wanted if i not in seen)
    return max(missing_lines * linelen, total_bytes - len(got), 1)


def flood_progress_accounting(received: str, total_bytes: int, linelen: int = 80) -> tuple[int, int]:
    """(lost, skipped) for a flood's MCP progress text.

    ``skipped``: characters the bridge left out of progress because the client fell behind its window, each run
    of them replaced by one marker that counts it (by design: bounded memory). ``lost``: characters neither
    received nor counted by a marker, or anything out of order (then estimated as :func:`flood_bytes_lost`).
    """
    start = received.find("SEQ 00000001 ")
    got = received[start:] if start >= 0 else ""
    expected = flood_text(total_bytes, linelen)
    parts = SKIPPED_MARKER.split(got)
    at = skipped = 0
    for index, part in enumerate(parts):
        if index % 2:
            count = int(part.replace(",", ""))
            skipped += count
            at += count
        elif expected[at : at + len(part)] == part:
            at += len(part)
        else:
            return flood_bytes_lost(SKIPPED_MARKER.sub("", got), total_bytes, linelen), skipped
    return len(expected) - at, skipped
