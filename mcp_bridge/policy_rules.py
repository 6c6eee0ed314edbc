"""The agent policy's deny-list and its statement checker: what agent-run code may not do, command by command.

:data:`DENY_LIST` is the one deny-list. Refused whatever their arguments: shell escapes (``!``, ``shell``,
``xshell``, ``winexec``, ``unix``, ``dos``), file deletion (``erase``, ``rm``, ``rmdir``, Mata
``unlink()``/``rmdir()``), code that runs outside Stata (embedded ``python``, ``java``, plugins), and a
command word that is itself a macro expansion (`` `c' ls``, ``$cmd``), whose meaning cannot be known before
run time. Refused with some arguments only (``first_words``): installing or loading code from elsewhere
(``net``/``ssc install``, ``update``, ``adopath +``, ``sysdir set``, ``ado uninstall``), checked by
:mod:`mcp_bridge.policy`. With ``allowed_dirs``, also ``cd`` and every write (``save``, ``export``,
``outsheet``, ``log using``, ``graph export``, ``putexcel``, ``copy``, ``mkdir``, ``file open ..., write``,
``saving()``...) outside them, and ``do``/``run`` of a file the same code wrote.

:func:`check_policy` sees the code as Stata will, through the kernel's own parser
(:mod:`stata_kernel.syntax`: comments, ``///``, ``#delimit ;``, nested blocks, operands, macros): it looks
through ``quietly``/``noisily``/``capture`` and colon prefixes (``by x:``, ``version 17:``, ``statsby ...:``),
single-line ``if``/``else``, ``mata: stata("...")`` strings, and scans a second time with ``/* */`` comments
removed outright, so ``s/**/hell`` is caught too. It is a text check, not a sandbox: commands built at run
time in ways it cannot see (a do-file written by another run, a path or command assembled by Mata or by
macros it cannot resolve) are outside its reach; the unresolvable cases it can detect (a macro as command
word or as write target) are refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from stata_kernel.syntax import CR, resolve_command, scan, strip_prefixes
from stata_kernel.syntax.macros import MacroScope
from stata_kernel.syntax.operands import first_arg, saving_targets, unquote, write_targets
from stata_kernel.syntax.split import top_level_colon

SHELL_ESCAPE = "shell escape"
FILE_DELETION = "file deletion"
CODE_ESCAPE = "runs code outside Stata"
HIDDEN_COMMAND = "command hidden behind a macro"
HIDDEN_PATH = "path hidden behind a macro"
OUTSIDE = "outside the allowed directories"
INSTALLS = "installs code from outside the allowed directories"
LOADS = "changes where Stata loads commands from"


@dataclass(frozen=True, slots=True)
class Rule:
    """Why a command is refused; with ``first_words``, only when its arguments start with one of them."""

    reason: str
    first_words: tuple[str, ...] = ()


DENY_LIST: dict[str, Rule] = {
    "shell": Rule(SHELL_ESCAPE),
    "xshell": Rule(SHELL_ESCAPE),
    "winexec": Rule(SHELL_ESCAPE),
    "unix": Rule(SHELL_ESCAPE),
    "dos": Rule(SHELL_ESCAPE),
    "erase": Rule(FILE_DELETION),
    "rm": Rule(FILE_DELETION),
    "rmdir": Rule(FILE_DELETION),
    "python": Rule(CODE_ESCAPE),
    "plugin": Rule(CODE_ESCAPE),
    "java": Rule(CODE_ESCAPE),
    "javacall": Rule(CODE_ESCAPE),
    # Code installed into Stata's ado directories, or found on a changed ado-path, is beyond the file checks.
    "net": Rule(INSTALLS, ("ins", "set")),  # net set: LOADS
    "ssc": Rule(INSTALLS, ("ins",)),  # ssc uninstall: FILE_DELETION
    "update": Rule(INSTALLS, ("all", "ado", "exec", "swap", "utilities")),
    "adoupdate": Rule(INSTALLS, ("",)),  # only with its update option
    "adopath": Rule(LOADS, ("+", "-")),
    "sysdir": Rule(LOADS, ("set",)),
    "ado": Rule(FILE_DELETION, ("uninst",)),
}

# The commands refused whatever their arguments (what :func:`check_policy` takes as ``deny``).
DEFAULT_DENY: dict[str, str] = {name: rule.reason for name, rule in DENY_LIST.items() if not rule.first_words}


@dataclass(frozen=True, slots=True)
class Violation:
    """A refused command: canonical ``command``, the statement ``text``, its 1-based ``line``, ``reason``."""

    command: str
    text: str
    line: int
    reason: str


_COMMAND_TOKEN = re.compile(r"""\s*([^\s,:("{]+)""")
_MATA_DELETE = re.compile(r"\b_?(unlink|rmdir)\s*\(")
# A literal argument counts only when it is the whole argument: stata("di 1" + x) hides its command.
_MATA_STATA = re.compile(r"\b_?stata\s*\(\s*(?:(`\"(?:(?!\"').)*\"'|\"[^\"]*\")\s*[,)])?")
_MATA_DIRS = re.compile(r"\b_?(chdir|mkdir)\s*\(\s*(?:(\"[^\"]*\")\s*[,)])?")
_WORDS = re.compile(r"""`"(?:(?!"').)*"'|"[^"]*"|(!|[A-Za-z_]\w*)""")
_OPERAND_END = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.)]'\"")
_OPERATOR_NEXT = re.compile(r"\s*(?:[=<>!~&|+\-*^)\],:]|\Z)")  # not '/': paths start with it


_DEFINITIONS = frozenset({"local", "global", "tempfile", "tempname", "tempvar"})


@dataclass(slots=True)
class _Context:
    deny: dict[str, str]
    allowed: list[str] | None
    cwd: str
    macros: MacroScope = field(default_factory=MacroScope)
    written: set[str] = field(default_factory=set)
    block: str | None = None  # "mata" or "python" while inside such a block


def check_policy(
    code: str,
    *,
    delimiter: str = CR,
    allowed_dirs: Iterable[str] | None = None,
    cwd: str | None = None,
    deny: dict[str, str] | None = None,
    resolved: bool = False,
) -> list[Violation]:
    """Return the violations in ``code`` (empty list: allowed), in source order.

    ``delimiter`` is the ``#delimit`` mode in force. ``allowed_dirs`` enables the directory rules; relative
    paths resolve against ``cwd`` (default: this process's working directory), followed through ``cd``.
    ``deny`` maps canonical command names to reasons and replaces :data:`DEFAULT_DENY`. With ``resolved``
    the caller says ``allowed_dirs`` and ``cwd`` are real paths already (a ``Policy``'s are).
    """
    if resolved and cwd is not None:
        allowed = None if allowed_dirs is None else list(allowed_dirs)
        start = cwd
    else:
        allowed = None if allowed_dirs is None else [real_path(d, os.getcwd()) for d in allowed_dirs]
        start = real_path(cwd or os.getcwd(), "/")
    ctx = _Context(deny=DEFAULT_DENY if deny is None else deny, allowed=allowed, cwd=start)
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
        known = ctx.macros.expand(token)
        return [((resolve_command(known) or token) if known else token, HIDDEN_COMMAND)]
    cmd = resolve_command(token)
    args = rest[m.end() :]
    out: list[tuple[str, str]] = []
    if cmd is not None and cmd in ctx.deny:
        out.append((cmd, ctx.deny[cmd]))
    if cmd in ("local", "global") or cmd in ("tempfile", "tempname", "tempvar"):
        if track:
            ctx.macros.track(rest)
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
        for raw in write_targets(cmd, args):
            path = ctx.macros.expand(unquote(raw))
            if path is not None:
                ctx.written.add(os.path.normpath(path))
    if cmd in ("do", "run", "include"):
        target = first_arg(args)
        path = None if target is None else ctx.macros.expand(target)
        if path is not None and {os.path.normpath(path), os.path.normpath(path + ".do")} & ctx.written:
            out.append((cmd, "runs a file written by this code"))
    if cmd == "program" and "plugin" in ctx.deny and re.search(r",.*\bplugin\b", args):
        out.append(("plugin", ctx.deny["plugin"]))
    # Any other colon prefix (statsby ...:, bootstrap ...:, xi:, svy:) runs the command after the colon.
    pos = 0
    while cmd not in ("local", "global") and (colon := top_level_colon(rest, pos)) >= 0:
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
        inner = unquote(literal)
        out += [(c, r) for c, r in _check_command(inner, ctx, track=False, nesting=1)]
    if ctx.allowed is not None:
        for m in _MATA_DIRS.finditer(code):
            literal = m.group(2)
            if literal is None:
                out.append((f"mata {m.group(1)}()", HIDDEN_PATH))
            elif not _inside(unquote(literal), ctx):
                out.append((f"mata {m.group(1)}()", OUTSIDE))
    return out


def _check_paths(cmd: str, args: str, ctx: _Context, *, track: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    targets = write_targets(cmd, args)
    targets += saving_targets(ctx.macros.substitute(args))  # `local o saving(/x)` then `, `o'` writes too
    for raw in targets:
        path = ctx.macros.expand(unquote(raw))
        if path is None:
            if not ctx.macros.is_temp(raw):
                out.append((cmd, HIDDEN_PATH))
            continue
        if not _inside(path, ctx):
            out.append((cmd, OUTSIDE))
        elif cmd in ("cd", "chdir") and track:
            ctx.cwd = real_path(path, ctx.cwd)
    return out


def real_path(path: str, cwd: str) -> str:
    """``path`` (``~`` and backslashes allowed, relative to ``cwd``) with ``..`` and symlinks resolved."""
    p = os.path.expanduser(path.replace("\\", "/"))
    if not os.path.isabs(p):
        p = os.path.join(cwd, p)
    return os.path.realpath(os.path.normpath(p))


def _inside(path: str, ctx: _Context) -> bool:
    assert ctx.allowed is not None
    p = real_path(path, ctx.cwd)
    return any(p == a or p.startswith(a.rstrip("/") + "/") for a in ctx.allowed)


__all__ = ["DEFAULT_DENY", "DENY_LIST", "Rule", "Violation", "check_policy", "real_path"]
