"""Command policy for agent-run code: the bridge refuses a snippet before any of it reaches Stata.

An agent driving Stata through MCP should not get a shell, delete files, or write outside the project
just because Stata can. The notebook kernel stays unrestricted (a person types there); the bridge checks
every ``stata_run`` snippet and every ``stata_run_file`` do-file (:func:`mcp_bridge.policy_rules.check_policy`,
which reads code with the kernel's parser and sees through ``quietly``/``capture``/``noisily``, loops, ``///``,
``#delimit ;`` and macros it can resolve) and refuses the whole snippet on the first violation, so nothing
of it runs. ``--policy off`` turns the checks off; ``--allow-dir DIR`` (repeatable; default the bridge's
working directory) says where writes, ``cd`` and ``stata_run_file`` may go; ``--allow-command NAME``
(repeatable) takes one command off the deny-list (:data:`mcp_bridge.policy_rules.DENY_LIST`, the only one).
Its entries refused only with some arguments are checked here: installing or loading code from elsewhere
(``net``/``ssc install``, ``update``, ``adopath +``, ``sysdir set``, ``ado uninstall``), since code
installed there is out of the file checks' sight.

Three things the scanner cannot know on its own are handled here, conservatively:

* the ``#delimit`` mode in force: the kernel keeps it between calls, so code containing ``;`` is also
  checked as if ``#delimit ;`` were in force (``display 1; shell ls;`` is one harmless-looking command
  under ``cr`` but two under ``;``);
* Stata's working directory: it may have moved (``cd`` inside an allowed directory), so when the code has
  ``..`` in it, relative paths are checked against the bridge's directory and every allowed directory;
* files the code runs: ``do``/``run``/``include`` of a literal path, and the ``NAME.ado`` Stata would
  auto-load for an unknown command, are read and checked too when they exist here in the bridge's or an
  allowed directory (a file written by an earlier call must not smuggle a shell escape in).

It is a text check, not a sandbox: see the limits in :mod:`mcp_bridge.policy_rules`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from stata_kernel.syntax import resolve_command, split_commands, strip_prefixes
from stata_kernel.syntax.magic_lines import stata_code_of

from .policy_rules import DEFAULT_DENY, DENY_LIST, FILE_DELETION, INSTALLS, LOADS, Violation, check_policy, real_path

POLICY_BLOCKED = "policy_blocked"
MAX_DO_DEPTH = 4  # do-files running do-files: how deep the nested check follows
_RUNS_FILE = frozenset({"do", "run", "include"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_HINT_OFF = "start the bridge with --policy off to allow it"

# Appended to the run tools' descriptions so agents know the rules before they hit them.
TOOL_NOTE = (
    " Agent command policy (unless the bridge runs with --policy off): code that opens a shell (shell, !, "
    "winexec...), deletes files, installs packages (ssc/net install), or writes or changes directory outside "
    "the allowed directories is refused "
    "whole before anything runs (policy_blocked, naming the command and line); stata_run_file only runs "
    "do-files inside the allowed directories."
)


@dataclass(frozen=True)
class Policy:
    """What the bridge lets agent-run code do; built from the bridge's settings (see ``from_config``)."""

    enabled: bool = True
    allowed_dirs: tuple[str, ...] = ()
    cwd: str = "."
    allowed_commands: tuple[str, ...] = ()  # taken off the deny-list (``--allow-command``)

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        """Read the policy settings of a ``BridgeConfig``; no ``--allow-dir`` means the working directory.

        Remembered per (settings, working directory): every run asks, and resolving the directories
        costs file-system calls. (A ``BridgeConfig`` is frozen, so it is its own cache key.)
        """
        return _policy_of(config, os.getcwd())

    @property
    def deny(self) -> dict[str, str]:
        """The commands refused whatever their arguments (shell escapes, deletion, code escapes) less the
        allowed commands."""
        return {k: v for k, v in DEFAULT_DENY.items() if k not in self.allowed_commands}

    def describe_dirs(self) -> str:
        return ", ".join(self.allowed_dirs)


@functools.lru_cache(maxsize=16)
def _policy_of(config: Any, cwd: str) -> Policy:
    cwd = os.path.realpath(cwd)
    dirs = tuple(getattr(config, "allowed_dirs", ()) or ()) or (cwd,)
    return Policy(
        enabled=bool(getattr(config, "policy", True)),
        allowed_dirs=tuple(real_path(d, cwd) for d in dirs),
        cwd=cwd,
        allowed_commands=tuple(getattr(config, "allowed_commands", ()) or ()),
    )


@dataclass(frozen=True)
class Refusal:
    """The first blocked command: what it is, where, and why (the facts behind ``error`` in results)."""

    command: str
    line: int | None
    reason: str
    message: str
    source: str | None = None  # the do-file the line belongs to, when not the submitted code
    more: int = 0  # further violations after this one

    kind: str = POLICY_BLOCKED

    def to_error(self) -> dict[str, Any]:
        """The structured ``error`` object of a run result (kind, message, command, line: docs/architecture.md)."""
        error: dict[str, Any] = {
            "kind": self.kind,
            "message": self.message,
            "command": self.command,
            "line": self.line,
            "reason": self.reason,
        }
        if self.source is not None:
            error["file"] = self.source
        return error


INLINE_CHARS = 4_096
"""Code up to this long is checked on the event loop (well under a millisecond); longer, in a worker thread."""


# ----------------------------------------------------------------------------------------------------------
# checks the tools call


async def refusal_for(policy: Policy, code: str, *, source: str | None = None) -> Refusal | None:
    """The refusal for ``code`` (None: it may run); ``source`` names the do-file it came from.

    Code longer than ``INLINE_CHARS`` is checked in a worker thread: a megabyte of code takes seconds to
    scan, and the event loop keeps serving other calls (heartbeats, interrupts, other sessions) meanwhile.
    Shorter code, what agents send almost always, is checked at once: the hand-off to a thread would cost
    more than the scan.
    """
    if not policy.enabled:
        return None
    if len(code) <= INLINE_CHARS:
        return check_code(policy, code, source=source)
    return await anyio.to_thread.run_sync(functools.partial(check_code, policy, code, source=source))


def check_code(policy: Policy, code: str, *, source: str | None = None) -> Refusal | None:
    """The refusal for ``code`` (None: it may run). Violations of nested do-files count as the ``do`` line's."""
    if not policy.enabled:
        return None
    found = _violations(policy, code, depth=0, seen=set())
    if not found:
        return None
    first, nested = found[0]
    return Refusal(
        command=first.command,
        line=first.line,
        reason=first.reason,
        message=_message(policy, first, nested, source, more=len(found) - 1),
        source=source,
        more=len(found) - 1,
    )


def do_file_path_refusal(policy: Policy, path: str) -> Refusal | None:
    """The refusal of a ``stata_run_file`` path outside the allowed directories (``..`` and symlinks resolved)."""
    if not policy.enabled or not path.strip() or "\x00" in path:
        return None  # emptiness and NULs get the validator's own message
    resolved = real_path(path, policy.cwd)
    if _inside(resolved, policy.allowed_dirs):
        return None
    traversal = ".." in Path(path.replace("\\", "/")).parts
    how = " (the path climbs out with '..')" if traversal else ""
    message = (
        f"{POLICY_BLOCKED}: the do-file {resolved}{how} is outside the allowed directories "
        f"({policy.describe_dirs()}); agent-run do-files must live there. Nothing was run. Allow another "
        f"directory with --allow-dir DIR, or {_HINT_OFF}."
    )
    return Refusal(command="stata_run_file", line=None, reason="outside the allowed directories",
                   message=message, source=str(resolved))


# ----------------------------------------------------------------------------------------------------------
# finding violations


def _violations(
    policy: Policy, code: str, *, depth: int, seen: set[str]
) -> list[tuple[Violation, tuple[str, Violation] | None]]:
    """Violations in source order; each with the (do-file, violation) inside a nested do-file, if any."""
    if depth == 0:  # what the kernel will run: ``%quietly shell ...`` runs ``shell ...`` (lines kept)
        code = stata_code_of(code)
    cwds = _cwds(policy, code)
    delimiters = ("cr", ";") if ";" in code and depth == 0 else ("cr",)
    found: dict[tuple[int, str], Violation] = {}
    for delimiter in delimiters:
        for cwd in cwds:
            if found:  # blocked already: the other readings only matter for code that looks clean
                break
            for v in check_policy(code, delimiter=delimiter, allowed_dirs=policy.allowed_dirs, cwd=cwd,
                                  deny=policy.deny, resolved=True):
                found.setdefault((v.line, v.command), v)
    out: list[tuple[Violation, tuple[str, Violation] | None]] = [(v, None) for v in found.values()]
    out += _commands(policy, code, cwds, depth=depth, seen=seen)
    out.sort(key=lambda item: item[0].line)
    return out


def _commands(
    policy: Policy, code: str, cwds: Sequence[str], *, depth: int, seen: set[str]
) -> list[tuple[Violation, tuple[str, Violation] | None]]:
    """The bridge's own rules, command by command.

    Installing or loading code from elsewhere (deny-list entries with ``first_words``), and violations inside files that
    ``code`` runs and that exist on this machine: ``do``/``run``/``include`` of a literal path, and the
    ``NAME.ado`` Stata would load for a command it does not know (an earlier call may have written either).
    Stata may have moved into any allowed directory, so all of them are tried.
    """
    dirs = list(dict.fromkeys([*cwds, *policy.allowed_dirs]))
    out: list[tuple[Violation, tuple[str, Violation] | None]] = []
    for command in split_commands(code):
        _, rest = strip_prefixes(command.text.lstrip("} \t"))
        words = rest.split(None, 1)
        if not words:
            continue
        if "," in words[0]:  # `adoupdate, update`: the command word ends at the comma
            head, comma, tail = words[0].partition(",")
            words = [head, comma + tail + (" " + words[1] if len(words) == 2 else "")] if head else words
        name = resolve_command(words[0])
        rule = _code_source(name or words[0].lower(), words[1] if len(words) == 2 else "", policy)
        if rule is not None:
            out.append((Violation(name or words[0], command.text, command.line, rule), None))
            continue
        if depth >= MAX_DO_DEPTH:
            continue
        if name in _RUNS_FILE:
            target = _first_path(words[1]) if len(words) == 2 else None
            paths = _candidates(target, dirs) if target is not None else iter(())
        elif name is None and _IDENTIFIER.fullmatch(words[0]):
            name = words[0]
            paths = (f for d in dirs if os.path.isfile(f := real_path(words[0] + ".ado", d)))
        else:
            continue
        for path in paths:
            if path in seen:
                break
            seen.add(path)
            try:
                text = Path(path).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                break
            inner = _violations(policy, text, depth=depth + 1, seen=seen)
            if inner:
                v, deeper = inner[0]
                where = deeper if deeper is not None else (path, v)
                out.append((Violation(name, command.text, command.line, f"runs {path}"), where))
            break
    return out


def _code_source(name: str, args: str, policy: Policy) -> str | None:
    """The reason a ``net install``-like command (a deny-list entry with ``first_words``) is refused, or None."""
    rule = DENY_LIST.get(name)
    if rule is None or not rule.first_words or name in policy.allowed_commands:
        return None
    if name == "ssc" and args.lower().startswith("uninst"):
        return FILE_DELETION
    if name == "adoupdate":
        return INSTALLS if re.search(r",.*\bupd(a(t(e)?)?)?\b", args) else None
    first = args.strip().lower()
    if not first or not any(first.startswith(p) for p in rule.first_words):
        return None
    return LOADS if name == "net" and first.startswith("set") else rule.reason


def _first_path(args: str) -> str | None:
    """The file a ``do``/``run`` names, if it is a literal (no macros); options after a comma ignored."""
    args = args.strip()
    if args.startswith('`"') and "\"'" in args:
        target = args[2 : args.index("\"'")]
    elif args.startswith('"') and '"' in args[1:]:
        target = args[1 : args.index('"', 1)]
    else:
        target = args.split(",", 1)[0].split()[0] if args.split(",", 1)[0].split() else ""
    if not target or "`" in target or "$" in target:
        return None
    return target


def _candidates(target: str, cwds: Sequence[str]) -> Iterable[str]:
    names = [target] if Path(target).suffix else [target + ".do", target]
    for cwd in cwds:
        for name in names:
            path = real_path(name, cwd)
            if os.path.isfile(path):
                yield path


def _cwds(policy: Policy, code: str) -> list[str]:
    """Where Stata may be: the bridge's directory, and (when ``..`` could climb) every allowed one."""
    cwds = [policy.cwd]
    if ".." in code:
        cwds += [d for d in policy.allowed_dirs if d not in cwds]
    return cwds


# ----------------------------------------------------------------------------------------------------------
# wording


def _message(
    policy: Policy,
    v: Violation,
    nested: tuple[str, Violation] | None,
    source: str | None,
    *,
    more: int,
) -> str:
    where = f"line {v.line}" + (f" of {source}" if source else "")
    if nested is not None:
        path, inner = nested
        phrase, noun = _phrase(policy, inner, f"line {inner.line}")
        what = f'"{v.command}" on {where} runs {path}, where {phrase}'
    else:
        phrase, noun = _phrase(policy, v, where)
        what = phrase
    what += " is not allowed" if noun else ", which is not allowed"
    extra = f" ({more} more blocked command{'s' if more > 1 else ''} in this code)" if more else ""
    cause = nested[1] if nested else v
    if cause.reason.startswith(("outside", "path hidden")):
        hint = f"allow a directory with --allow-dir DIR, or {_HINT_OFF}"
    elif cause.command in DENY_LIST:
        hint = f"start the bridge with --allow-command {cause.command} or --policy off to allow it"
    else:
        hint = _HINT_OFF
    return f"{POLICY_BLOCKED}: {what} for agent-run code ({hint}).{extra} Nothing was run."


def _phrase(policy: Policy, v: Violation, where: str) -> tuple[str, bool]:
    """The violation in words, and whether it reads as a noun phrase ("shell escape ... on line 3")."""
    reason = v.reason
    if reason in ("shell escape", "file deletion"):
        return f'{reason} "{v.command}" on {where}', True
    if reason.startswith("outside"):
        verb = "changes directory" if v.command in ("cd", "chdir") else "writes"
        return f'"{v.command}" on {where} {verb} outside the allowed directories ({policy.describe_dirs()})', False
    if reason.startswith(("command hidden", "path hidden")):
        return f'"{v.command}" on {where}, a {reason} (it cannot be checked before it runs)', True
    if reason.startswith(("runs", "installs", "changes")):
        return f'"{v.command}" on {where} {reason}', False
    return f'"{v.command}" on {where} ({reason})', True


# ----------------------------------------------------------------------------------------------------------
# paths


def _inside(path: str, dirs: Iterable[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


__all__ = [
    "POLICY_BLOCKED",
    "TOOL_NOTE",
    "Policy",
    "Refusal",
    "check_code",
    "do_file_path_refusal",
    "refusal_for",
]
