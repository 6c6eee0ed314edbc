"""The engine used when Stata could not be found or started: every call answers the same clear error."""

from __future__ import annotations

from typing import Any, NoReturn

from ..errors import StataUnavailable
from .base import DatasetInfo, Engine, EngineInfo, OutputCallback, RunGate


class UnavailableEngine(Engine):
    def __init__(self, error: StataUnavailable) -> None:
        self.error = error

    def _fail(self) -> NoReturn:
        raise self.error

    def start(self) -> EngineInfo:
        self._fail()

    def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False, gate: RunGate | None = None) -> None:
        self._fail()

    def request_break(self) -> None:
        """Nothing runs, so there is nothing to break."""

    def stored_results(self, kind: str) -> dict[str, Any]:
        self._fail()

    def global_macro(self, name: str) -> str:
        self._fail()

    def dataset(self) -> DatasetInfo:
        self._fail()
