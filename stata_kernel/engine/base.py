"""The interface every Stata engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OutputCallback = Callable[[str], None]
"""Receives each piece of output as Stata produces it: arbitrary text, not lines, from any thread."""


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
    def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False) -> None:
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
