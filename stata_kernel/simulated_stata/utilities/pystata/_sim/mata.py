"""A tiny Mata: enough for blocks in do-files and the one-liners kernels use, not the language.

Statements: ``name = expression``, a bare expression (its value is displayed, as Mata does), and calls of
``printf``, ``st_local``, ``st_global``, ``st_numscalar``, ``st_updata``, ``st_dir``, ``invtokens``,
``strlen``, ``sqrt``, ``exp``, ``ln``, ``abs``, ``floor``, ``ceil``, ``round``. Expressions are arithmetic on
numbers and double-quoted strings; ``x'`` (transpose) is accepted and ignored. Anything else fails as
Mata does: ``<istmt>:  3499  name not found`` or ``<istmt>:  3000  ...`` with that return code.
"""

from __future__ import annotations

import ast
import math
import re
from typing import TYPE_CHECKING, Any

from .errors import StataError
from .fmt import MISSING

if TYPE_CHECKING:
    from .interp import Interpreter, Node
    from .lexer import Stmt

_ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)\s*(.+)$", re.S)
_TRANSPOSE = re.compile(r"(?<=[\w)\]])'")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_RULE = "-" * 78


def _functions(interp: Interpreter) -> dict[str, Any]:
    st = interp.state

    def st_local(name: str, value: Any = None) -> Any:
        if value is None:
            return st.locals.get(name, "")
        st.locals[name] = str(value)
        return None

    def st_global(name: str, value: Any = None) -> Any:
        if value is None:
            return st.globals.get(name, "")
        st.globals[name] = str(value)
        return None

    def st_numscalar(name: str, value: Any = None) -> Any:
        if value is None:
            v = st.scalars.get(name, MISSING)
            return v if isinstance(v, float) else MISSING
        st.scalars[name] = float(value)
        return None

    def st_updata(value: Any = None) -> Any:
        if value is None:
            return int(st.data.changed)
        st.data.changed = bool(value)
        return None

    def st_dir(cat: str, subcat: str, pattern: str = "*") -> list[str]:
        if (cat, subcat) == ("local", "macro"):
            return sorted(st.locals)
        if (cat, subcat) == ("global", "macro"):
            return sorted(st.globals)
        if (cat, subcat) == ("global", "numscalar"):
            return sorted(k for k, v in st.scalars.items() if isinstance(v, float))
        raise StataError(3300, "st_dir(): argument out of range")

    def printf(fmt: str, *args: Any) -> None:
        interp.out(fmt % args if args else fmt)

    return {
        "st_local": st_local, "st_global": st_global, "st_numscalar": st_numscalar, "st_updata": st_updata,
        "st_dir": st_dir, "printf": printf, "invtokens": lambda words: " ".join(words), "strlen": len,
        "sqrt": math.sqrt, "exp": math.exp, "ln": math.log, "abs": abs, "floor": math.floor,
        "ceil": math.ceil, "round": round,
    }


def _python_expression(text: str) -> str:
    out, pos = [], 0
    for match in _STRING.finditer(text):
        out.append(_TRANSPOSE.sub("", text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_TRANSPOSE.sub("", text[pos:]))
    return "".join(out).strip().rstrip(";")


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, list):
        return "  " + "  ".join(str(v) for v in value)
    return f"  {value}"


def run_statement(interp: Interpreter, statement: str) -> None:
    """Run one Mata statement; errors as Mata reports them (message and return code)."""
    text = statement.strip()
    if not text:
        return
    interp.check_break()
    names = interp.runtime.mata_namespace
    scope = {**_functions(interp), **names}
    target = None
    match = _ASSIGN.match(text)
    if match is not None:
        target, text = match.group(1), match.group(2)
    try:
        value = eval(compile(ast.parse(_python_expression(text), mode="eval"), "<istmt>", "eval"), {}, scope)
    except StataError:
        raise
    except NameError as exc:
        name = str(exc).split("'")[1] if "'" in str(exc) else text
        raise StataError(3499, f"<istmt>:  3499  {name}() not found") from None
    except Exception as exc:
        raise StataError(3000, f"<istmt>:  3000  {type(exc).__name__}: {exc}") from None
    if target is not None:
        names[target] = value
    elif value is not None:
        interp.out(_shown(value) + "\n")


def cmd_mata(interp: Interpreter, args: str) -> None:
    """``mata: statement``; ``mata`` alone at the prompt starts an interactive session (reads the console)."""
    rest = args.strip()
    if rest.startswith(":"):
        rest = rest[1:].strip()
    if not rest:
        from .blocks import wait_for_console

        wait_for_console(interp, "mata")
    run_statement(interp, rest)


def run_mata_block(interp: Interpreter, node: Node, body: list[Stmt], echo: bool) -> None:
    if echo:
        interp._echo(node.stmt.lines)
        interp.out(f"{'-' * 49} mata (type end to exit) {'-' * 4}\n")
    for st in body:  # an error ends the block where it happened, with no closing rule
        if echo:
            interp.out("".join(f": {ln}\n" for ln in st.lines))
        run_statement(interp, st.text)
    if echo:
        interp.ensure_line_start()
        interp.out(f": end\n{_RULE}\n\n")
