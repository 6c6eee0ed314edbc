"""Kernel magics: ``%line`` and ``%%cell`` commands handled by the kernel instead of Stata.

Magics go at the top of a cell: any number of ``%name args`` lines, optionally followed by one
``%%name args`` line whose magic applies to the rest of the cell; the remaining lines are Stata code,
run as usual. Magic lines never reach Stata. This module knows nothing of Jupyter
messages: handlers talk to a :class:`MagicHost` (the kernel) that runs code and shows results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import dataview
from .engine import Engine
from .errors import StataLiveError
from .settings import KernelSettings, SettingError
from .syntax.magic_lines import MagicCall, MagicLineError, ParsedCell, split_magic_lines
from .syntax.magic_lines import help_query as help_query  # re-exported: the kernel's entry points
from .syntax.magic_lines import stata_code_of as stata_code_of

T = TypeVar("T")


class MagicError(StataLiveError):
    """A magic the kernel does not know, or used the wrong way."""


@dataclass(frozen=True)
class Magic:
    name: str
    cell: bool  # True: %%name applies to the rest of the cell
    usage: str
    summary: str


MAGICS: tuple[Magic, ...] = (
    Magic("browse", False, "%browse [varlist] [if exp] [in range] [, n(#) nolabel]",
          "show the data in memory as a table (rows capped: %set browse_rows)"),
    Magic("head", False, "%head [n]", "the first n observations (default 5) as a table"),
    Magic("tail", False, "%tail [n]", "the last n observations (default 5) as a table"),
    Magic("describe", False, "%describe", "observations, variables, their types, formats and labels"),
    Magic("quietly", False, "%quietly stata_command", "run one line of Stata code without output"),
    Magic("quietly", True, "%%quietly", "run the rest of the cell without output (errors still show)"),
    Magic("noecho", True, "%%noecho",
          "run the rest of the cell without the '. command' echo lines Stata prints for multi-line code"),
    Magic("echo", True, "%%echo", "run the rest of the cell with echo lines even when %set echo off"),
    Magic("set", False, "%set [name value]",
          "change a kernel setting; alone, list the settings (graph_format, graph_width, graph_height, "
          "echo, browse_rows)"),
    Magic("locals", False, "%locals", "list the local macros defined at the top level, with their values"),
    Magic("status", False, "%status", "which Stata this kernel runs, #delimit mode, settings, data in memory"),
    Magic("help", False, "%help [command]",
          "this list; with a command, Stata's help for it (also: command? or ?command)"),
)
_LINE = {m.name: m for m in MAGICS if not m.cell}
_CELL = {m.name: m for m in MAGICS if m.cell}
DEFAULT_ROWS = 5


def magic_names() -> list[str]:
    """Names for completion, as typed after ``%`` (cell magics after ``%%`` share the list)."""
    return sorted({m.name for m in MAGICS})


def help_text() -> str:
    lines = ["stata-live kernel magics (put them at the top of a cell; the rest of the cell is Stata code):", ""]
    for m in MAGICS:
        lines += [f"  {m.usage}", f"      {m.summary}"]
    lines += [
        "",
        "Echo: by default multi-line cells show Stata's '. command' echo lines, as a Stata log of the same",
        "do-file would; %%noecho (one cell) or %set echo off (from now on) hides them.",
        "Graphs made by a cell appear inline (%set graph_format / graph_width / graph_height).",
        "Any other %name at the top of a cell is an error (MagicError), and then nothing of the cell runs.",
    ]
    return "\n".join(lines)


def magic_help(name: str) -> str | None:
    """Inspect text for ``%name``/``%%name``."""
    found = [m for m in MAGICS if m.name == name]
    if not found:
        return None
    return "\n".join(f"{m.usage}\n    {m.summary}" for m in found)


def parse_cell(code: str) -> ParsedCell:
    """Split leading magic lines off a cell; a cell without them comes back unchanged as ``code``."""
    try:
        return split_magic_lines(code)
    except MagicLineError as exc:
        raise MagicError(str(exc)) from None


def check(call: MagicCall) -> Magic:
    """The magic a call names, or a :class:`MagicError` saying what exists."""
    table, other = (_CELL, _LINE) if call.cell else (_LINE, _CELL)
    magic = table.get(call.name)
    if magic is not None:
        return magic
    if call.name in other:
        right = other[call.name]
        where = "alone on a line, before the code it applies to" if right.cell else "on its own line"
        raise MagicError(f"{'%%' if call.cell else '%'}{call.name} is not a magic; did you mean "
                         f"{right.usage}? ({'%%' if right.cell else '%'}{call.name} goes {where})")
    raise MagicError(f"unknown magic {'%%' if call.cell else '%'}{call.name}: type %help for the list")


class MagicHost(Protocol):
    """What magics need from the kernel (one instance per execute request)."""

    @property
    def settings(self) -> KernelSettings: ...

    async def run_code(self, code: str, *, quietly: bool = False, echo: bool | None = None) -> None: ...

    async def on_worker(self, fn: Callable[[Engine], T]) -> T: ...

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None: ...

    def print(self, text: str) -> None: ...

    def status_lines(self) -> list[str]: ...

    async def help_for(self, topic: str) -> str | None: ...

    def page(self, text: str) -> None: ...


def validate(cell: ParsedCell) -> None:
    """Check every magic of a cell before any of them runs: a typo on line 3 must not leave lines 1-2 done."""
    for call in cell.line_magics:
        check(call)
    if cell.cell_magic is not None:
        check(cell.cell_magic)
        if cell.cell_magic.args:
            raise MagicError(f"%%{cell.cell_magic.name} takes no arguments (got {cell.cell_magic.args!r}); "
                             "put the code below it")


async def run_line_magic(call: MagicCall, host: MagicHost) -> None:
    check(call)
    handler = _HANDLERS[call.name]
    await handler(call.args, host)


async def run_cell_magic(call: MagicCall, body: str, host: MagicHost) -> None:
    validate(ParsedCell([], call, body))
    if call.name == "quietly":
        await host.run_code(body, quietly=True)
    elif call.name == "noecho":
        await host.run_code(body, echo=False)
    elif call.name == "echo":
        await host.run_code(body, echo=True)


# ------------------------------------------------------------------------------------- handlers


async def _help(args: str, host: MagicHost) -> None:
    topic = args.strip()
    if topic:
        await show_help(topic, host)
    else:
        host.print(help_text() + "\n")


async def show_help(topic: str, host: MagicHost) -> None:
    """Stata's help for ``topic`` in the pager (JupyterLab shows it below the cell, the console pages it)."""
    if topic.startswith("%"):
        text = magic_help(topic.lstrip("%"))
    else:
        text = await host.help_for(topic)
    if text is None:
        host.print(f"No Stata help found for {topic}.\n")
    else:
        host.page(text)


async def _quietly(args: str, host: MagicHost) -> None:
    if not args:
        raise MagicError("%quietly needs the Stata code to run on the same line; %%quietly quiets a whole cell")
    await host.run_code(args, quietly=True)


async def _set(args: str, host: MagicHost) -> None:
    settings = host.settings
    words = args.split(None, 1)
    if not words:
        width = max(len(n) for n in settings.names())
        host.print("".join(f"{n.ljust(width)}  {settings.shown(n):<6}  {settings.describe(n)}\n"
                           for n in settings.names()))
        return
    name = words[0]
    value = words[1] if len(words) > 1 else ""
    if "=" in name and not value:  # %set graph_width=800
        name, _, value = name.partition("=")
    value = value.lstrip("= ").strip()
    if not value:
        if name.lower() in settings.names():
            host.print(f"{name.lower()} = {settings.shown(name.lower())}\n")
            return
        raise MagicError(f"unknown setting {name!r}; settings: {', '.join(settings.names())}")
    try:
        settings.set(name, value)
    except SettingError as exc:
        raise MagicError(str(exc)) from None
    key = name.lower().replace("-", "_")
    host.print(f"{key} = {settings.shown(key)}\n")


async def _locals(args: str, host: MagicHost) -> None:
    def read(engine: Engine) -> list[tuple[str, str]]:
        _, names = engine.macro_names()
        values = []
        for name in names:
            try:
                value = engine.local_macro(name)
            except NotImplementedError:
                value = ""
            values.append((name, value))
        return values

    pairs = await host.on_worker(read)
    if not pairs:
        host.print("(no local macros)\n")
        return
    width = max(len(n) for n, _ in pairs)
    host.print("".join(f"{n.ljust(width)} : {v}\n" for n, v in pairs))


async def _status(args: str, host: MagicHost) -> None:
    host.print("\n".join(host.status_lines()) + "\n")


async def _view(host: MagicHost, request: dataview.ViewRequest, title: str) -> None:
    cap = host.settings.browse_rows
    view = await host.on_worker(lambda engine: dataview.read_view(engine, request, cap, title))
    html, text = dataview.render_view(view)
    host.display({"text/html": html, "text/plain": text}, {"stata_view": title})


async def _browse(args: str, host: MagicHost) -> None:
    request = dataview.parse_browse(args)
    await _view(host, request, "browse " + args.strip() if args.strip() else "browse")


async def _head(args: str, host: MagicHost) -> None:
    n = dataview.parse_count(args, "head") or DEFAULT_ROWS
    await _view(host, dataview.ViewRequest(limit=n), f"head {n}")


async def _tail(args: str, host: MagicHost) -> None:
    n = dataview.parse_count(args, "tail") or DEFAULT_ROWS
    await _view(host, dataview.ViewRequest(limit=n, from_end=True), f"tail {n}")


async def _describe(args: str, host: MagicHost) -> None:
    if args.strip():
        raise MagicError("%describe takes no arguments; for some variables use Stata's describe varlist")
    info = await host.on_worker(lambda engine: engine.dataset())
    html, text = dataview.render_describe(info)
    host.display({"text/html": html, "text/plain": text}, {"stata_view": "describe"})


_HANDLERS: dict[str, Callable[[str, MagicHost], Awaitable[None]]] = {
    "help": _help,
    "quietly": _quietly,
    "set": _set,
    "locals": _locals,
    "status": _status,
    "browse": _browse,
    "head": _head,
    "tail": _tail,
    "describe": _describe,
}
