"""The real engine: Stata's own pystata, loaded from a Stata installation.

This is the only module that imports ``pystata`` or ``sfi``. It depends on what real pystata guarantees
(PYSTATA.md), never on quirks of the simulated installation, which it loads in exactly the same way.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from types import ModuleType
from typing import Any

from ..discovery import StataInstallation
from ..errors import StataError, StataInitError
from .base import DatasetInfo, Engine, EngineInfo, OutputCallback, RunGate, VariableInfo
from .router import OutputRouter

# A scratch local for reading macro names without printing them (so they never reach a user's log).
_NAMES_LOCAL = "__stlive_names"

# sfi reports Stata's missing values (., .a ... .z) as floats at or above this value.
_MISSING_THRESHOLD = 8.988e307


def _plain(value: Any) -> Any:
    """Turn pystata/sfi values into JSON-friendly Python values; missing values become None."""
    if isinstance(value, float):
        return None if value >= _MISSING_THRESHOLD or value != value else value
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return _plain(tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _discard(_: str) -> None:
    pass


def _strip_wrapper(key: str, kind: str) -> str:
    prefix = f"{kind}("
    if key.startswith(prefix) and key.endswith(")"):
        return key[len(prefix) : -1]
    return key


class PystataEngine(Engine):
    def __init__(self, installation: StataInstallation) -> None:
        self.installation = installation
        self._router = OutputRouter()
        self._config: ModuleType | None = None
        self._stata: ModuleType | None = None
        self._sfi: ModuleType | None = None
        self._quiet_macro_names = True  # until this Stata shows it lacks `: all globals` or Mata

    def start(self) -> EngineInfo:
        inst = self.installation
        utilities = str(inst.utilities)
        if utilities not in sys.path:
            sys.path.insert(0, utilities)
        captured = io.StringIO()
        try:
            # The splash banner is printed to sys.stdout during init; keep it out of any cell's output.
            with contextlib.redirect_stdout(captured):
                config = importlib.import_module("pystata.config")
                try:
                    config.init(inst.edition, splash=False)
                except TypeError:  # pystata before splash= existed
                    config.init(inst.edition)
                stata = importlib.import_module("pystata.stata")
        except BaseException as exc:  # any failure inside init is a failed start, reported verbatim
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            detail = f"{type(exc).__name__}: {exc}".strip()
            printed = captured.getvalue().strip()
            raise StataInitError(str(inst.stata_dir), inst.edition, f"{detail}\n{printed}".strip()) from exc
        self._config, self._stata = config, stata
        try:
            self._sfi = importlib.import_module("sfi")
        except ImportError:
            self._sfi = None
        # A fixed output file keeps streamed output away from pystata's own sys.stdout swapping.
        config.stoutputf = self._router
        if hasattr(config, "set_graph_show"):
            config.set_graph_show(False)  # graphs are exported by the kernel, not displayed by pystata
        if hasattr(config, "set_streaming_output_mode"):
            config.set_streaming_output_mode("on")
        version = ""
        if self._sfi is not None:
            with contextlib.suppress(Exception):
                version = str(self._sfi.Scalar.getValue("c(stata_version)"))
        return EngineInfo(
            stata_dir=str(inst.stata_dir),
            edition=inst.edition,
            simulated=inst.simulated,
            version=version,
            banner=captured.getvalue().strip(),
        )

    def _require(self) -> tuple[ModuleType, ModuleType]:
        if self._config is None or self._stata is None:
            raise RuntimeError("engine not started")
        return self._config, self._stata

    def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False, gate: RunGate | None = None) -> None:
        config, stata = self._require()
        self._router.attach(on_output)
        try:
            if gate is not None:
                gate.enter()
            try:
                try:
                    stata.run(code, quietly=quietly, echo=False)
                finally:
                    if gate is not None:
                        gate.leave()
            except SystemError as exc:
                raise StataError.from_system_error(str(exc)) from None
            finally:
                # The last piece can still be in Stata's buffer when run returns: drain it.
                get_output = getattr(config, "get_output", None)
                tail = get_output() if get_output is not None else ""
                if tail:
                    on_output(tail)
        finally:
            self._router.detach()

    def request_break(self) -> None:
        config, _ = self._require()
        config.stlib.StataSO_SetBreak()

    def stored_results(self, kind: str) -> dict[str, Any]:
        _, stata = self._require()
        getter = {"r": stata.get_return, "e": stata.get_ereturn, "s": stata.get_sreturn}[kind]
        raw = getter() or {}
        return {_strip_wrapper(str(k), kind): _plain(v) for k, v in dict(raw).items()}

    def global_macro(self, name: str) -> str:
        self._require()
        if self._sfi is None:
            raise RuntimeError("sfi is not available in this Stata installation")
        return str(self._sfi.Macro.getGlobal(name))

    def _sfi_or_raise(self) -> ModuleType:
        self._require()
        if self._sfi is None:
            raise RuntimeError("sfi is not available in this Stata installation")
        return self._sfi

    def macro_names(self) -> tuple[list[str], list[str]]:
        """Quietly through an extended macro function and Mata's ``st_dir``, read back with sfi: nothing
        is printed, so an open ``log`` never records it. ``macro dir`` (printed) is the fallback."""
        if self._quiet_macro_names and self._sfi is not None:
            try:
                return self._macro_names_quietly(self._sfi)
            except StataError:
                self._quiet_macro_names = False
        return super().macro_names()

    def _macro_names_quietly(self, sfi: ModuleType) -> tuple[list[str], list[str]]:
        try:
            self.run(f"local {_NAMES_LOCAL} : all globals", _discard, quietly=True)
            globals_ = str(sfi.Macro.getLocal(_NAMES_LOCAL) or "").split()
            self.run(f'mata: st_local("{_NAMES_LOCAL}", invtokens(st_dir("local", "macro", "*")\'))', _discard,
                     quietly=True)
            locals_ = [n for n in str(sfi.Macro.getLocal(_NAMES_LOCAL) or "").split() if n != _NAMES_LOCAL]
        finally:
            with contextlib.suppress(StataError):
                self.run(f"local {_NAMES_LOCAL}", _discard, quietly=True)
        return globals_, locals_

    def variable_names(self) -> list[str]:
        data = self._sfi_or_raise().Data
        return [str(data.getVarName(i)) for i in range(int(data.getVarCount()))]

    def working_dir(self) -> str:
        toolkit = self._sfi_or_raise().SFIToolkit
        return str(toolkit.getWorkingDir())

    def local_macro(self, name: str) -> str:
        return str(self._sfi_or_raise().Macro.getLocal(name) or "")

    def scalar_value(self, name: str) -> float | None:
        value = self._sfi_or_raise().Scalar.getValue(name)
        return None if value is None else _plain(value)

    def data_values(
        self, variables: list[str], observations: list[int], *, value_labels: bool = False
    ) -> list[list[Any]]:
        if not observations or not variables:
            return [[] for _ in observations]
        data = self._sfi_or_raise().Data
        rows = data.get(variables, observations, valuelabel=value_labels)
        return [[_plain(v) for v in row] for row in rows]

    def dataset(self) -> DatasetInfo:
        self._require()
        if self._sfi is None:
            raise RuntimeError("sfi is not available in this Stata installation")
        data = self._sfi.Data
        n_vars = int(data.getVarCount())
        variables = []
        for i in range(n_vars):
            fmt = ""
            with contextlib.suppress(Exception):
                fmt = str(data.getVarFormat(i))
            variables.append(
                VariableInfo(
                    name=str(data.getVarName(i)),
                    type=str(data.getVarType(i)),
                    format=fmt,
                    label=str(data.getVarLabel(i) or ""),
                )
            )
        return DatasetInfo(n_obs=int(data.getObsTotal()), n_vars=n_vars, variables=variables)

    def data_rows(self, variables: list[str], start: int, stop: int) -> list[list[Any]]:
        self._require()
        if self._sfi is None:
            raise RuntimeError("sfi is not available in this Stata installation")
        data = self._sfi.Data
        if stop <= start:
            return []
        rows = data.get(variables, range(start, stop))
        return [[_plain(v) for v in row] for row in rows]
