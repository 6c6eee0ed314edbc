"""Simulator-only commands: ``_sim_flood`` (output benchmark) and ``_sim_crash`` (fault injection)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import StataError
from ..registry import Registry, option, parse_syntax

if TYPE_CHECKING:
    from ..interp import Interpreter

_CHUNK_LINES = 8192


def _int_option(opts: dict[str, str | None], name: str, default: int | None) -> int:
    found, value = option(opts, name)
    if not found:
        if default is None:
            raise StataError(198, f"option {name}() required")
        return default
    try:
        return int(float(value or ""))
    except ValueError:
        raise StataError(198, f"option {name}() invalid") from None


def cmd_sim_flood(interp: Interpreter, args: str) -> None:
    """Write exactly bytes(#) characters as `SEQ 00000001 xxx...` lines of linelen(#) characters."""
    syn = parse_syntax(args)
    total = _int_option(syn.options, "bytes", None)
    linelen = _int_option(syn.options, "linelen", 80)
    if total < 0 or linelen < 16:
        raise StataError(198, "bytes() must be >= 0 and linelen() >= 16")
    rt = interp.runtime
    pad = "x" * (linelen - 14)  # "SEQ " + 8 digits + " " + pad + "\n" == linelen
    template = "SEQ %08d " + pad + "\n"
    full_lines, rest = divmod(total, linelen)
    seq = 1
    while seq <= full_lines:
        interp.check_break()
        end = min(seq + _CHUNK_LINES, full_lines + 1)
        interp.out("".join([template % i for i in range(seq, end)]))
        seq = end
        interp.sink.statement_boundary()
        rt.buffer.wait_for_room(rt._break_event.is_set)
    if rest:
        last = f"SEQ {seq:08d} {pad}"[: rest - 1] + "\n" if rest > 1 else "\n"
        interp.out(last)


def cmd_sim_crash(interp: Interpreter, args: str) -> None:
    """Kill the process mid-run after flushing pending output: `abort` -> SIGABRT, else exit code 137."""
    rt = interp.runtime
    rt.flush_for_crash()
    if args.strip().startswith("abort"):
        os.abort()
    os._exit(137)


def register(reg: Registry) -> None:
    reg.add("_sim_flood", cmd_sim_flood)
    reg.add("_sim_crash", cmd_sim_crash)
