"""The real engine: Stata's own pystata, loaded from a Stata installation.

This is the only module that imports ``pystata`` or ``sfi``. pystata finds and starts Stata
(``config.init``) and sfi reads data and results; code runs through Stata's C entry points, which every
release shares (``runloop``), never through ``pystata.stata.run``, whose behaviour differs by release
(docs/real-stata.md). It depends on what real pystata guarantees, never on quirks of the simulated
installation, which it loads in exactly the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..discovery import StataInstallation
from ..errors import StataError, StataInitError
from .base import DatasetInfo, Engine, EngineInfo, OutputCallback, RunGate, VariableInfo
from .commands import DoFiles, command_for, stata_path
from .releases import python_problem
from .runloop import EntryPoints, RunLoop

# A scratch local for reading macro names without printing them (so they never reach a user's log).
_NAMES_LOCAL = "__stlive_names"

# sfi reports Stata's missing values (., .a ... .z) as floats at or above this value.
_MISSING_THRESHOLD = 8.988e307

# stata-live's own ado files (pause.ado), put first on the adopath at start-up.
ADO_DIR = Path(__file__).resolve().parent.parent / "ado"

# Run once after Stata starts: output is never paged, and `pause` never waits for a console.
_SETUP = ("set more off", f"adopath ++ {stata_path(ADO_DIR)}")


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


def _entry_points(config: ModuleType) -> EntryPoints:
    """Stata's C functions from the library pystata loaded; ctypes return types set as pystata sets them."""
    stlib = config.stlib
    get_buffer = getattr(stlib, "StataSO_GetOutputBuffer", None)
    read: Callable[[], bytes | str | None]
    if get_buffer is not None:
        with contextlib.suppress(AttributeError, TypeError):
            get_buffer.restype = ctypes.c_char_p  # bytes, so no character is decoded half
        read = get_buffer
    else:
        read = config.get_output
    clear = getattr(stlib, "StataSO_ClearOutputBuffer", None)
    if clear is None:
        def clear() -> None:
            while read():
                pass

    return EntryPoints(
        execute=stlib.StataSO_Execute,
        read_output=read,
        clear_output=clear,
        append_output=getattr(stlib, "StataSO_AppendOutputBuffer", None),
        set_break=stlib.StataSO_SetBreak,
    )


class PystataEngine(Engine):
    def __init__(self, installation: StataInstallation) -> None:
        self.installation = installation
        self._config: ModuleType | None = None
        self._sfi: ModuleType | None = None
        self._loop: RunLoop | None = None
        self._dofiles = DoFiles()
        self._quiet_macro_names = True  # until this Stata shows it lacks `: all globals` or Mata
        self.setup_problems: list[str] = []

    def start(self) -> EngineInfo:
        inst = self.installation
        problem = python_problem(inst.stata_dir)
        if problem is not None:
            raise StataInitError(str(inst.stata_dir), inst.edition, problem)
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
                except TypeError:  # pystata before splash= existed (Stata 17)
                    config.init(inst.edition)
        except BaseException as exc:  # any failure inside init is a failed start, reported verbatim
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            detail = f"{type(exc).__name__}: {exc}".strip()
            printed = captured.getvalue().strip()
            raise StataInitError(str(inst.stata_dir), inst.edition, f"{detail}\n{printed}".strip()) from exc
        if getattr(config, "sfiinitialized", True) is False:
            raise StataInitError(str(inst.stata_dir), inst.edition, self._integration_failed(config, captured))
        try:
            self._sfi = importlib.import_module("sfi")
        except Exception as exc:
            raise StataInitError(str(inst.stata_dir), inst.edition,
                                 f"Stata started but its Python module sfi did not load: "
                                 f"{type(exc).__name__}: {exc}") from exc
        self._config = config
        self._loop = RunLoop(_entry_points(config))
        for command in _SETUP:
            try:
                self.run(command, _discard, quietly=True)
            except StataError as exc:
                self.setup_problems.append(f"`{command}` failed at start-up: {exc}")
        version = ""
        with contextlib.suppress(Exception):
            version = str(self._sfi.Scalar.getValue("c(stata_version)"))
        return EngineInfo(
            stata_dir=str(inst.stata_dir),
            edition=inst.edition,
            simulated=inst.simulated,
            version=version,
            banner="\n".join([captured.getvalue().strip(), *self.setup_problems]).strip(),
        )

    @staticmethod
    def _integration_failed(config: ModuleType, captured: io.StringIO) -> str:
        said = ""
        with contextlib.suppress(Exception):
            said = str(config.get_output() or "").strip()
        said = said or captured.getvalue().strip()
        return (
            "Stata started, but its Python integration did not (config.sfiinitialized is False; Stata's "
            "code -7100), so sfi, data and results are unavailable. A Python newer than this Stata "
            f"release supports is the usual cause (this is Python {sys.version_info[0]}.{sys.version_info[1]}, "
            f"{sys.executable}).\nStata said: {said or '(nothing)'}"
        )

    def _require(self) -> RunLoop:
        if self._loop is None:
            raise RuntimeError("engine not started")
        return self._loop

    def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False, gate: RunGate | None = None) -> None:
        loop = self._require()
        with command_for(code, self._dofiles, quietly=quietly) as command:
            if command is not None:
                loop.execute(command, on_output, gate)

    def output_stats(self) -> str:
        if self._loop is None:
            return ""
        stats = self._loop.pump.stats
        share = stats.cpu_seconds / stats.open_seconds * 100 if stats.open_seconds else 0.0
        return (f"output pump: every {self._loop.pump.interval * 1000:g} ms while output flows (2 ms in silences); "
                f"{stats.runs} runs, "
                f"{stats.reads} reads, {stats.cpu_seconds * 1000:.1f} ms CPU over {stats.open_seconds:.2f} s "
                f"open ({share:.2f}% of a core)")

    def request_break(self) -> None:
        self._require().entry.set_break()

    def stored_results(self, kind: str) -> dict[str, Any]:
        """Read through sfi, as pystata's ``get_return`` does inside, but without its numpy requirement."""
        sfi = self._sfi_or_raise()
        if kind not in ("r", "e", "s"):
            raise ValueError(f"unknown stored-results kind {kind!r}: use r, e or s")
        toolkit = sfi.SFIToolkit
        if not hasattr(toolkit, "listReturn"):
            return self._stored_results_from_pystata(kind)
        readers = {"scalar": sfi.Scalar.getValue, "macro": sfi.Macro.getGlobal, "matrix": sfi.Matrix.get}
        results: dict[str, Any] = {}
        for category, read in readers.items():
            if kind == "s" and category != "macro":
                continue  # s() holds macros only
            for name in str(toolkit.listReturn(f"{kind}()", category) or "").split():
                results[name] = _plain(read(f"{kind}({name})"))
        return results

    def _stored_results_from_pystata(self, kind: str) -> dict[str, Any]:
        stata = importlib.import_module("pystata.stata")
        getter = {"r": stata.get_return, "e": stata.get_ereturn, "s": stata.get_sreturn}[kind]
        try:
            raw = getter() or {}
        except SystemError as exc:  # Stata 17's pystata needs numpy here
            raise RuntimeError(f"stored results are unavailable: {exc}") from exc
        return {_strip_wrapper(str(k), kind): _plain(v) for k, v in dict(raw).items()}

    def global_macro(self, name: str) -> str:
        return str(self._sfi_or_raise().Macro.getGlobal(name))

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
        data = self._sfi_or_raise().Data
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
        data = self._sfi_or_raise().Data
        if stop <= start:
            return []
        rows = data.get(variables, range(start, stop))
        return [[_plain(v) for v in row] for row in rows]
