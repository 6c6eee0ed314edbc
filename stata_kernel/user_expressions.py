"""The ``user_expressions`` of an execute request: stored results and the dataset, read after the cell.

One request then brings the output and what an agent needs next (the MCP bridge asks for them on every
call), without a second round trip. Only these names are understood; anything else is answered with an
error for that expression, never by running it as Stata code.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine
from .errors import StataLiveError
from .session import StataSession

STORED = {"r()": "r", "e()": "e", "s()": "s"}
DATASET = "describe()"


class UnsupportedExpression(StataLiveError):
    """An expression this kernel does not evaluate."""


async def evaluate(stata: StataSession, expressions: dict[str, str]) -> dict[str, Any]:
    """Every expression in one call on the Stata worker (one thread hand-off per request, not per name)."""
    if not expressions:
        return {}
    try:
        return await stata.call(lambda engine: _evaluate_all(engine, expressions))
    except _FAILURES as exc:  # no engine (Stata not found or not started): every expression says why
        return {name: _failed(exc) for name in expressions}


_FAILURES = (StataLiveError, RuntimeError, NotImplementedError)


def _evaluate_all(engine: Engine, expressions: dict[str, str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, expression in expressions.items():
        try:
            value = _value(engine, expression)
        except _FAILURES as exc:
            results[name] = _failed(exc)
            continue
        results[name] = {"status": "ok", "data": {"application/json": value, "text/plain": repr(value)},
                         "metadata": {}}
    return results


def _value(engine: Engine, expression: str) -> Any:
    expr = expression.strip()
    if expr in STORED:
        return engine.stored_results(STORED[expr])
    if expr == DATASET:
        return engine.dataset().to_json()
    raise UnsupportedExpression(f"unsupported expression {expression!r}: use r(), e(), s() or describe()")


def _failed(exc: BaseException) -> dict[str, Any]:
    return {"status": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": []}
