"""When did each step of a slow loop reach the client? Shows who streams and who buffers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

STEPS = 5
SLEEP_MS = 400


def step_times(sent_ns: int, arrivals: Sequence[tuple[int, str]]) -> dict[int, float]:
    """Seconds after sending at which the text ``step i of N`` had fully arrived, per step."""
    seen: dict[int, float] = {}
    text = ""
    for t, chunk in arrivals:
        text += chunk
        for i in range(1, STEPS + 1):
            if i not in seen and f"step {i} of {STEPS}\n" in text:
                seen[i] = (t - sent_ns) / 1e9
    return seen


def describe(sent_ns: int, done_ns: int, arrivals: Sequence[tuple[int, str]]) -> dict[str, Any]:
    seen = step_times(sent_ns, arrivals)
    ideal = (STEPS - 1) * SLEEP_MS / 1000
    if 1 not in seen or STEPS not in seen:
        return {"first_output_s": None, "spread_s": None, "total_s": round((done_ns - sent_ns) / 1e9, 3),
                "messages": len(arrivals), "verdict": "steps missing from the output"}
    spread = seen[STEPS] - seen[1]
    return {
        "first_output_s": round(seen[1], 3),
        "spread_s": round(spread, 3),
        "ideal_spread_s": ideal,
        "total_s": round((done_ns - sent_ns) / 1e9, 3),
        "messages": len(arrivals),
        "verdict": "streams" if spread >= ideal / 2 else "buffers until the end",
    }
