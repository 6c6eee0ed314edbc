"""The kernel's memo of per-cell text checks: short cells are remembered per argument, long ones never held."""

from __future__ import annotations

from stata_kernel.execution import _MEMO_CHARS, memo_short


def _counting() -> tuple[list[tuple[str, str]], object]:
    calls: list[tuple[str, str]] = []

    def check(code: str, delimiter: str) -> str:
        calls.append((code, delimiter))
        return f"{code}|{delimiter}"

    return calls, check


def test_a_short_cell_is_checked_once_per_delimiter():
    calls, check = _counting()
    memo = memo_short(check)  # type: ignore[arg-type]
    assert memo("display 1", "cr") == "display 1|cr"
    assert memo("display 1", "cr") == "display 1|cr"
    assert memo("display 1", ";") == "display 1|;"
    assert calls == [("display 1", "cr"), ("display 1", ";")]


def test_a_long_cell_is_checked_every_time_and_not_kept():
    calls, check = _counting()
    memo = memo_short(check)  # type: ignore[arg-type]
    code = "x" * (_MEMO_CHARS + 1)
    memo(code, "cr")
    memo(code, "cr")
    assert len(calls) == 2
