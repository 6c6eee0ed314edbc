"""What ``inspect_request`` (Shift-Tab, ``?``) asks help for: the command or magic under the cursor."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from . import magics
from .errors import StataLiveError
from .syntax import command_at, resolve_command, word_at

if TYPE_CHECKING:
    from .kernel import StataKernel

# Only Stata's start-up can hold the idle worker up: a lookup waits for it, but not longer than this.
STARTING_HELP_TIMEOUT = 5.0


def inspect_topic(code: str, cursor_pos: int, delimiter: str) -> tuple[str, bool] | None:
    """(topic, is_magic) for the cursor: the command word under it, else its statement's command."""
    line_start = code.rfind("\n", 0, cursor_pos) + 1
    line = code[line_start:].split("\n", 1)[0]
    if line.lstrip().startswith("%"):
        name = line.lstrip().lstrip("%").split(None, 1)
        return (name[0], True) if name else None
    word = word_at(code, cursor_pos)
    resolved = resolve_command(word) if word else None
    if resolved:
        return resolved, False
    command = command_at(code, cursor_pos, delimiter)
    if command:
        return command, False
    return (word, False) if word else None


async def help_text(kernel: StataKernel, code: str, cursor_pos: int) -> str | None:
    """The help shown for the cursor: a magic's, Stata's (cached while a cell runs), or a note; None: nothing."""
    target = inspect_topic(code, cursor_pos, kernel.delimiter)
    if target is None:
        return None
    topic, is_magic = target
    if is_magic:
        return magics.magic_help(topic)
    entry = kernel.help.cached(topic)
    if entry is None and kernel.busy:
        return (f"help {topic}: Stata is busy running a cell; "
                "ask again when it finishes (help text is cached after the first lookup).")
    if entry is None:
        limit = None if kernel.stata.info is not None else STARTING_HELP_TIMEOUT
        stata_dir = kernel.stata_dir_found()
        try:
            entry = await asyncio.wait_for(
                kernel.stata.call(lambda engine: kernel.help.lookup(engine, topic, stata_dir)), limit)
        except asyncio.TimeoutError:
            return f"help {topic}: Stata is still starting; ask again in a moment."
        except (StataLiveError, RuntimeError) as exc:
            kernel.log.debug("help lookup failed: %s", exc)
            return None
    return entry.shown() if entry.found else None
