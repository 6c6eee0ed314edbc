"""Run code in the SIMULATED Stata and move results/data (mirrors pystata's ``stata`` module).

``run`` blocks the caller while a background thread prints output in arbitrary pieces to
``config.stoutputf`` (sys.stdout when None); the last piece of a run stays in the buffer for
``config.get_output()``. Errors raise ``SystemError("<message>\\nr(<rc>);")``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pystata import config

config.check_initialized()

from pystata._sim import release as _release  # noqa: E402
from pystata._sim import runtime as _runtime  # noqa: E402  (needs an initialized Stata, like the real one)
from pystata._sim.output import tick_interval as _tick  # noqa: E402

_INTERACTIVE = ("mata", "mata:", "python", "python:")


def _rt() -> _runtime.Runtime:
    return _runtime.get_runtime()


def run(cmd: str | list[str], quietly: bool = False, echo: bool = False, inline: bool | None = None) -> None:
    """Execute Stata code. Multi-line code runs like a do-file included with ``include`` (echoed)."""
    config.check_initialized()
    if isinstance(cmd, (list, tuple)):
        cmd = "\n".join(str(c) for c in cmd)
    if not isinstance(cmd, str):
        raise TypeError("cmd must be a string or a list of strings")
    # `inline` (show graphs in IPython) has no effect here: the simulator never displays graphs itself.
    played = _release.current()
    lines = cmd.splitlines()
    if len(lines) == 1 and lines[0].strip() in _INTERACTIVE:
        cmd = _interactive_block(lines[0].strip())  # [17] a loop calling input() until `end`
    try:
        try:
            _rt().run(cmd, quietly=quietly, echo=echo)
        finally:
            # [17] the output thread sleeps once more after its last round, and run joins it: 15-30 ms a call.
            time.sleep(_tick())
    except SystemError as exc:
        text = str(exc)
        streaming = config.stconfig["streamout"] == "on"
        if played.error_in_output_thread and streaming:
            _raise_in_output_thread(text)  # [17] run returns normally; threading.excepthook gets the error
            return
        if played.empty_message_after_break and text.rstrip().endswith("r(1);"):
            raise SystemError("") from None  # [19] an interrupted run: an empty message
        raise


def _interactive_block(opener: str) -> str:
    """pystata's interactive Mata/Python loop: prompts and reads with input() until `end` [17]."""
    prompt = ": " if opener.startswith("mata") else ">>> "
    body: list[str] = []
    while True:
        line = input(prompt)
        if line.strip() == "end":
            break
        body.append(line)
    return "\n".join([opener, *body, "end"])


def _raise_in_output_thread(text: str) -> None:
    def fail() -> None:
        raise SystemError(text)

    thread = threading.Thread(target=fail, name="Stata")
    thread.start()
    thread.join()


def _results(kind: str) -> dict[str, Any]:
    st = _rt().state
    res = {"r": st.r, "e": st.e, "s": st.s}[kind]
    out: dict[str, Any] = {}
    for k, v in res.scalars.items():
        out[f"{kind}({k})"] = v
    for k, m in res.macros.items():
        out[f"{kind}({k})"] = m
    for k, (rows, _rn, _cn) in res.matrices.items():
        out[f"{kind}({k})"] = _matrix(rows)
    return out


def _matrix(rows: list[list[float]]) -> Any:
    try:
        import numpy as np  # real pystata returns NumPy arrays
    except ImportError:
        return [list(r) for r in rows]
    return np.array(rows)


def _numpy_gate() -> None:
    config.check_initialized()
    if _release.numpy_missing():
        raise SystemError("NumPy package is required to use this function.")  # [17]


def get_return() -> dict[str, Any]:
    """r() results keyed like ``r(mean)``; missing values are Stata's missing float (8.988e+307)."""
    _numpy_gate()
    return _results("r")


def get_ereturn() -> dict[str, Any]:
    _numpy_gate()
    return _results("e")


def get_sreturn() -> dict[str, Any]:
    _numpy_gate()
    return _results("s")


def _columns(
    var: Any, obs: Any, selectvar: Any, valuelabel: bool, missingval: Any
) -> tuple[list[str], list[list[Any]]]:
    import sfi

    names = sfi.Data._resolve_vars(var)
    rows = sfi.Data.get(names, obs, selectvar=selectvar, valuelabel=valuelabel, missingval=missingval)
    return names, rows


def pdataframe_from_data(
    var: Any = None, obs: Any = None, selectvar: Any = None, valuelabel: bool = False, missingval: Any = None
) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise SystemError("pdataframe_from_data() needs pandas, which is not installed") from exc
    import math

    names, rows = _columns(var, obs, selectvar, valuelabel, math.nan if missingval is None else missingval)
    return pd.DataFrame(rows, columns=names)


def nparray_from_data(
    var: Any = None, obs: Any = None, selectvar: Any = None, valuelabel: bool = False, missingval: Any = None
) -> Any:
    try:
        import numpy as np
    except ImportError as exc:
        raise SystemError("nparray_from_data() needs numpy, which is not installed") from exc
    import math

    _names, rows = _columns(var, obs, selectvar, valuelabel, math.nan if missingval is None else missingval)
    return np.array(rows, dtype=object)


def pdataframe_to_data(df: Any, force: bool = False) -> None:
    import sfi

    if sfi.Data.getVarCount() > 0 and not force:
        raise SystemError("no; dataset in memory has changed since last saved\nr(4);")
    rt = _rt()
    rt.state.data.clear()
    names = [str(c) for c in df.columns]
    columns = {n: list(df[c]) for n, c in zip(names, df.columns, strict=False)}
    sfi.Data._load_columns(names, columns, len(df))


def nparray_to_data(arr: Any, prefix: str = "v", force: bool = False) -> None:
    import sfi

    if sfi.Data.getVarCount() > 0 and not force:
        raise SystemError("no; dataset in memory has changed since last saved\nr(4);")
    rows = [list(r) for r in arr]
    width = len(rows[0]) if rows else 0
    names = [f"{prefix}{j + 1}" for j in range(width)]
    columns = {n: [r[j] for r in rows] for j, n in enumerate(names)}
    sfi.Data._load_columns(names, columns, len(rows))
