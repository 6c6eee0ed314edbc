"""Exceptions raised by the engine layer.

Every failure a caller can act on has its own class so that the kernel (and anyone embedding the
engine) can catch exactly what it handles, as with httpx's exception hierarchy.
"""

from __future__ import annotations


class StataLiveError(Exception):
    """Base class of every error raised by stata-live."""


class StataUnavailable(StataLiveError):
    """Stata cannot run code in this process (not found, or failed to start)."""


class StataNotFound(StataUnavailable):
    """No Stata installation was found; ``searched`` lists every place that was looked at."""

    def __init__(self, searched: list[str]) -> None:
        self.searched = list(searched)
        lines = "\n".join(f"  - {place}" for place in self.searched) or "  (nowhere)"
        super().__init__(
            "Stata was not found. Places searched, in order:\n"
            f"{lines}\n"
            "Set STATA_DIR to the Stata installation directory (the one holding utilities/pystata), "
            "or run `python -m stata_kernel simulator-dir` to get the simulated Stata's path for a demo."
        )


class StataInitError(StataUnavailable):
    """Stata was found but failed to initialise (licence, shared library, edition...)."""

    def __init__(self, stata_dir: str, edition: str, message: str) -> None:
        self.stata_dir = stata_dir
        self.edition = edition
        self.message = message
        super().__init__(f"Stata at {stata_dir} (edition {edition}) failed to initialise:\n{message}")


class StataError(StataLiveError):
    """Stata ran the code and stopped with a non-zero return code."""

    def __init__(self, rc: int, message: str, *, output_tail: str = "") -> None:
        self.rc = rc
        self.message = message
        self.output_tail = output_tail  # the end of the run's raw output (echo included): where it failed
        self.code: str | None = None  # the code the engine ran, once known
        self.line: int | None = None  # 1-based line of the failing command in ``code``, once located
        self.command: str | None = None  # the failing command's text in ``code``, once located
        super().__init__(f"{message}\nr({rc});" if message else f"r({rc});")

    @property
    def is_break(self) -> bool:
        return self.rc == 1


class ConsoleRequired(StataLiveError):
    """Code that would make Stata wait for a console line (a kernel has none); refused before it runs."""

    def __init__(self, command: str, line: int, advice: str) -> None:
        self.command = command
        self.line = line
        self.advice = advice
        super().__init__(f"line {line}: `{command}` would wait for a console. {advice}\nNothing was run.")


class EngineBusy(StataLiveError):
    """A run was requested while another one is in progress on the same engine."""


class EngineClosed(StataLiveError):
    """The engine was shut down."""
