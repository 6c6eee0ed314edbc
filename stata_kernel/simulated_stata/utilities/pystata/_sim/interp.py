"""The interpreter: block structure, prefixes, do-file echo, macro expansion and command dispatch."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .errors import BreakError, ExitDo, LoopControl, StataError
from .expr import Compiled, Parser, Value, compile_expression, tokenize
from .fmt import MISSING, is_missing
from .lexer import Stmt, split_statements
from .macros import MacroExpander, number_to_macro
from .registry import Registry, split_command
from .state import State

_LOOP_RE = re.compile(r"^(forv(?:a(?:l(?:u(?:e(?:s)?)?)?)?)?|foreach|while)\b", re.I)
_PREFIX_RE = re.compile(
    r"^(qui(?:e(?:t(?:l(?:y)?)?)?)?|noi(?:s(?:i(?:l(?:y)?)?)?)?|cap(?:t(?:u(?:r(?:e)?)?)?)?)(?![A-Za-z0-9_])\s*:?\s*(.*)$",
    re.S,
)


class Sink:
    """Where the interpreter's output goes (the runtime's output buffer)."""

    def write(self, text: str) -> None:
        raise NotImplementedError

    def statement_boundary(self) -> None:
        """Output so far belongs to finished statements (the output thread may print it)."""


@dataclass
class Node:
    stmt: Stmt
    body: list[Node] | None = None
    close: Stmt | None = None
    block: list[Stmt] | None = None  # statements of a program/python/mata block, up to (not with) its `end`

    def physical_lines(self) -> list[str]:
        lines = list(self.stmt.lines)
        for child in self.body or []:
            lines.extend(child.physical_lines())
        if self.close is not None:
            lines.extend(self.close.lines)
        return lines


def build_tree(stmts: list[Stmt], end_blocks: bool = True) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []
    current = root
    pending_end: Node | None = None
    for st in stmts:
        text = st.text.strip()
        if pending_end is not None:  # inside program/python/mata: everything up to `end` is the block's
            assert pending_end.block is not None
            if text == "end":
                pending_end.close = st
                pending_end = None
            else:
                pending_end.block.append(st)
            continue
        if end_blocks and END_BLOCK_RE.match(text):
            pending_end = Node(st, block=[])
            current.append(pending_end)
            continue
        if text == "}" or (text.startswith("}") and not text[1:].strip().startswith("else")):
            if text != "}":
                raise StataError(198, "program error:  code follows on the same line as close brace")
            if not stack:
                raise StataError(198, "unexpected close brace }")
            node, parent = stack.pop()
            node.close = st
            current = parent
            continue
        if text.startswith("}"):  # `} else {`
            if not stack:
                raise StataError(198, "unexpected close brace }")
            node, parent = stack.pop()
            node.close = Stmt(text="}", lines=[], lineno=st.lineno)
            current = parent
            st = Stmt(text=text[1:].strip(), lines=st.lines, lineno=st.lineno)
            text = st.text
        node = Node(st)
        current.append(node)
        if text.endswith("{") and not text.endswith("`{"):
            node.body = []
            stack.append((node, current))
            current = node.body
    if stack or pending_end is not None:
        raise StataError(612, "unexpected end of file")
    return root


# Openers of blocks that end at `end`: `program [define] name`, `python[:]`, `mata[:]` (with prefixes).
END_BLOCK_RE = re.compile(
    r"^(?:(?:cap\w*|qui\w*|noi\w*)\s+)*(?:pr(?:o|og|ogr|ogra|ogram)?\s+(?!drop\b|dir\b|l\b|li\w*\b)"
    r"(?:def\w*\s+)?[A-Za-z_]\w*.*|python\s*:?\s*(?:,.*)?|mata\s*:?\s*)$",
    re.I,
)


@dataclass
class Visibility:
    output: bool = True
    errors: bool = True


@dataclass
class Interpreter:
    """Executes statements against ``state``, writing output to ``sink`` under the current visibility."""

    state: State
    sink: Sink
    registry: Registry
    check_break: Callable[[], None]
    sleep: Callable[[float], None]
    vis: Visibility = field(default_factory=Visibility)
    column: int = 0  # current output column (for display's _col())
    runtime: Any = None  # the owning Runtime (simulator-only commands reach the output buffer through it)
    _expander: MacroExpander | None = None

    # ----- output
    def out(self, text: str) -> None:
        if self.vis.output and text:
            self.sink.write(text)
            nl = text.rfind("\n")
            self.column = len(text) - nl - 1 if nl >= 0 else self.column + len(text)

    def err_out(self, text: str) -> None:
        if self.vis.errors and text:
            self.sink.write(text)
            self.column = 0

    def ensure_line_start(self) -> None:
        if self.column:
            self.out("\n")

    @contextmanager
    def visibility(self, output: bool | None = None, errors: bool | None = None) -> Iterator[None]:
        old = self.vis
        self.vis = Visibility(
            output=old.output if output is None else output, errors=old.errors if errors is None else errors
        )
        try:
            yield
        finally:
            self.vis = old

    # ----- macros and expressions
    def expander(self) -> MacroExpander:
        st = self.state
        return MacroExpander(
            local=lambda n: st.locals.get(n, ""),
            set_local=lambda n, v: st.locals.__setitem__(n, v),
            global_=lambda n: st.globals.get(n, ""),
            evaluate=lambda e: value_to_macro(self.eval(e)),
            special=self._special_macro,
            extended=self._extended_macro,
        )

    def expand(self, text: str) -> str:
        if "`" not in text and "$" not in text:
            return text
        if self._expander is None:
            self._expander = self.expander()
        return self._expander.expand(text)

    def _special_macro(self, inner: str) -> str | None:
        m = re.fullmatch(r"\s*([rec])\((.*)\)\s*", inner)
        if m is None:
            return None
        kind, key = m.group(1), m.group(2).strip()
        v = self.stored(kind, key)
        return v if isinstance(v, str) else value_to_macro(v)

    def _extended_macro(self, text: str) -> str:
        words = text.split()
        if not words:
            raise StataError(198, "invalid syntax")
        if words[:2] == ["word", "count"]:
            return str(len(_split_words(text.split("count", 1)[1])))
        if words[0] == "word" and len(words) >= 3 and words[2] == "of":
            items = _split_words(text.split(" of ", 1)[1])
            k = int(words[1])
            return items[k - 1] if 1 <= k <= len(items) else ""
        if words[:2] == ["list", "sizeof"] and len(words) == 3:
            return str(len(_split_words(self.state.locals.get(words[2], ""))))
        if words[0] in ("di", "dis", "disp", "display"):
            from .commands.core import display_text

            return display_text(self, text.split(None, 1)[1] if len(words) > 1 else "")
        if words[0] in ("variable", "var") and len(words) == 3 and words[1] == "label":
            return self.state.data.get(words[2]).label
        if words[0] in ("type", "format") and len(words) == 2:
            v = self.state.data.get(words[1])
            return v.type if words[0] == "type" else v.format
        raise StataError(198, f"{words[0]} invalid extended macro function")

    def ctx(self) -> EvalCtx:
        return EvalCtx(self)

    def compile(self, text: str) -> Compiled:
        return compile_expression(text, self.ctx())

    def eval(self, text: str) -> Value:
        return compile_expression(text, self.ctx())(0)

    def eval_number(self, text: str) -> float:
        v = self.eval(text)
        if isinstance(v, str):
            raise StataError(109, "type mismatch")
        return v

    def stored(self, kind: str, key: str) -> Value:
        st = self.state
        if kind == "c":
            return st.c_value(key)
        res = {"r": st.r, "e": st.e, "s": st.s}[kind]
        if key in res.scalars:
            return res.scalars[key]
        if key in res.macros:
            return res.macros[key]
        return "" if kind == "s" else MISSING

    # ----- running code
    def run_code(self, code: str, do_file: bool) -> None:
        stmts = split_statements(code, do_file=do_file)
        tree = build_tree(stmts, end_blocks=do_file)
        try:
            self.exec_nodes(tree, echo=do_file)
        except ExitDo:
            return
        except LoopControl as exc:
            raise StataError(198, "continue may only be used within a loop") from exc
        if do_file:
            self.ensure_line_start()
            self.out(". \n")  # the prompt Stata shows when it reaches the end of the do-file

    def exec_nodes(self, nodes: list[Node], echo: bool) -> None:
        last_if: bool | None = None
        for node in nodes:
            last_if = self.exec_node(node, echo, last_if)

    def _echo(self, lines: list[str]) -> None:
        if not lines:
            return
        self.ensure_line_start()
        text = ". " + lines[0] + "\n" + "".join("> " + ln + "\n" for ln in lines[1:])
        self.out(text)

    def exec_node(self, node: Node, echo: bool, last_if: bool | None) -> bool | None:
        st = node.stmt
        if st.delimit is not None:
            if echo:
                self._echo(st.lines)
                self.out(f"delimiter now {st.delimit}\n\n")
            return None
        if node.block is not None:
            from .blocks import exec_end_block

            exec_end_block(self, node, echo)
            return None
        if node.body is None:
            if st.is_empty:
                if echo and st.lines:
                    self._echo(st.lines)  # blank and comment-only lines are echoed too, without a blank line
                return None
            if echo:
                self._echo(st.lines)
            result = self.exec_statement(st.text, last_if)
            if echo:
                self.ensure_line_start()
                self.out("\n")
            return result
        return self.exec_block(node, echo, last_if)

    def exec_statement(self, raw: str, last_if: bool | None = None) -> bool | None:
        """Execute one simple statement; errors print their message once, here."""
        self.check_break()
        self.sink.statement_boundary()
        try:
            text = self.expand(raw).strip()
            word = text.split(None, 1)[0] if text else ""
            if word == "else":
                if last_if is None:
                    raise StataError(198, "else invalid")
                rest = text[4:].strip()
                if not last_if and rest:
                    self.exec_command(rest)
                return None
            if word == "if":
                return self._if_command(text[2:])
            self.exec_command(text)
        except StataError as exc:
            self._report(exc)
            raise
        return None

    def _report(self, exc: StataError) -> None:
        if exc.printed:
            return
        exc.printed = True
        if isinstance(exc, BreakError):
            self.ensure_line_start()
            self.sink.write("--Break--\n")
            self.column = 0
            return
        if exc.message:
            if self.vis.errors:
                self.ensure_line_start()
            self.err_out(exc.message + "\n")

    def _if_command(self, rest: str) -> bool:
        cond, cmd = self.split_leading_expression(rest)
        truth = self._truth(cond)
        if truth and cmd.strip():
            self.exec_command(cmd)
        return truth

    def _truth(self, cond: str) -> bool:
        v = self.eval(cond)
        if isinstance(v, str):
            raise StataError(109, "type mismatch")
        return v != 0

    def split_leading_expression(self, text: str) -> tuple[str, str]:
        tokens = tokenize(text)
        parser = Parser(tokens, self.ctx(), text)
        parser.parse()
        pos = parser.peek().pos
        return text[:pos], text[pos:]

    def exec_command(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        m = _PREFIX_RE.match(text)
        if m:
            word, rest = m.group(1), m.group(2)
            if word.startswith("qui"):
                with self.visibility(output=False):
                    self.exec_command(rest)
            elif word.startswith("noi"):
                with self.visibility(output=True, errors=True):
                    self.exec_command(rest)
            else:
                self._capture(lambda: self.exec_command(rest))
            return
        if text.startswith("*"):
            return
        try:
            if text.startswith("if ") or text == "if":
                self._if_command(text[2:])
                return
            name, args = split_command(text)
            cmd = self.registry.lookup(name)
            if cmd is None:
                from .blocks import call_program

                if not call_program(self, name, args):
                    raise StataError(199, f"command {name} is unrecognized")
                return
            cmd.handler(self, args)
        except StataError as exc:
            self._report(exc)  # printed where it happens, under the visibility in force there
            raise

    def _capture(self, body: Callable[[], None]) -> None:
        with self.visibility(output=False, errors=False):
            try:
                body()
            except BreakError:
                raise
            except StataError as exc:
                exc.printed = True
                self.state.rc = exc.rc
                return
        self.state.rc = 0

    # ----- blocks
    def exec_block(self, node: Node, echo: bool, last_if: bool | None) -> bool | None:
        st = node.stmt
        header_raw = st.text.strip()[:-1].strip()
        body = node.body or []
        if _LOOP_RE.match(header_raw):
            if echo:
                self._echo(st.lines)
                more = node.physical_lines()[len(st.lines) :]
                self.out("".join(f"{n:>3}. {line}\n" for n, line in enumerate(more, start=2)))
            self.sink.statement_boundary()
            try:
                self._loop(header_raw, body)
            except StataError as exc:
                self._report(exc)
                raise
            if echo:
                self.ensure_line_start()
                self.out("\n")
            return None
        # if / else / prefix blocks: the body's commands are echoed one by one as they run.
        if echo:
            self._echo(st.lines)
        result: bool | None = None
        try:
            word = header_raw.split(None, 1)[0] if header_raw else ""
            if word == "if":
                self.check_break()
                result = self._truth(self.expand(header_raw[2:]))
                if result:
                    self.exec_nodes(body, echo)
            elif word == "else":
                if last_if is None:
                    raise StataError(198, "else invalid")
                if not last_if:
                    self.exec_nodes(body, echo)
            else:
                self._prefix_block(header_raw, body, echo)
        except StataError as exc:
            self._report(exc)
            raise
        if echo and node.close is not None:
            self._echo(node.close.lines or ["}"])
            self.out("\n")
        return result

    def _prefix_block(self, header: str, body: list[Node], echo: bool) -> None:
        text = header
        wrappers: list[str] = []
        while text:
            m = _PREFIX_RE.match(text)
            if not m:
                raise StataError(198, "program error:  code follows on the same line as open brace")
            wrappers.append(m.group(1)[:3])
            text = m.group(2).strip()

        def run(i: int) -> None:
            if i == len(wrappers):
                self.exec_nodes(body, echo and self.vis.output)
                return
            w = wrappers[i]
            if w == "qui":
                with self.visibility(output=False):
                    run(i + 1)
            elif w == "noi":
                with self.visibility(output=True, errors=True):
                    run(i + 1)
            else:
                self._capture(lambda: run(i + 1))

        run(0)

    def _loop(self, header: str, body: list[Node]) -> None:
        word = header.split(None, 1)[0].lower()
        if word == "while":
            raw_cond = header[len(word) :]
            while True:
                self.check_break()
                if not self._truth(self.expand(raw_cond)):
                    return
                if self._iteration(body):
                    return
        header = self.expand(header)
        if word == "foreach":
            name, items = self._foreach_items(header[len(word) :])
        else:
            name, items = self._forvalues_items(header[len(word) :])
        for item in items:
            self.check_break()
            self.state.locals[name] = item
            if self._iteration(body):
                return

    def _iteration(self, body: list[Node]) -> bool:
        """Run a loop body once; True means `continue, break`."""
        try:
            self.exec_nodes(body, echo=False)
        except LoopControl as ctl:
            return ctl.brk
        return False

    def _forvalues_items(self, spec: str) -> tuple[str, Iterator[str]]:
        m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", spec)
        if m is None:
            raise StataError(198, "invalid syntax")
        name, rng = m.group(1), m.group(2).strip()
        return name, (number_to_macro(x) for x in numlist_range(rng, self))

    def _foreach_items(self, spec: str) -> tuple[str, list[str]]:
        m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(in|of)\s*(.*)$", spec, re.S)
        if m is None:
            raise StataError(198, "invalid syntax")
        name, how, rest = m.group(1), m.group(2), m.group(3).strip()
        if how == "in":
            return name, _split_words(rest)
        kind, _, arg = rest.partition(" ")
        arg = arg.strip()
        if kind in ("local", "loc"):
            return name, _split_words(self.state.locals.get(arg, ""))
        if kind in ("global", "glo"):
            return name, _split_words(self.state.globals.get(arg, ""))
        if kind in ("varlist", "var"):
            return name, [v.name for v in self.state.data.expand_varlist(arg)]
        if kind in ("newlist", "new"):
            return name, arg.split()
        if kind in ("numlist", "num"):
            return name, [number_to_macro(x) for x in parse_numlist(arg, self)]
        raise StataError(198, "invalid syntax")


def _split_words(text: str) -> list[str]:
    """Split a list on blanks, honouring "quoted items" and `"compound"' quotes (quotes removed)."""
    items: list[str] = []
    i = 0
    text = text.strip()
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text.startswith('`"', i):
            depth = 0
            j = i
            while j < len(text):
                if text.startswith('`"', j):
                    depth += 1
                    j += 2
                elif text.startswith("\"'", j):
                    depth -= 1
                    j += 2
                    if depth == 0:
                        break
                else:
                    j += 1
            items.append(text[i + 2 : j - 2])
            i = j
        elif text[i] == '"':
            j = text.find('"', i + 1)
            j = len(text) if j < 0 else j
            items.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            items.append(text[i:j])
            i = j
    return items


def _num_token(tok: str, interp: Interpreter) -> float:
    try:
        return float(tok)
    except ValueError:
        raise StataError(121, f"'{tok}' found where number expected") from None


def numlist_range(rng: str, interp: Interpreter) -> Iterator[float]:
    """forvalues ranges: a/b, a(s)b, a[s]b, `a b to c` / `a b : c`."""
    rng = rng.strip()
    m = re.fullmatch(r"(\S+?)\s*/\s*(\S+)", rng)
    if m:
        a, b, step = _num_token(m.group(1), interp), _num_token(m.group(2), interp), 1.0
    else:
        m = re.fullmatch(r"(\S+?)\s*[(\[]\s*(\S+?)\s*[)\]]\s*(\S+)", rng)
        if m:
            a, step, b = (_num_token(m.group(k), interp) for k in (1, 2, 3))
        else:
            m = re.fullmatch(r"(\S+)\s+(\S+)\s*(?:to|:)\s*(\S+)", rng)
            if m is None:
                raise StataError(198, "invalid syntax")
            a, second, b = (_num_token(m.group(k), interp) for k in (1, 2, 3))
            step = second - a
    if step == 0:
        raise StataError(198, "invalid syntax")
    count = int((b - a) / step + 1e-9)
    for k in range(count + 1):
        yield a + k * step


def parse_numlist(text: str, interp: Interpreter) -> list[float]:
    out: list[float] = []
    for part in re.findall(r"\S+?\s*[(\[]\s*\S+?\s*[)\]]\s*\S+|\S+", text):
        if "/" in part or "(" in part or "[" in part:
            out.extend(numlist_range(part, interp))
        else:
            out.append(_num_token(part, interp))
    return out


def value_to_macro(v: Value) -> str:
    if isinstance(v, str):
        return v
    return number_to_macro(v)


class EvalCtx:
    """Expression context bound to the interpreter's state."""

    def __init__(self, interp: Interpreter) -> None:
        self._interp = interp
        self._state = interp.state

    def nobs(self) -> int:
        return self._state.data.nobs

    def column(self, name: str) -> list[Any]:
        var = self._state.data.find(name)
        if var is None:
            if name in self._state.scalars:
                value = self._state.scalars[name]
                return [value]
            raise StataError(111, f"{name} not found")
        return var.values

    def named_value(self, name: str) -> Value | None:
        if name == "_rc":
            return float(self._state.rc)
        if self._state.data.find_exact(name) is None and name in self._state.scalars:
            return self._state.scalars[name]
        return None

    def stored(self, kind: str, name: str) -> Value:
        return self._interp.stored(kind, name)

    def coef(self, kind: str, name: str) -> float:
        e = self._state.e
        if "b" not in e.matrices:
            raise StataError(301, "last estimates not found")
        rows, _rn, cols = e.matrices["b"]
        if name not in cols:
            raise StataError(111, f"[{name}] not found")
        j = cols.index(name)
        if kind == "b":
            return rows[0][j]
        v_rows = e.matrices["V"][0]
        val = v_rows[j][j]
        return MISSING if is_missing(val) else val**0.5

    def uniform(self) -> float:
        return self._state.rng.random()

    def normal(self) -> float:
        return self._state.rng.gauss(0.0, 1.0)
