"""The ``user_expressions`` of an execute request: stored results and the dataset, read after the cell.

One request then brings the output and what an agent needs next (the MCP bridge asks for them on every
call), without a second round trip. Only these names are understood; anything else is answered with an
error for that expression, never by running it as Stata code.
"""

from __future__ import annotations

from typing import Any

from .errors import StataLiveError
from .session import StataSession

STORED = {"r()": "r", "e()": "e", "s()": "s"}
DATASET = "describe()"


class UnsupportedExpression(StataLiveError):
    """An expression this kernel does not evaluate."""


async def evaluate(stata: StataSession, expressions: dict[str, str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, expression in expressions.items():
        expr = expression.strip()
        try:
            if expr in STORED:
                kind = STORED[expr]
                value: Any = await stata.call(lambda engine, k=kind: engine.stored_results(k))
            elif expr == DATASET:
                value = (await stata.call(lambda engine: engine.dataset())).to_json()
            else:
                raise UnsupportedExpression(
                    f"unsupported expression {expression!r}: use r(), e(), s() or describe()")
        except (StataLiveError, RuntimeError, NotImplementedError) as exc:
            results[name] = {"status": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": []}
            continue
        results[name] = {"status": "ok", "data": {"application/json": value, "text/plain": repr(value)},
                         "metadata": {}}
    return results
