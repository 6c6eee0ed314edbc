"""The interface every Stata engine implements."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

_MACRO_LINE = re.compile(r"^(_?)([A-Za-z_][A-Za-z0-9_]*):")

OutputCallback = Callable[[str], None]
"""Receives each piece of output as Stata produces it: arbitrary text, not lines, from any thread."""


class RunGate(Protocol):
    """Told exactly when Stata itself starts and stops running code, so breaks go only in between."""

    def enter(self) -> None:
        """Stata is about to start; raising (a ``StataError`` for a break) keeps it from starting."""

    def leave(self) -> None:
        """Stata has stopped (its output tail is not drained yet)."""


@dataclass(frozen=True)
class EngineInfo:
    stata_dir: str
    edition: str
    simulated: bool
    version: str = ""
    banner: str = ""


@dataclass(frozen=True)
class VariableInfo:
    name: str
    type: str
    format: str = ""
    label: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    n_obs: int
    n_vars: int
    variables: list[VariableInfo] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "n_obs": self.n_obs,
            "n_vars": self.n_vars,
            "variables": [vars(v) for v in self.variables],
        }


class Engine(ABC):
    """A Stata that runs code synchronously on the calling thread.

    Callers serialise every method on one worker thread, except :meth:`request_break`, which is called
    from another thread while :meth:`run` blocks (at most once per run).
    """

    @abstractmethod
    def start(self) -> EngineInfo:
        """Load and initialise Stata; raise :class:`~stata_kernel.errors.StataUnavailable` on failure."""

    @abstractmethod
    def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False, gate: RunGate | None = None) -> None:
        """Run ``code``, forwarding every piece of output at once; raise ``StataError`` on a non-zero rc."""

    @abstractmethod
    def request_break(self) -> None:
        """Ask the running code to stop at its next break check (Stata's Break key)."""

    @abstractmethod
    def stored_results(self, kind: str) -> dict[str, Any]:
        """r(), e() or s() results, keyed by name without the wrapper; missing values as ``None``."""

    @abstractmethod
    def global_macro(self, name: str) -> str:
        """The value of a global macro (also ``r(name)``-style names where Stata allows)."""

    @abstractmethod
    def dataset(self) -> DatasetInfo:
        """Shape and variables of the data in memory."""

    def data_rows(self, variables: list[str], start: int, stop: int) -> list[list[Any]]:
        """Values of ``variables`` for observations ``start`` (0-based) up to ``stop``."""
        raise NotImplementedError

    def output_stats(self) -> str:
        """How output is collected and what it costs (``%status``; the bench reads it); '' if nothing to say."""
        return ""

    # The methods below have portable defaults built on the ones above, so a new engine works at once;
    # engines override them when Stata offers a cheaper path (the pystata engine reads them through sfi).

    def capture(self, code: str) -> str:
        """Run ``code`` and return its output instead of streaming it (help text, ``macro dir``...)."""
        pieces: list[str] = []
        self.run(code, pieces.append)
        return "".join(pieces)

    def macro_names(self) -> tuple[list[str], list[str]]:
        """Names of the global and (top-level) local macros, for completion and ``%locals``."""
        return parse_macro_dir(self.capture("macro dir"))

    def variable_names(self) -> list[str]:
        """Names of the variables in memory, in dataset order; called after every cell, so keep it cheap."""
        return [v.name for v in self.dataset().variables]

    def working_dir(self) -> str:
        """Stata's current working directory (``cd`` in Stata may differ from the kernel's start dir)."""
        return self.capture("pwd").strip()

    def local_macro(self, name: str) -> str:
        """The value of a local macro in Stata's top-level scope ('' when undefined)."""
        raise NotImplementedError

    def scalar_value(self, name: str) -> float | None:
        """A numeric scalar, also ``c(name)``/``r(name)`` values; None when missing or undefined."""
        raise NotImplementedError

    def data_values(
        self, variables: list[str], observations: list[int], *, value_labels: bool = False
    ) -> list[list[Any]]:
        """Values of ``variables`` at the given 0-based observations; missing values as ``None``.

        With ``value_labels`` labelled numeric values come back as their label text, as Stata's browser
        shows them.
        """
        raise NotImplementedError


def parse_macro_dir(listing: str) -> tuple[list[str], list[str]]:
    """Global and local macro names from ``macro dir`` output (locals are listed with a leading ``_``).

    Long values wrap onto indented continuation lines, which never start with a name and a colon.
    """
    globals_: list[str] = []
    locals_: list[str] = []
    for line in listing.splitlines():
        match = _MACRO_LINE.match(line)
        if match:
            (locals_ if match.group(1) else globals_).append(match.group(2))
    return globals_, locals_
