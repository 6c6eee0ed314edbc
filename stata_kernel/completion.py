"""Tab completion: commands, variables, macros, file paths and magics, answered without waiting on Stata.

The names Stata knows (variables, macros, working directory) live in a :class:`NameCache` refreshed on
the Stata worker thread after executions, so a completion request during a long run answers at once from
the last known names instead of queueing behind the run.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine
from .settings import KernelSettings
from .syntax import complete_command, completion_context, resolve_command, split_commands, strip_prefixes

# Commands that may define or drop macros: only after these does the post-cell refresh list macros
# (Stata round trips); other cells just mark the macro names stale.
_MAY_TOUCH_MACROS = re.compile(
    r"(?i)\b(?:loc\w*|gl\w*|ma\w*|foreach|forv\w*|tempvar|tempname|tempfile|levelsof|tokenize|"
    r"gettoken|syntax|args|do|ru|run|include|sysuse|use|return|ereturn|while|ds|unab|fvexpand)\b"
)
_MAX_VARIABLES = 32_767  # Stata/MP's variable limit is far above this; completion stays responsive
_MAX_PATH_MATCHES = 500
_EAGER_VARIABLES = 5_000


def might_touch_macros(code: str) -> bool:
    return bool(_MAY_TOUCH_MACROS.search(code))


# Commands that change no variable, macro or working directory: a cell made only of these needs no
# refresh of the names afterwards (which would queue sfi reads on the worker behind every such cell).
_READ_ONLY = frozenset({
    "display", "sleep", "summarize", "list", "describe", "count", "tabulate", "help", "which", "pwd",
    "regress", "scalar", "creturn",
})


def cannot_change_names(code: str, delimiter: str = "cr") -> bool:
    """True when every command of ``code`` is one that leaves variables, macros and the directory alone."""
    try:
        commands = split_commands(code, delimiter)
    except Exception:
        return False
    for command in commands:
        _, rest = strip_prefixes(command.text)
        word = rest.split(None, 1)[0] if rest.strip() else ""
        if not word:
            continue
        if (resolve_command(word) or word) not in _READ_ONLY:
            return False
    return True


@dataclass
class NameCache:
    """Names of things in Stata, as of the last refresh; read from the kernel thread, written on the worker."""

    variables: list[str] = field(default_factory=list)
    globals: list[str] = field(default_factory=list)
    locals: list[str] = field(default_factory=list)
    working_dir: str = ""
    variables_stale: bool = True
    macros_stale: bool = True
    refreshes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mark_stale(self, *, macros: bool = True) -> None:
        self.variables_stale = True
        if macros:
            self.macros_stale = True

    @property
    def stale(self) -> bool:
        return self.variables_stale or self.macros_stale

    def refresh(self, engine: Engine, *, macros: bool, after_cell: bool = False) -> None:
        """Reread names on the Stata worker thread. Variables and the working directory come through sfi
        (no Stata command runs); macros need Stata round trips, so only when asked.

        ``after_cell``: the routine refresh queued behind every cell. For very wide data it leaves the
        variable names stale (reread when a completion asks while idle), so the next cell never waits
        behind thousands of sfi calls.
        """
        names: list[str] | None = None
        if not (after_cell and len(self.variables) > _EAGER_VARIABLES):
            try:
                names = engine.variable_names()[:_MAX_VARIABLES]
            except Exception:
                names = None
        try:
            cwd = engine.working_dir()
        except Exception:
            cwd = ""
        macro_lists = None
        if macros:
            try:
                macro_lists = engine.macro_names()
            except Exception:
                macro_lists = None
        with self._lock:
            if names is not None:
                self.variables = names
                self.variables_stale = False
            if cwd:
                self.working_dir = cwd
            if macro_lists is not None:
                self.globals, self.locals = macro_lists
                self.macros_stale = False
            self.refreshes += 1


@dataclass(frozen=True)
class Completion:
    matches: list[str]
    start: int
    end: int
    kind: str


def _starting(names: list[str], prefix: str) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.startswith(prefix) and name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _last_separator(path: str) -> int:
    """Index of the last path separator (Stata on Windows takes both / and \\), -1 if none."""
    return max(path.rfind("/"), path.rfind("\\") if os.name == "nt" else -1)


def complete_path(prefix: str, base_dir: str) -> list[str]:
    """Entries of the directory named by ``prefix`` (relative to Stata's working directory) that
    continue it; directories end in ``/`` so the user can keep tabbing down."""
    expanded = os.path.expanduser(prefix) if prefix.startswith("~") else prefix
    cut = _last_separator(expanded)
    head, tail = (expanded[:cut], expanded[cut + 1 :]) if cut >= 0 else ("", expanded)
    shown_head = prefix[: _last_separator(prefix) + 1]
    directory = Path(head or (expanded[0] if cut == 0 else "."))
    if not directory.is_absolute():
        directory = Path(base_dir or os.getcwd()) / directory
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name.lower())
    except OSError:
        return []
    matches = []
    for entry in entries:
        if not entry.name.startswith(tail) or (entry.name.startswith(".") and not tail.startswith(".")):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        matches.append(shown_head + entry.name + ("/" if is_dir else ""))
        if len(matches) >= _MAX_PATH_MATCHES:
            break
    return matches


def complete(code: str, cursor_pos: int, delimiter: str, names: NameCache,
             magic_names: list[str]) -> Completion:
    """Matches for the text at ``cursor_pos``; pure text plus the cache, never a Stata call."""
    line_start = code.rfind("\n", 0, cursor_pos) + 1
    line_before = code[line_start:cursor_pos]
    magic = re.fullmatch(r"%{1,2}(\w*)", line_before)
    if magic is not None:  # magics are only recognised at the start of a line
        start = cursor_pos - len(magic.group(1))
        return Completion(_starting(magic_names, magic.group(1)), start, cursor_pos, "magic")

    setting = re.fullmatch(r"\s*%set\s+(\w*)", line_before)
    if setting is not None:
        start = cursor_pos - len(setting.group(1))
        return Completion(_starting(KernelSettings.names(), setting.group(1)), start, cursor_pos, "setting")

    ctx = completion_context(code, cursor_pos, delimiter)
    kind = ctx.kind
    if kind == "command":
        matches = complete_command(ctx.prefix)
    elif kind == "variable":
        matches = _starting(names.variables, ctx.prefix)
    elif kind == "local":
        matches = _starting(names.locals, ctx.prefix)
        if not code.startswith("'", cursor_pos):
            matches = [m + "'" for m in matches]
    elif kind == "global":
        matches = _starting(names.globals, ctx.prefix)
    elif kind == "path":
        matches = complete_path(ctx.prefix, names.working_dir)
    else:
        matches = []
    return Completion(list(matches), ctx.start, cursor_pos, kind)
