"""Command policy for agent-run code: what the MCP bridge refuses before code reaches Stata.

Deny by default: shell escapes (``!``, ``shell``, ``xshell``, ``winexec``, ``unix``, ``dos``, embedded
``python`` and ``java``), file deletion (``erase``, ``rm``, ``rmdir``, Mata ``unlink()``/``rmdir()``), and
a command word that is itself a macro expansion (`` `c' ls``, ``$cmd``), whose meaning cannot be known
before run time. With ``allowed_dirs``, also ``cd`` and every write (``save``, ``export``, ``outsheet``,
``log using``, ``graph export``, ``putexcel``, ``copy``, ``mkdir``, ``file open ..., write``,
``saving()``...) outside them, and ``do``/``run`` of a file the same code wrote.

The checker sees the code as Stata will: it uses the same scanner as the kernel (comments, ``///``,
``#delimit ;``, nested blocks), looks through ``quietly``/``noisily``/``capture`` and colon prefixes
(``by x:``, ``version 17:``, ``statsby ...:``), single-line ``if``/``else``, ``mata: stata("...")``
strings, and scans a second time with ``/* */`` comments removed outright, so ``s/**/hell`` is caught too.
It is a text check, not a sandbox: commands built at run time in ways it cannot see (a do-file written by
another run, a path or command assembled by Mata or by macros it cannot resolve) are outside its reach;
the unresolvable cases it can detect (a macro as command word or as write target) are refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .commands import resolve_command
from .lexer import CR, scan
from .split import _top_level_colon, mask_strings, strip_prefixes

SHELL_ESCAPE = "shell escape"
FILE_DELETION = "file deletion"
CODE_ESCAPE = "runs code outside Stata"
HIDDEN_COMMAND = "command hidden behind a macro"
HIDDEN_PATH = "path hidden behind a macro"
OUTSIDE = "outside the allowed directories"

DEFAULT_DENY: dict[str, str] = {
    "shell": SHELL_ESCAPE,
    "xshell": SHELL_ESCAPE,
    "winexec": SHELL_ESCAPE,
    "unix": SHELL_ESCAPE,
    "dos": SHELL_ESCAPE,
    "erase": FILE_DELETION,
    "rm": FILE_DELETION,
    "rmdir": FILE_DELETION,
    "python": CODE_ESCAPE,
    "plugin": CODE_ESCAPE,
    "java": CODE_ESCAPE,
    "javacall": CODE_ESCAPE,
}


@dataclass(frozen=True, slots=True)
class Violation:
    """A refused command: canonical ``command``, the statement ``text``, its 1-based ``line``, ``reason``."""

    command: str
    text: str
    line: int
    reason: str


_TOKEN = re.compile(r"""\s*(`"(?:(?!"').)*"'|"[^"]*"|[^\s,"]+)""")
_COMMAND_TOKEN = re.compile(r"""\s*([^\s,:("{]+)""")
_MACRO_DEF = re.compile(r"\s*(local|loc|loca|global|gl|glo|glob|globa)\s+([A-Za-z_]\w*)\s*(=)?\s*(.*)\Z", re.S)
_TEMP_DEF = re.compile(r"\s*(tempfile|tempname|tempvar)\s+(.*)\Z", re.S)
_LOCAL_REF = re.compile(r"`([A-Za-z_]\w*)'")
_GLOBAL_REF = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")
_MATA_DELETE = re.compile(r"\b_?(unlink|rmdir)\s*\(")
# A literal argument counts only when it is the whole argument: stata("di 1" + x) hides its command.
_MATA_STATA = re.compile(r"\b_?stata\s*\(\s*(?:(`\"(?:(?!\"').)*\"'|\"[^\"]*\")\s*[,)])?")
_MATA_DIRS = re.compile(r"\b_?(chdir|mkdir)\s*\(\s*(?:(\"[^\"]*\")\s*[,)])?")
_SAVING = re.compile(r"\b(?:saving|export)\s*\(\s*(`\"(?:(?!\"').)*\"'|\"[^\"]*\"|[^,)\s]+)")
_WORDS = re.compile(r"""`"(?:(?!"').)*"'|"[^"]*"|(!|[A-Za-z_]\w*)""")
_OPERAND_END = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.)]'\"")
_OPERATOR_NEXT = re.compile(r"\s*(?:[=<>!~&|+\-*^)\],:]|\Z)")  # not '/': paths start with it


_DEFINITIONS = frozenset({"local", "global", "tempfile", "tempname", "tempvar"})


@dataclass(slots=True)
class _Context:
    deny: dict[str, str]
    allowed: list[str] | None
    cwd: str
    locals: dict[str, str] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)
    temps: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    block: str | None = None  # "mata" or "python" while inside such a block


def check_policy(
    code: str,
    *,
    delimiter: str = CR,
    allowed_dirs: Iterable[str] | None = None,
    cwd: str | None = None,
    deny: dict[str, str] | None = None,
) -> list[Violation]:
    """Return the violations in ``code`` (empty list: allowed), in source order.

    ``delimiter`` is the ``#delimit`` mode in force. ``allowed_dirs`` enables the directory rules; relative
    paths resolve against ``cwd`` (default: this process's working directory), followed through ``cd``.
    ``deny`` maps canonical command names to reasons and replaces :data:`DEFAULT_DENY`.
    """
    allowed = None if allowed_dirs is None else [_real(d, os.getcwd()) for d in allowed_dirs]
    ctx = _Context(deny=DEFAULT_DENY if deny is None else deny, allowed=allowed, cwd=_real(cwd or os.getcwd(), "/"))
    joined = {s.start: s.text for s in scan(code, delimiter, comment_replacement="").statements} if "/*" in code else {}
    violations: list[Violation] = []
    seen: set[tuple[int, str, str]] = set()
    for s in scan(code, delimiter).statements:
        if s.kind != "command":
            continue
        j = joined.get(s.start, s.text)
        texts = [s.text] if j == s.text else [s.text, j]
        for k, text in enumerate(texts):
            found = _check_statement(text, ctx, track=k == 0)
            for command, reason in found:
                key = (s.line, command, reason)
                if key not in seen:
                    seen.add(key)
                    violations.append(Violation(command, s.text, s.line, reason))
    return violations


def _check_statement(text: str, ctx: _Context, *, track: bool) -> list[tuple[str, str]]:
    """Violations of one logical statement; ``track`` updates macro/cwd/block state (first pass only)."""
    stripped = text.strip()
    if ctx.block is not None:
        if stripped == "end":
            if track:
                ctx.block = None
            return []
        if ctx.block == "mata":
            return _check_mata(stripped, ctx)
        return []  # python block: the opening `python` line was already refused
    return _check_command(stripped, ctx, track=track, nesting=0)


def _check_command(text: str, ctx: _Context, *, track: bool, nesting: int) -> list[tuple[str, str]]:
    if nesting > 8:
        return []
    _, rest = strip_prefixes(text.lstrip("} \t"))
    m = _COMMAND_TOKEN.match(rest)
    if m is None:
        return []
    token = m.group(1)
    if token.startswith("!"):
        return [("shell", ctx.deny.get("shell", SHELL_ESCAPE))] if "shell" in ctx.deny else []
    if token.startswith("}") or token.startswith("{"):
        return []
    if "`" in token or "$" in token:
        token = rest.split()[0]
        known = _expand(token, ctx)
        return [((resolve_command(known) or token) if known else token, HIDDEN_COMMAND)]
    cmd = resolve_command(token)
    args = rest[m.end() :]
    out: list[tuple[str, str]] = []
    if cmd is not None and cmd in ctx.deny:
        out.append((cmd, ctx.deny[cmd]))
    if cmd in ("local", "global") or cmd in ("tempfile", "tempname", "tempvar"):
        if track:
            _track_macro(rest, ctx)
    elif cmd == "else":
        out += _check_command(args, ctx, track=track, nesting=nesting + 1)
    elif cmd == "if":
        out += _check_if(args, ctx, nesting)
    elif cmd == "mata":
        body = args.lstrip()
        if body.startswith(":"):
            body = body[1:]
        if body.strip() and not body.lstrip().startswith(","):
            out += _check_mata(body, ctx)
        elif track:
            ctx.block = "mata"
    elif cmd == "python":
        body = args.strip()
        if track and (not body or body in (":",) or body.startswith(",")):
            ctx.block = "python"
    if ctx.allowed is not None and cmd is not None and cmd not in _DEFINITIONS:
        out += _check_paths(cmd, args, ctx, track=track)
    if cmd in ("file", "copy") and track:
        for raw in _write_targets(cmd, args):
            path = _expand(_unquote(raw), ctx)
            if path is not None:
                ctx.written.add(os.path.normpath(path))
    if cmd in ("do", "run", "include"):
        target = _first_arg(args)
        path = None if target is None else _expand(target, ctx)
        if path is not None and {os.path.normpath(path), os.path.normpath(path + ".do")} & ctx.written:
            out.append((cmd, "runs a file written by this code"))
    if cmd == "program" and "plugin" in ctx.deny and re.search(r",.*\bplugin\b", args):
        out.append(("plugin", ctx.deny["plugin"]))
    # Any other colon prefix (statsby ...:, bootstrap ...:, xi:, svy:) runs the command after the colon.
    pos = 0
    while cmd not in ("local", "global") and (colon := _top_level_colon(rest, pos)) >= 0:
        out += _check_command(rest[colon + 1 :], ctx, track=False, nesting=nesting + 1)
        pos = colon + 1
    return out


def _check_if(args: str, ctx: _Context, nesting: int) -> list[tuple[str, str]]:
    """Single-line ``if exp command``: where ``exp`` ends is unknowable without evaluating it, so every
    word that follows an operand and a blank, and is not followed by an operator, is tried as a command."""
    out: list[tuple[str, str]] = []
    for m in _WORDS.finditer(args):
        word = m.group(1)
        if word is None:
            continue
        cmd = "shell" if word == "!" else resolve_command(word)
        if cmd is None or (cmd not in ctx.deny and ctx.allowed is None):
            continue
        before = args[: m.start()].rstrip()
        if not before or before[-1] not in _OPERAND_END or before == args[: m.start()]:
            continue  # a command needs the end of an expression, then a blank, before it
        if word == "!" and args.startswith("=", m.end()):
            continue
        if word != "!" and _OPERATOR_NEXT.match(args, m.end()):
            continue
        out += _check_command(args[m.start() :], ctx, track=False, nesting=nesting + 1)
    return out


def _check_mata(code: str, ctx: _Context) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _MATA_DELETE.finditer(code):
        out.append((f"mata {m.group(1)}()", FILE_DELETION))
    for m in _MATA_STATA.finditer(code):
        literal = m.group(1)
        if literal is None:
            out.append(("mata stata()", "command hidden in a Mata expression"))
            continue
        inner = _unquote(literal)
        out += [(c, r) for c, r in _check_command(inner, ctx, track=False, nesting=1)]
    if ctx.allowed is not None:
        for m in _MATA_DIRS.finditer(code):
            literal = m.group(2)
            if literal is None:
                out.append((f"mata {m.group(1)}()", HIDDEN_PATH))
            elif not _inside(_unquote(literal), ctx):
                out.append((f"mata {m.group(1)}()", OUTSIDE))
    return out


# ----------------------------------------------------------------------------------------------------------
# paths


def _args(text: str) -> tuple[list[str], str]:
    """Split arguments at the first top-level comma: (tokens before it, quotes kept; options text)."""
    comma = _top_level_comma(text)
    head, options = (text, "") if comma < 0 else (text[:comma], text[comma + 1 :])
    return [m.group(1) for m in _TOKEN.finditer(head)], options


def _top_level_comma(text: str) -> int:
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if text.startswith('`"', i):
            j = text.find("\"'", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            return i
        i += 1
    return -1


def _first_arg(args: str) -> str | None:
    tokens, _ = _args(args)
    return _unquote(tokens[0]) if tokens else None


def _after(tokens: list[str], word: str) -> str | None:
    for k, t in enumerate(tokens[:-1]):
        if t == word:
            return tokens[k + 1]
    return None


def _write_targets(cmd: str, args: str) -> list[str]:
    """File or directory names that ``cmd`` writes to (or moves into, for ``cd``), quotes kept."""
    tokens, options = _args(args)
    using = _after(tokens, "using")
    sub = tokens[0] if tokens else ""
    if cmd in ("cd", "chdir"):
        return [tokens[0] if tokens else "~"]
    if cmd in ("save", "saveold", "mkdir"):
        return tokens[:1]
    if cmd in ("copy", "translate", "filefilter"):
        return tokens[1:2]
    if cmd in ("outsheet", "outfile", "postfile"):
        return [using] if using else tokens[-1:]
    if cmd == "export":
        return [using] if using else tokens[1:2]
    if cmd in ("log", "cmdlog"):
        return [using] if using else []
    if cmd == "graph" and sub in ("export", "save", "exp", "expo", "expor", "sav"):
        return tokens[-1:] if len(tokens) > 1 else []
    if cmd in ("putexcel", "putdocx", "putpdf"):
        if sub in ("set", "save") and len(tokens) > 1:
            return tokens[1:2]
        return [using] if using else []
    if cmd == "collect" and sub in ("export", "save"):
        return tokens[1:2]
    if cmd == "estimates" and sub in ("save", "sav"):
        return tokens[1:2]
    if cmd == "file" and sub == "open" and re.search(r"\b(write|append|rw|replace)\b", options):
        return [using] if using else []
    return []


def _check_paths(cmd: str, args: str, ctx: _Context, *, track: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    targets = _write_targets(cmd, args)
    options = _substitute(args, ctx)  # `local o saving(/x)` then `, `o'` writes too
    masked = mask_strings(options)  # saving(...) inside a title("...") is text, not an option
    targets += [m.group(1) for m in _SAVING.finditer(options) if masked[m.start()] != "\0"]
    for raw in targets:
        path = _expand(_unquote(raw), ctx)
        if path is None:
            if not _is_temp(raw, ctx):
                out.append((cmd, HIDDEN_PATH))
            continue
        if not _inside(path, ctx):
            out.append((cmd, OUTSIDE))
        elif cmd in ("cd", "chdir") and track:
            ctx.cwd = _real(path, ctx.cwd)
    return out


def _real(path: str, cwd: str) -> str:
    p = os.path.expanduser(path.replace("\\", "/"))
    if not os.path.isabs(p):
        p = os.path.join(cwd, p)
    return os.path.realpath(os.path.normpath(p))


def _inside(path: str, ctx: _Context) -> bool:
    assert ctx.allowed is not None
    p = _real(path, ctx.cwd)
    return any(p == a or p.startswith(a.rstrip("/") + "/") for a in ctx.allowed)


# ----------------------------------------------------------------------------------------------------------
# macros


def _unquote(token: str) -> str:
    if token.startswith('`"') and token.endswith("\"'") and len(token) >= 4:
        return token[2:-2]
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        return token[1:-1]
    return token


def _substitute(text: str, ctx: _Context) -> str:
    """Substitute the macros whose value the code itself set, leaving other references as they are."""
    for _ in range(4):
        if "`" not in text and "$" not in text:
            break
        new = _LOCAL_REF.sub(lambda m: ctx.locals.get(m.group(1), m.group(0)), text)
        new = _GLOBAL_REF.sub(lambda m: ctx.globals.get(m.group(1) or m.group(2), m.group(0)), new)
        if new == text:
            break
        text = new
    return text


def _expand(text: str, ctx: _Context) -> str | None:
    """Fully expand ``text``; None if any macro reference stays unknown."""
    text = _substitute(text, ctx)
    return None if ("`" in text or "$" in text) else text


def _is_temp(raw: str, ctx: _Context) -> bool:
    """A path that is a ``tempfile`` macro lives in Stata's temporary directory."""
    m = _LOCAL_REF.match(_unquote(raw))
    return m is not None and m.group(1) in ctx.temps


def _track_macro(text: str, ctx: _Context) -> None:
    t = _TEMP_DEF.match(text)
    if t is not None:
        if t.group(1) == "tempfile":
            ctx.temps.update(re.findall(r"[A-Za-z_]\w*", t.group(2)))
        return
    m = _MACRO_DEF.match(text)
    if m is None:
        return
    kind, name, eq, value = m.groups()
    store = ctx.locals if kind.startswith("l") else ctx.globals
    value = value.strip()
    if eq:
        value = value.strip()
        if not (value.startswith('"') and value.endswith('"')):
            store.pop(name, None)
            return
    expanded = _expand(_unquote(value), ctx)
    if expanded is None:
        store.pop(name, None)
    else:
        store[name] = expanded
    ctx.temps.discard(name)


__all__ = ["DEFAULT_DENY", "Violation", "check_policy"]
