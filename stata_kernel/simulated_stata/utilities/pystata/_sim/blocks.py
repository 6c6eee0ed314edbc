"""Blocks that end at ``end`` (programs, Python, Mata), ado-files on the adopath, and the console.

* ``program define NAME`` ... ``end`` stores a program; calling it runs its lines with locals of their own
  (`` `0' `` = everything after the name, `` `1' ``, `` `2' ``... its words). An unknown command ``NAME`` is
  looked up as ``NAME.ado`` on the adopath (``adopath ++ dir`` puts a directory first); the simulator's own
  base ado directory (``<STATA_DIR>/ado/base``) comes last, and holds Stata's ``pause.ado``.
* ``python[:]`` ... ``end`` runs Python in one namespace kept for the whole session; ``print`` goes to the
  ``sys.stdout`` of the moment (pystata points it into Stata's output buffer while Stata runs). A Python
  exception prints its traceback and ends with r(7102).
* ``mata[:]`` ... ``end`` runs a tiny Mata (see :mod:`.mata`).
* A headless Stata has no console: ``_request()``, ``more`` under ``set more on``, and a lone
  ``mata``/``python``/``program define`` typed at the prompt wait for a console line that never comes.
  The simulator waits until a break (a real Stata would read its console).
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from typing import TYPE_CHECKING, Any

from .errors import ExitDo, StataError
from .lexer import Stmt, split_statements

if TYPE_CHECKING:
    from .interp import Interpreter, Node

_PROGRAM = re.compile(r"^(?:(?:cap\w*|qui\w*|noi\w*)\s+)*pr\w*\s+(?:def\w*\s+)?([A-Za-z_]\w*)", re.I)
_PYTHON = re.compile(r"^(?:(?:cap\w*|qui\w*|noi\w*)\s+)*python", re.I)
_RULE = "-" * 78


def wait_for_console(interp: Interpreter, what: str) -> None:
    """Block like a headless Stata reading its console; only a break ends the wait (BreakError)."""
    interp.runtime.console_waits += 1
    while True:
        interp.sleep(3600.0)


def _echo_numbered(interp: Interpreter, node: Node) -> None:
    interp._echo(node.stmt.lines)
    lines = [ln for st in node.block or [] for ln in st.lines]
    lines += node.close.lines if node.close is not None else []
    interp.out("".join(f"{n:>3}. {line}\n" for n, line in enumerate(lines, start=1)))


def exec_end_block(interp: Interpreter, node: Node, echo: bool) -> None:
    header = node.stmt.text.strip()
    program = _PROGRAM.match(header)
    if program is not None:
        if echo:
            _echo_numbered(interp, node)
        define_program(interp, program.group(1), [ln for st in node.block or [] for ln in st.lines])
        if echo:
            interp.out("\n")
        return
    body = [st for st in node.block or []]
    if _PYTHON.match(header):
        _python_block(interp, node, body, echo)
    else:
        from .mata import run_mata_block

        run_mata_block(interp, node, body, echo)


def _python_block(interp: Interpreter, node: Node, body: list[Stmt], echo: bool) -> None:
    code = "\n".join(ln for st in body for ln in st.lines)
    if echo:
        interp._echo(node.stmt.lines)
        interp.out(f"{'-' * 47} python (type end to exit) {'-' * 4}\n")
        interp.out("".join(f">>> {ln}\n" for st in body for ln in st.lines))
    interp.sink.statement_boundary()
    run_python(interp, code)  # an error ends the block where it happened, with no closing rule
    if echo:
        interp.ensure_line_start()
        interp.out(f">>> end\n{_RULE}\n\n")


def run_python(interp: Interpreter, code: str) -> None:
    """Run Python code as Stata's Python integration does; the namespace lives as long as Stata."""
    interp.check_break()
    namespace = interp.runtime.python_namespace
    try:
        exec(compile(code, "<stdin>", "exec"), namespace)
    except SystemExit:
        raise StataError(7102, "") from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        print("".join(traceback.format_exception(exc)).rstrip("\n"), file=sys.stderr)
        raise StataError(7102, "") from None


def define_program(interp: Interpreter, name: str, lines: list[str]) -> None:
    programs = interp.runtime.programs
    if name in programs:
        raise StataError(110, f"{name} already defined")
    programs[name] = "\n".join(lines)


def _ado_dirs() -> list[str]:
    base = os.path.join(os.environ.get("SYSDIR_STATA", ""), "ado", "base")
    return [base]


def _find_ado(interp: Interpreter, name: str) -> str | None:
    for directory in [*interp.runtime.adopath, *_ado_dirs()]:
        for candidate in (os.path.join(directory, f"{name}.ado"), os.path.join(directory, name[0], f"{name}.ado")):
            if os.path.isfile(candidate):
                return candidate
    return None


def call_program(interp: Interpreter, name: str, args: str) -> bool:
    """Run program ``name`` (loading ``name.ado`` from the adopath first); False when there is none."""
    programs = interp.runtime.programs
    if name not in programs:
        path = _find_ado(interp, name)
        if path is None:
            return False
        with open(path, encoding="utf-8") as f:
            code = f.read()
        with interp.visibility(output=False):
            _run_lines(interp, code)
        if name not in programs:
            raise StataError(199, f"{path} did not define program {name}")
    saved = dict(interp.state.locals)
    interp.state.locals.clear()
    interp.state.locals["0"] = args.strip()
    for i, word in enumerate(args.split(), start=1):
        interp.state.locals[str(i)] = word
    try:
        _run_lines(interp, programs[name])
    finally:
        interp.state.locals.clear()
        interp.state.locals.update(saved)
    return True


def _run_lines(interp: Interpreter, code: str) -> None:
    from .interp import build_tree

    tree = build_tree(split_statements(code, do_file=True))
    try:
        interp.exec_nodes(tree, echo=False)
    except ExitDo:
        return


def cmd_program(interp: Interpreter, args: str) -> None:
    """``program drop name|_all``, ``program dir``; a definition typed at the prompt reads the console."""
    words = args.split()
    if words[:1] == ["drop"]:
        for name in words[1:]:
            if name == "_all":
                interp.runtime.programs.clear()
            elif interp.runtime.programs.pop(name, None) is None:
                raise StataError(111, f"program {name} not found")
        return
    if words[:1] == ["dir"] or not words:
        for name in sorted(interp.runtime.programs):
            interp.out(f"  ado {name}\n")
        return
    wait_for_console(interp, "program definition")


def cmd_adopath(interp: Interpreter, args: str) -> None:
    text = args.strip()
    match = re.match(r'^(\+\+|\+|-)\s*(?:`"(.*)"\'|"([^"]*)"|(\S+))\s*$', text)
    if not text:
        for i, directory in enumerate([*interp.runtime.adopath, *_ado_dirs()], start=1):
            interp.out(f"  [{i}]  {directory!r}\n")
        return
    if match is None:
        raise StataError(198, "invalid syntax")
    op, directory = match.group(1), match.group(2) or match.group(3) or match.group(4) or ""
    path = interp.runtime.adopath
    if directory in path:
        path.remove(directory)
    if op == "++":
        path.insert(0, directory)
    elif op == "+":
        path.append(directory)


def cmd_python(interp: Interpreter, args: str) -> None:
    """``python: statement``; ``python`` alone at the prompt starts an interactive session (console)."""
    rest = args.strip()
    if rest.startswith(":"):
        rest = rest[1:].strip()
    if not rest or rest.startswith(","):
        wait_for_console(interp, "python")
    run_python(interp, rest)


def cmd_more(interp: Interpreter, args: str) -> None:
    if interp.state.settings.get("more", "off") == "on":
        wait_for_console(interp, "more")


def request(interp: Interpreter, macname: str) -> Any:
    """The ``_request(macname)`` display directive: reads a line typed at the console."""
    wait_for_console(interp, f"_request({macname})")
