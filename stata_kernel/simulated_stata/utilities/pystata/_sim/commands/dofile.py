"""include, do and run: running a do-file from a command (how pystata and kernels run several lines).

``include`` runs the file's lines as if typed in place (the caller's locals are shared); ``do`` gives the
file its own locals and prints ``end of do-file``; ``run`` is ``do`` without output. Paths may be quoted
(``"a b.do"``), in compound quotes, or bare; ``.do`` is added when the name has no extension.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ..errors import StataError
from ..registry import Registry

if TYPE_CHECKING:
    from ..interp import Interpreter

_PATH = re.compile(r'^\s*(?:`"(?P<compound>.*?)"\'|"(?P<quoted>[^"]*)"|(?P<bare>\S+))(?P<rest>.*)$', re.S)


def _path(args: str) -> str:
    match = _PATH.match(args)
    if match is None:
        raise StataError(198, "invalid file specification")
    path = match.group("compound") or match.group("quoted") or match.group("bare") or ""
    if not os.path.splitext(path)[1]:
        path += ".do"
    return path


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise StataError(601, f"file {path} not found") from None
    except OSError:
        raise StataError(603, f"file {path} could not be opened") from None


def cmd_include(interp: Interpreter, args: str) -> None:
    code = _read(_path(args))
    interp.run_code(code, do_file=True)


def _run_own_locals(interp: Interpreter, code: str) -> None:
    saved = dict(interp.state.locals)
    interp.state.locals.clear()
    try:
        interp.run_code(code, do_file=True)
    finally:
        interp.state.locals.clear()
        interp.state.locals.update(saved)


def cmd_do(interp: Interpreter, args: str) -> None:
    _run_own_locals(interp, _read(_path(args)))
    interp.ensure_line_start()
    interp.out("\nend of do-file\n")


def cmd_run(interp: Interpreter, args: str) -> None:
    code = _read(_path(args))
    with interp.visibility(output=False):
        _run_own_locals(interp, code)


def register(reg: Registry) -> None:
    reg.add("include", cmd_include)
    reg.add("do", cmd_do)
    reg.add("run", cmd_run)
