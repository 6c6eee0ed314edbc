"""Turning a cell's code into the one line ``StataSO_Execute`` runs.

One line runs as typed at Stata's prompt. Several lines go through our own temporary do-file, run with
``include "path"`` (quoted, forward slashes, so spaces and Windows paths work; ``include`` shares the
caller's locals, as pystata's does) and removed afterwards. Code that would make Stata wait for a console
is refused before it reaches Stata (see :mod:`stata_kernel.syntax.console`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ConsoleRequired, StataError
from ..scratch import ScratchDir
from ..syntax.console import console_wait
from ..syntax.failing import locate
from .runloop import OUTPUT_TAIL_CHARS


def stata_path(path: Path) -> str:
    """A path as Stata reads it inside a command: forward slashes, in compound quotes when it holds ``"``."""
    text = path.as_posix()
    return f'`"{text}"\'' if '"' in text else f'"{text}"'


class DoFiles:
    """Temporary do-files in a private directory that lives as long as the engine."""

    def __init__(self) -> None:
        self._dir = ScratchDir("stata-live-")
        self._numbers = itertools.count(1)

    @contextmanager
    def written(self, code: str) -> Iterator[Path]:
        path = self._dir.path / f"cell{next(self._numbers)}.do"
        # A do-file's last line is run only when it ends with a newline.
        path.write_text(code if code.endswith("\n") else code + "\n", encoding="utf-8")
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                path.unlink()


@contextmanager
def command_for(code: str, dofiles: DoFiles, *, quietly: bool = False) -> Iterator[str | None]:
    """The line to execute for ``code`` (None when there is nothing to run); raises ``ConsoleRequired``."""
    stripped = code.strip()
    if not stripped:
        yield None
        return
    wait = console_wait(stripped)
    if wait is not None:
        raise ConsoleRequired(wait.command, wait.line, wait.advice)
    prefix = "quietly " if quietly else ""
    lines = stripped.splitlines()
    try:
        if len(lines) == 1:
            yield prefix + lines[0].strip()
            return
        with dofiles.written(stripped) as path:
            yield f"{prefix}include {stata_path(path)}"
    except StataError as exc:
        _place(exc, code, stripped)
        raise


def _place(exc: StataError, code: str, stripped: str) -> None:
    """Fill in the failing command and its line in ``code`` (the line map of the temporary do-file).

    Found in the run's raw output, which holds Stata's echo even when the kernel hides it. Left unknown
    when the output's beginning is no longer kept (a long run): a guess there could name the wrong line.
    """
    exc.code = code
    if len(exc.output_tail) >= OUTPUT_TAIL_CHARS:
        return
    try:
        where = locate(stripped, exc.output_tail, exc.message)
    except Exception:  # a scanner bug must never cost the run its error
        return
    if where is not None:
        skipped = code[: len(code) - len(code.lstrip())].count("\n")  # the do-file starts at the first text
        exc.line, exc.command = where.line + skipped, where.command
