"""Core commands: display, macros, scalars, sleep, set, error/exit, results listings, cd/pwd."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ..errors import ExitDo, LoopControl, StataError, standard_message
from ..expr import Parser, tokenize
from ..fmt import MISSING, display_number, fmt_g, format_number, format_string, is_missing, valid_format
from ..macros import number_to_macro
from ..registry import Registry, parse_options

if TYPE_CHECKING:
    from ..interp import Interpreter

_DIRECTIVE_RE = re.compile(r"(_col(?:umn)?|_skip|_dup|_char|_newline|_n|_continue|_c|_request)\b\s*(?:\(\s*([^)]*)\))?")
_AS_RE = re.compile(r"as\s+(text|txt|result|res|error|err|input|inp)\b|(in)\s+smcl\b")


def display_text(interp: Interpreter, args: str) -> str:
    """Render display's arguments; a trailing NUL means `_continue` was given."""
    out: list[str] = []
    col = interp.column
    pos = 0
    fmt: str | None = None
    dup = 1
    text = args
    cont = False

    def emit(s: str) -> None:
        nonlocal col
        out.append(s)
        nl = s.rfind("\n")
        col = len(s) - nl - 1 if nl >= 0 else col + len(s)

    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        m = _AS_RE.match(text, pos)
        if m:
            pos = m.end()
            continue
        m = _DIRECTIVE_RE.match(text, pos)
        if m:
            name, arg = m.group(1), m.group(2)
            pos = m.end()
            if name == "_request":
                from ..blocks import request

                request(interp, (arg or "").strip())
                continue
            n = int(interp.eval_number(arg)) if arg else 1
            if name.startswith("_col"):
                if col < n - 1:
                    emit(" " * (n - 1 - col))
            elif name == "_skip":
                emit(" " * n)
            elif name in ("_newline", "_n"):
                emit("\n" * n)
            elif name in ("_continue", "_c"):
                cont = True
            elif name == "_dup":
                dup = n
            elif name == "_char":
                emit(chr(n))
            continue
        if text[pos] == ",":  # a comma displays one blank
            emit(" ")
            pos += 1
            continue
        if text[pos] == "%":
            m = re.match(r"%\S+", text[pos:])
            assert m is not None
            fmt = m.group()
            if not valid_format(fmt):
                raise StataError(120, "invalid %format")
            pos += len(fmt)
            continue
        tokens = tokenize(text[pos:])
        parser = Parser(tokens, interp.ctx(), text[pos:])
        f = parser.parse()
        consumed = parser.peek().pos
        if consumed == 0:
            raise StataError(198, "invalid syntax")
        value = f(0)
        pos += consumed
        if isinstance(value, str):
            s = format_string(value, fmt) if fmt else value
        else:
            s = format_number(value, fmt) if fmt else display_number(value)
        emit(s * dup)
        fmt = None
        dup = 1
    return "".join(out) + ("\0" if cont else "")


def cmd_display(interp: Interpreter, args: str) -> None:
    text = display_text(interp, args)
    if text.endswith("\0"):
        interp.out(text[:-1])
    else:
        interp.out(text + "\n")


def _parse_macro_assign(interp: Interpreter, args: str) -> tuple[str, str | None]:
    """`name = exp`, `name "text"`, `name text`, `++name`, `--name`; returns (name, value or None=drop)."""
    args = args.strip()
    m = re.match(r"^(\+\+|--)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", args)
    if m:
        name = m.group(2)
        return name, ""
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$", args, re.S)
    if m is None:
        raise StataError(198, "invalid syntax")
    name, rest = m.group(1), m.group(2)
    if rest.startswith("="):
        v = interp.eval(rest[1:])
        return name, v if isinstance(v, str) else number_to_macro(v)
    if rest.startswith(":"):
        return name, interp._extended_macro(rest[1:].strip())
    rest = rest.strip()
    if rest.startswith('`"') and rest.endswith("\"'"):
        rest = rest[2:-2]
    elif len(rest) >= 2 and rest.startswith('"') and rest.endswith('"') and rest.count('"') == 2:
        rest = rest[1:-1]
    return name, rest


def _macro_cmd(store: str):
    def handler(interp: Interpreter, args: str) -> None:
        target = interp.state.locals if store == "local" else interp.state.globals
        stripped = args.strip()
        m = re.match(r"^(\+\+|--)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", stripped)
        if m:
            old = target.get(m.group(2), "")
            try:
                n = float(old) if old.strip() else 0.0
            except ValueError:
                raise StataError(198, f"{old} invalid") from None
            target[m.group(2)] = number_to_macro(n + (1 if m.group(1) == "++" else -1))
            return
        if stripped.startswith("drop "):
            for n in stripped[5:].split():
                target.pop(n, None)
            return
        name, value = _parse_macro_assign(interp, args)
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value

    return handler


def cmd_scalar(interp: Interpreter, args: str) -> None:
    a = args.strip()
    if a.startswith("define "):
        a = a[7:]
    if a.startswith("drop "):
        for n in a[5:].split():
            if n == "_all":
                interp.state.scalars.clear()
            interp.state.scalars.pop(n, None)
        return
    if a in ("list", "dir") or a.startswith("list ") or a.startswith("dir "):
        for n, v in sorted(interp.state.scalars.items()):
            shown = f'"{v}"' if isinstance(v, str) else fmt_g(v, 9)
            interp.out(f"{n:>12} = {shown:>10}\n")
        return
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", a, re.S)
    if m is None:
        raise StataError(198, "invalid syntax")
    interp.state.scalars[m.group(1)] = interp.eval(m.group(2))


def cmd_sleep(interp: Interpreter, args: str) -> None:
    ms = interp.eval_number(args.strip() or "0")
    if is_missing(ms) or ms < 0:
        raise StataError(198, "invalid syntax")
    interp.sleep(ms / 1000.0)


_SET_KNOWN = {
    "more",
    "graphics",
    "linesize",
    "rmsg",
    "type",
    "varabbrev",
    "trace",
    "level",
    "maxvar",
    "matsize",
    "scheme",
    "output",
    "pagesize",
    "logtype",
    "showbaselevels",
    "printcolor",
    "cformat",
    "pformat",
    "sformat",
    "emptycells",
    "tracedepth",
    "notifyuser",
    "update_query",
    "autotabgraphs",
    "dp",
}


def cmd_set(interp: Interpreter, args: str) -> None:
    parts = args.split()
    if not parts:
        raise StataError(198, "invalid syntax")
    key = parts[0]
    value = " ".join(parts[1:]).split(",")[0].strip()
    if key == "obs":
        n = value
        try:
            nobs = int(float(n))
        except ValueError:
            raise StataError(198, f"'{n}' found where number expected") from None
        old = interp.state.data.nobs
        interp.state.data.set_obs(nobs)
        interp.out(f"Number of observations (_N) was {old:,}, now {nobs:,}.\n")
        return
    if key == "seed":
        try:
            interp.state.rng.seed(int(float(value)))
        except ValueError:
            raise StataError(198, f"'{value}' found where number expected") from None
        return
    if key in _SET_KNOWN:
        interp.state.settings[key] = value
        return
    raise StataError(198, f"set {key} not allowed")


def _rc_from(interp: Interpreter, args: str) -> int:
    a = args.split(",")[0].strip()
    if not a:
        return 0
    v = interp.eval_number(a)
    if is_missing(v):
        raise StataError(198, "invalid syntax")
    return int(v)


def cmd_error(interp: Interpreter, args: str) -> None:
    rc = _rc_from(interp, args)
    if rc == 0:
        return
    raise StataError(rc, standard_message(rc))


def cmd_exit(interp: Interpreter, args: str) -> None:
    rc = _rc_from(interp, args)
    if rc == 0:
        raise ExitDo()
    # `exit #` ends the do-file with that return code but prints no message.
    raise StataError(rc, "")


def cmd_continue(interp: Interpreter, args: str) -> None:
    opts = parse_options(args.split(",", 1)[1]) if "," in args else {}
    raise LoopControl(brk="break" in opts)


def _list_results(interp: Interpreter, kind: str) -> None:
    res = interp.state.r if kind == "r" else interp.state.e
    if res.empty():
        return
    out: list[str] = []
    if res.scalars:
        out.append("\nscalars:\n")
        for k, v in res.scalars.items():
            out.append(f"{kind + '(' + k + ')':>17} =  {number_to_macro(v) if not is_missing(v) else '.'}\n")
    if res.macros:
        out.append("\nmacros:\n")
        for k, v in res.macros.items():
            out.append(f'{kind + "(" + k + ")":>17} : "{v}"\n')
    if res.matrices:
        out.append("\nmatrices:\n")
        for k, (rows, _rn, _cn) in res.matrices.items():
            out.append(f"{kind + '(' + k + ')':>17} :  {len(rows)} x {len(rows[0]) if rows else 0}\n")
    interp.out("".join(out) + "\n")


def cmd_return(interp: Interpreter, args: str) -> None:
    a = args.strip()
    if a.startswith("li"):
        _list_results(interp, "r")
    elif a.startswith("clear"):
        interp.state.r.clear()
    elif a.startswith("sca"):
        m = re.match(r"^\w+\s+([A-Za-z_]\w*)\s*=\s*(.+)$", a)
        if m is None:
            raise StataError(198, "invalid syntax")
        interp.state.r.scalars[m.group(1)] = interp.eval_number(m.group(2))
    elif a.startswith("loc"):
        name, value = _parse_macro_assign(interp, a.split(None, 1)[1] if " " in a else "")
        interp.state.r.macros[name] = value or ""
    else:
        raise StataError(198, "invalid syntax")


def cmd_ereturn(interp: Interpreter, args: str) -> None:
    a = args.strip()
    if a.startswith("li"):
        _list_results(interp, "e")
    elif a.startswith("clear"):
        interp.state.e.clear()
    else:
        raise StataError(198, "invalid syntax")


def cmd_pwd(interp: Interpreter, args: str) -> None:
    interp.out(interp.state.pwd + "\n")


def cmd_cd(interp: Interpreter, args: str) -> None:
    target = args.strip().strip('"')
    if not target:
        interp.out(interp.state.pwd + "\n")
        return
    path = os.path.normpath(os.path.join(interp.state.pwd, os.path.expanduser(target)))
    if not os.path.isdir(path):
        raise StataError(170, f"unable to change to {target}")
    interp.state.pwd = path
    interp.out(path + "\n")


def cmd_macro(interp: Interpreter, args: str) -> None:
    a = args.strip()
    if a.startswith("drop"):
        for n in a.split()[1:]:
            interp.state.globals.pop(n, None)
        return
    if a.startswith("li") or a.startswith("dir") or not a:
        for k, v in sorted(interp.state.globals.items()):
            interp.out(f"{k + ':':<13}{v}\n")
        for k, v in sorted(interp.state.locals.items()):
            interp.out(f"{'_' + k + ':':<13}{v}\n")
        return
    raise StataError(198, "invalid syntax")


def cmd_version(interp: Interpreter, args: str) -> None:
    if not args.strip():
        interp.out("version 18.0\n")


def cmd_noop(interp: Interpreter, args: str) -> None:
    """Commands accepted and ignored (log, program drop of nothing, ...)."""


def cmd_about(interp: Interpreter, args: str) -> None:
    interp.out(
        f"\nSIMULATED Stata/{interp.state.edition} 18.0 — stata-live simulator, not a real Stata\n"
        "No licence, no real statistics engine: a deterministic subset for tests and demos.\n"
    )


def cmd_assert(interp: Interpreter, args: str) -> None:
    f = interp.compile(args.split(",")[0])
    n = interp.state.data.nobs
    bad = 0
    for i in range(max(n, 1) if n else 1):
        v = f(i)
        if isinstance(v, str):
            raise StataError(109, "type mismatch")
        if v == 0:
            bad += 1
    if bad:
        raise StataError(
            9,
            f"{bad} contradiction{'s' if bad != 1 else ''} in {max(n, 1)} "
            f"observation{'s' if n != 1 else ''}\nassertion is false",
        )


def register(reg: Registry) -> None:
    reg.add("display", cmd_display, 2)
    reg.add("local", _macro_cmd("local"), 3)
    reg.add("global", _macro_cmd("global"), 2)
    reg.add("scalar", cmd_scalar, 3)
    reg.add("sleep", cmd_sleep)
    reg.add("set", cmd_set)
    reg.add("error", cmd_error)
    reg.add("exit", cmd_exit)
    reg.add("continue", cmd_continue)
    reg.add("return", cmd_return, 3)
    reg.add("ereturn", cmd_ereturn, 4)
    reg.add("pwd", cmd_pwd)
    reg.add("cd", cmd_cd)
    reg.add("macro", cmd_macro, 2)
    reg.add("version", cmd_version, 4)
    reg.add("about", cmd_about)
    reg.add("assert", cmd_assert)
    for name in ("log", "cmdlog", "capture_log_noop", "discard", "timer"):  # pause: ado/base/p/pause.ado
        reg.add(name, cmd_noop)


__all__ = ["MISSING", "display_text", "register"]
