"""One execute request as the kernel runs it: where its output goes, and what magics may do.

Also the per-cell helpers of ``StataKernel._run_stata``: remembered text checks and one-line cells.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .engine import Engine
from .errors import StataLiveError
from .run_output import RunOutput
from .settings import KernelSettings
from .status import status_lines
from .syntax import resolve_command, scan

if TYPE_CHECKING:
    from .kernel import StataKernel

T = TypeVar("T")

# Per-cell text checks (delimiter translation, graph and name checks) are pure: a kernel remembers them for
# short cells, which are re-run often; long cells are checked afresh so the memo never holds much text.
_MEMO_CELLS = 128
_MEMO_CHARS = 4096


def memo_short(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(code, *args)`` remembered for the last few short ``code`` strings."""
    cached = functools.lru_cache(maxsize=_MEMO_CELLS)(fn)

    def call(code: str, *args: Any) -> T:
        return cached(code, *args) if len(code) <= _MEMO_CHARS else fn(code, *args)

    return call


def as_interactive_line(code: str) -> str:
    """pystata runs one-line code like Stata's Command window, where ``//``, ``/* */`` and ``///``
    are errors; a one-line cell is written like a do-file line, so drop its comments ('' if only one)."""
    if "/" not in code:
        return code
    commands = [s.text.strip() for s in scan(code, "cr").statements if s.kind == "command"]
    return " ".join(c for c in commands if c)


class InvalidCode(StataLiveError):
    """Code the kernel refuses to send to Stata."""


class Execution:
    """One execute request: where its output goes, and what magics may do (a :class:`magics.MagicHost`)."""

    def __init__(self, kernel: StataKernel, parent: dict[str, Any], silent: bool) -> None:
        self.kernel = kernel
        self.parent = parent
        self.silent = silent
        self.output = RunOutput(None if silent else kernel.publish.stream(parent))
        self.payload: list[dict[str, Any]] = []  # pager payloads for the execute_reply (help pages)

    @property
    def settings(self) -> KernelSettings:
        return self.kernel.settings

    async def run_code(self, code: str, *, quietly: bool = False, echo: bool | None = None) -> None:
        await self.kernel._run_stata(self, code, quietly=quietly, echo=echo)

    async def on_worker(self, fn: Callable[[Engine], T]) -> T:
        return await self.kernel.stata.call(fn)

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        if not self.silent:
            self.kernel.publish.display(self.parent, data, metadata or {})

    def print(self, text: str) -> None:
        self.output.write(text)

    def status_lines(self) -> list[str]:
        return status_lines(self.kernel)

    async def help_for(self, topic: str) -> str | None:
        resolved = resolve_command(topic) or topic
        kernel = self.kernel
        entry = await kernel.stata.call(lambda engine: kernel.help.lookup(engine, resolved, kernel.stata_dir_found()))
        return entry.shown() if entry.found else None

    def page(self, text: str) -> None:
        self.payload.append({"source": "page", "data": {"text/plain": text}, "start": 0})


