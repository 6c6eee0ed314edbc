"""sfi (Stata Function Interface) for the SIMULATED Stata shipped with stata-live.

Shares state with ``pystata`` (same simulated Stata). Provided: ``Macro``, ``Scalar``, ``Data``,
``ValueLabel`` (basics), ``Matrix`` (get/names), ``SFIToolkit`` (stata/display/errprint/...),
``Missing``, ``Preference`` (in-memory). ``Frame`` is minimal: only the default frame exists.
Missing values are returned as Stata's missing float (8.98846567431158e+307), as real sfi does.
"""

from __future__ import annotations

from typing import Any

from pystata import config as _config

if _config.stinitialized and not _config.sfiinitialized:
    # Real Stata: with its Python integration not started (rc -7100) the sfi module cannot load.
    raise ImportError("DLL load failed while importing _stp: the specified module could not be found")

from pystata._sim import runtime as _runtime
from pystata._sim.dataset import Variable as _Variable
from pystata._sim.errors import StataError as _StataError
from pystata._sim.fmt import MISSING as _MISSING
from pystata._sim.fmt import is_missing as _is_missing


def _state() -> Any:
    return _runtime.get_runtime().state


def _split_results(name: str) -> tuple[str, str] | None:
    name = name.strip()
    if len(name) > 3 and name[1] == "(" and name.endswith(")") and name[0] in "rec":
        return name[0], name[2:-1].strip()
    return None


class Macro:
    @staticmethod
    def getGlobal(name: str) -> str:  # noqa: N802 - real sfi API names
        st = _state()
        parts = _split_results(name)
        if parts is not None:
            kind, key = parts
            if kind == "c":
                v = st.c_value(key)
                return v if isinstance(v, str) else _num_text(v)
            if kind == "r" and key == "_grlist":
                return st.r.macros.get("_grlist", "")
            res = st.r if kind == "r" else st.e
            return res.macros.get(key, "")
        return st.globals.get(name, "")

    @staticmethod
    def setGlobal(name: str, value: str, vtype: str = "visible") -> None:  # noqa: N802
        _state().globals[name] = str(value)

    @staticmethod
    def getLocal(name: str) -> str:  # noqa: N802
        return _state().locals.get(name, "")

    @staticmethod
    def setLocal(name: str, value: str) -> None:  # noqa: N802
        _state().locals[name] = str(value)


def _num_text(v: float) -> str:
    from pystata._sim.macros import number_to_macro

    return number_to_macro(v)


class Scalar:
    @staticmethod
    def getValue(name: str) -> float | None:  # noqa: N802
        st = _state()
        parts = _split_results(name)
        if parts is not None:
            kind, key = parts
            if kind == "c":
                v = st.c_value(key)
                return None if isinstance(v, str) else float(v)
            res = st.r if kind == "r" else st.e
            return res.scalars.get(key)
        v = st.scalars.get(name)
        return v if isinstance(v, float) else None

    @staticmethod
    def setValue(name: str, value: float, vtype: str = "visible") -> None:  # noqa: N802
        _state().scalars[name] = float(value)

    @staticmethod
    def getString(name: str) -> str | None:  # noqa: N802
        v = _state().scalars.get(name)
        return v if isinstance(v, str) else None

    @staticmethod
    def setString(name: str, value: str, vtype: str = "visible") -> None:  # noqa: N802
        _state().scalars[name] = str(value)


class Missing:
    @staticmethod
    def getValue(val: str | None = None) -> float:  # noqa: N802
        from pystata._sim.fmt import extended_missing

        return extended_missing((val or ".")[1:])

    @staticmethod
    def isMissing(value: float) -> bool:  # noqa: N802
        return _is_missing(value)


def _index(var: int | str) -> int:
    ds = _state().data
    if isinstance(var, int):
        if not 0 <= var < len(ds.variables):
            raise ValueError(f"{var}: index out of range")
        return var
    try:
        return ds.index_of(str(var))
    except _StataError:
        raise ValueError(f"{var}: variable not found") from None


def _obs_list(obs: Any) -> list[int]:
    n = _state().data.nobs
    if obs is None:
        return list(range(n))
    if isinstance(obs, int):
        return [obs]
    return [int(i) for i in obs]


class Data:
    @staticmethod
    def getObsTotal() -> int:  # noqa: N802
        return _state().data.nobs

    @staticmethod
    def getVarCount() -> int:  # noqa: N802
        return len(_state().data.variables)

    @staticmethod
    def getVarName(index: int) -> str:  # noqa: N802
        return _state().data.variables[_index(index)].name

    @staticmethod
    def getVarIndex(name: str) -> int:  # noqa: N802
        return _index(name)

    @staticmethod
    def getVarType(var: int | str) -> str:  # noqa: N802
        return _state().data.variables[_index(var)].type

    @staticmethod
    def getVarLabel(var: int | str) -> str:  # noqa: N802
        return _state().data.variables[_index(var)].label

    @staticmethod
    def getVarFormat(var: int | str) -> str:  # noqa: N802
        return _state().data.variables[_index(var)].format

    @staticmethod
    def isVarTypeStr(var: int | str) -> bool:  # noqa: N802
        return _state().data.variables[_index(var)].is_string

    @staticmethod
    def getAt(var: int | str, obs: int) -> float | str:  # noqa: N802
        v = _state().data.variables[_index(var)]
        if not 0 <= obs < len(v.values):
            raise ValueError(f"{obs}: observation out of range")
        return v.values[obs]

    @staticmethod
    def storeAt(var: int | str, obs: int, val: float | str) -> None:  # noqa: N802
        v = _state().data.variables[_index(var)]
        v.values[obs] = val if v.is_string else float(val)

    @staticmethod
    def _resolve_vars(var: Any) -> list[str]:
        ds = _state().data
        if var is None:
            return ds.names()
        if isinstance(var, (int, str)):
            if isinstance(var, str) and " " in var.strip():
                return [v.name for v in ds.expand_varlist(var)]
            return [ds.variables[_index(var)].name]
        return [ds.variables[_index(v)].name for v in var]

    @staticmethod
    def get(  # noqa: PLR0913
        var: Any = None,
        obs: Any = None,
        selectvar: Any = None,
        valuelabel: bool = False,
        missingval: Any = None,
    ) -> list[list[Any]]:
        st = _state()
        ds = st.data
        names = Data._resolve_vars(var)
        cols = [ds.variables[_index(n)] for n in names]
        sel = ds.variables[_index(selectvar)] if selectvar not in (None, -1, "") else None
        rows: list[list[Any]] = []
        for i in _obs_list(obs):
            if sel is not None and (sel.values[i] == 0 or _is_missing(sel.values[i])):
                continue
            row: list[Any] = []
            for v in cols:
                x = v.values[i]
                if valuelabel and v.value_label and not v.is_string:
                    x = ds.value_labels.get(v.value_label, {}).get(x, x)
                if missingval is not None and not v.is_string and isinstance(x, float) and _is_missing(x):
                    x = missingval
                row.append(x)
            rows.append(row)
        return rows

    @staticmethod
    def getAsDict(var: Any = None, obs: Any = None, **kw: Any) -> dict[str, list[Any]]:  # noqa: N802
        names = Data._resolve_vars(var)
        rows = Data.get(names, obs, **kw)
        return {n: [r[j] for r in rows] for j, n in enumerate(names)}

    @staticmethod
    def _load_columns(names: list[str], columns: dict[str, list[Any]], nobs: int) -> None:
        ds = _state().data
        ds.clear()
        for n in names:
            values = columns[n]
            if values and all(isinstance(x, str) for x in values):
                width = max((len(x) for x in values), default=1)
                ds.variables.append(_Variable(n, f"str{max(width, 1)}", f"%-{max(width, 1)}s", list(values)))
            else:
                fl = [_MISSING if x is None or x != x else float(x) for x in values]
                ds.variables.append(_Variable(n, "double", "%10.0g", fl))
        ds.nobs = nobs
        ds.changed = True


class ValueLabel:
    @staticmethod
    def getNames() -> list[str]:  # noqa: N802
        return list(_state().data.value_labels)

    @staticmethod
    def getValueLabels(name: str) -> dict[float, str]:  # noqa: N802
        return dict(_state().data.value_labels.get(name, {}))

    @staticmethod
    def getLabel(name: str, value: float) -> str:  # noqa: N802
        return _state().data.value_labels.get(name, {}).get(float(value), "")

    @staticmethod
    def getVarValueLabel(var: int | str) -> str:  # noqa: N802
        return _state().data.variables[_index(var)].value_label

    @staticmethod
    def createLabel(name: str) -> None:  # noqa: N802
        _state().data.value_labels.setdefault(name, {})

    @staticmethod
    def setLabelValue(name: str, value: float, label: str) -> None:  # noqa: N802
        _state().data.value_labels.setdefault(name, {})[float(value)] = label

    @staticmethod
    def setVarValueLabel(var: int | str, name: str) -> None:  # noqa: N802
        _state().data.variables[_index(var)].value_label = name


class Matrix:
    @staticmethod
    def _find(name: str) -> tuple[list[list[float]], list[str], list[str]]:
        st = _state()
        parts = _split_results(name)
        if parts is None:
            raise ValueError(f"{name}: matrix not found")
        kind, key = parts
        res = st.r if kind == "r" else st.e
        if key not in res.matrices:
            raise ValueError(f"{name}: matrix not found")
        return res.matrices[key]

    @staticmethod
    def get(name: str, rows: Any = None, cols: Any = None) -> list[list[float]]:
        m, _r, _c = Matrix._find(name)
        return [list(r) for r in m]

    @staticmethod
    def getColNames(name: str) -> list[str]:  # noqa: N802
        return list(Matrix._find(name)[2])

    @staticmethod
    def getRowNames(name: str) -> list[str]:  # noqa: N802
        return list(Matrix._find(name)[1])

    @staticmethod
    def getColTotal(name: str) -> int:  # noqa: N802
        return len(Matrix._find(name)[2])

    @staticmethod
    def getRowTotal(name: str) -> int:  # noqa: N802
        return len(Matrix._find(name)[1])


class SFIToolkit:
    @staticmethod
    def stata(cmd: str, echo: bool = False) -> None:
        """Run a command inside the current run (output goes to the same stream)."""
        rt = _runtime.get_runtime()
        interp = rt.interp
        try:
            if echo:
                interp.out(". " + cmd + "\n")
            interp.exec_statement(cmd)
        except _StataError as exc:
            raise SystemError(f"{exc.message}\nr({exc.rc});") from None

    @staticmethod
    def display(s: str, asis: bool = False) -> None:
        _runtime.get_runtime().interp.out(str(s) + "\n")

    @staticmethod
    def displayln(s: str) -> None:
        _runtime.get_runtime().interp.out(str(s) + "\n")

    @staticmethod
    def errprint(s: str) -> None:
        _runtime.get_runtime().interp.err_out(str(s))

    @staticmethod
    def errprintln(s: str) -> None:
        _runtime.get_runtime().interp.err_out(str(s) + "\n")

    @staticmethod
    def error(rc: int) -> None:
        raise SystemError(f"\nr({rc});")

    @staticmethod
    def pollnow() -> None:
        _runtime.get_runtime().check_break()

    @staticmethod
    def pollstd() -> None:
        _runtime.get_runtime().check_break()

    @staticmethod
    def getWorkingDir() -> str:  # noqa: N802
        return _state().pwd

    @staticmethod
    def listReturn(cat: str, kind: str) -> str:  # noqa: N802
        """Names of the stored results of ``cat`` ("r()", "e()", "s()") and ``kind`` (scalar, macro, matrix),
        space-separated; pystata's ``get_return`` reads them this way before fetching each value."""
        st = _state()
        res = {"r()": st.r, "e()": st.e, "s()": st.s}.get(cat.replace(" ", ""))
        if res is None:
            raise ValueError(f"{cat}: invalid stored-results category")
        store = {"scalar": res.scalars, "macro": res.macros, "matrix": res.matrices}.get(kind)
        if store is None:
            raise ValueError(f"{kind}: invalid stored-results type")
        return " ".join(store)

    @staticmethod
    def getTempFile() -> str:  # noqa: N802
        """A new temporary file name (pystata writes multi-line code there), unquoted like Stata's; removed
        when the process ends, as Stata erases its temporary files on exit."""
        import atexit
        import os
        import tempfile

        fd, path = tempfile.mkstemp(prefix="ST_", suffix=".tmp")
        os.close(fd)
        atexit.register(_remove_quietly, path)
        return path

    @staticmethod
    def isValidName(name: str) -> bool:  # noqa: N802
        import re

        return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", name))


def _remove_quietly(path: str) -> None:
    import contextlib
    import os

    with contextlib.suppress(OSError):
        os.remove(path)


class Frame:
    """Minimal: only the default frame exists."""

    @staticmethod
    def getFrameAt(index: int) -> str:  # noqa: N802
        if index != 0:
            raise ValueError("frame index out of range")
        return "default"

    @staticmethod
    def getFrameCount() -> int:  # noqa: N802
        return 1

    @staticmethod
    def getCWFrame() -> str:  # noqa: N802
        return "default"


class Preference:
    _saved: dict[tuple[str, str], str] = {}  # noqa: RUF012

    @staticmethod
    def getSavedPref(section: str, key: str, default: str = "") -> str:  # noqa: N802
        return Preference._saved.get((section, key), default)

    @staticmethod
    def setSavedPref(section: str, key: str, value: str) -> None:  # noqa: N802
        Preference._saved[(section, key)] = str(value)


__all__ = [
    "Data",
    "Frame",
    "Macro",
    "Matrix",
    "Missing",
    "Preference",
    "SFIToolkit",
    "Scalar",
    "ValueLabel",
]
