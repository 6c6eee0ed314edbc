"""Run code in the SIMULATED Stata and move results/data (mirrors pystata's ``stata`` module).

``run`` is a port of Stata 17's pystata [17] on top of the simulated C entry points (``config.stlib``):
one line goes to ``StataSO_Execute`` directly, several lines through a temporary do-file run with
``include <path>``; pystata's output thread (:mod:`pystata.core.stout`) prints what Stata printed; a
lone ``mata``/``python`` line starts an interactive loop calling ``input()``. What differs by release
(``SIMSTATA_RELEASE``) is in :mod:`pystata._sim.release` and the ``# sim:`` hooks of ``stout``.
"""

from __future__ import annotations

import codeop
from queue import LifoQueue
from typing import Any

from pystata import config

config.check_initialized()

import sfi  # noqa: E402  (as the real module: fails here when Stata's Python integration did not start)

from pystata._sim import release as _release  # noqa: E402
from pystata.core import stout  # noqa: E402

rc2 = 0


def _print_no_streaming_output(output: str, newline: bool) -> None:
    if newline:
        print(output, file=config.stoutputf)
    else:
        print(output, end="", file=config.stoutputf)


def _raise_from_thread(outputter: stout.RepeatTimer) -> None:
    """sim: releases after 17 raise the run's error in the caller (assumed; [19] reports it there)."""
    if outputter.error is not None:
        raise outputter.error


def _stata_wrk1(cmd: str, echo: bool = False) -> None:
    if config.stconfig["streamout"] == "on":
        try:
            queue: LifoQueue[int] = LifoQueue()
            outputter = stout.RepeatTimer("Stata", 1, queue, 0.015, None, None, None)
            outputter.start()

            with stout.RedirectOutput(stout.StataDisplay(), stout.StataError()):
                rc1 = config.stlib.StataSO_Execute(config.get_encode_str(cmd), echo)

            queue.put(rc1)

            outputter.join()
            outputter.done()
            _raise_from_thread(outputter)
        except KeyboardInterrupt:
            outputter.done()
            config.stlib.StataSO_SetBreak()
            print("\nKeyboardInterrupt: --break--")
    else:
        try:
            with stout.RedirectOutput(stout.StataDisplay(), stout.StataError()):
                rc1 = config.stlib.StataSO_Execute(config.get_encode_str(cmd), echo)

            output = config.get_output()
            while len(output) != 0:
                if rc1 != 0:
                    raise SystemError(output)

                _print_no_streaming_output(output, False)
                output = config.get_output()
            else:
                if rc1 != 0:
                    raise SystemError("failed to execute the specified command")
        except KeyboardInterrupt:
            config.stlib.StataSO_SetBreak()
            print("\nKeyboardInterrupt: --break--")


def _stata_wrk2(cmd: str, real_cmd: str | None, colon: bool, mode: int) -> None:
    global rc2
    if config.stconfig["streamout"] == "on":
        try:
            queue: LifoQueue[int] = LifoQueue()
            outputter = stout.RepeatTimer("Stata", 2, queue, 0.015, real_cmd, colon, mode)
            outputter.start()

            with stout.RedirectOutput(stout.StataDisplay(), stout.StataError()):
                rc2 = config.stlib.StataSO_Execute(config.get_encode_str(cmd), False)

            queue.put(rc2)

            outputter.join()
            outputter.done()
            _raise_from_thread(outputter)
        except KeyboardInterrupt:
            outputter.done()
            config.stlib.StataSO_SetBreak()
            print("\nKeyboardInterrupt: --break--")
    else:
        try:
            with stout.RedirectOutput(stout.StataDisplay(), stout.StataError()):
                rc2 = config.stlib.StataSO_Execute(config.get_encode_str(cmd), False)

            output = config.get_output()
            if rc2 != 0:
                if rc2 != 3000:
                    if mode != 1:
                        output = stout.output_get_interactive_result(output, real_cmd or "", colon, mode)
                        _print_no_streaming_output(output, False)
                    else:
                        raise SystemError(config.get_encode_str(output))
            else:
                while len(output) != 0:
                    output_tmp = config.get_output()
                    if len(output_tmp) == 0:
                        if mode != 1:
                            output = stout.output_get_interactive_result(output, real_cmd or "", colon, mode)
                            _print_no_streaming_output(output, False)
                        else:
                            _print_no_streaming_output(output, True)
                        break
                    else:
                        if mode != 1:
                            output = stout.output_get_interactive_result(output, real_cmd or "", colon, mode)

                        _print_no_streaming_output(output, False)
                        output = output_tmp
        except KeyboardInterrupt:
            config.stlib.StataSO_SetBreak()
            print("\nKeyboardInterrupt: --break--")


def _get_user_input(uprompt: str) -> str:
    return input(uprompt)


def _write_temp(text: str) -> str:
    tmpf = sfi.SFIToolkit.getTempFile()
    with open(tmpf, "w", encoding="utf-8") as f:
        f.write(text)
    return tmpf


def _mata_loop(input_cmd: str, quietly: bool) -> None:
    """[17] ``mata``/``mata:`` alone: read statements with input() until ``end``, each through a do-file."""
    has_colon = input_cmd == "mata:"
    print(". " + input_cmd)
    sfi.SFIToolkit.displayln("{hline 49} mata (type {cmd:end} to exit) {hline}")
    incmd = _get_user_input(": ").strip()
    incmds1 = ""
    incmds2 = ""
    inprompt = ": "
    while incmd != "end":
        incmd = incmd + "\n"
        incmds1 = incmds1 + incmd
        incmd = inprompt + incmd
        incmds2 = incmds2 + incmd

        tmpf = _write_temp(input_cmd + "\n" + incmds1 + "end")
        _stata_wrk2(("qui include " if quietly else "include ") + tmpf, incmds2, has_colon, 2)

        if rc2 != 0:
            if rc2 != 3000:
                break
            incmd = _get_user_input("> ").strip()
            inprompt = "> "
        else:
            incmd = _get_user_input(": ").strip()
            incmds1 = ""
            incmds2 = ""
            inprompt = ": "
    else:
        sfi.SFIToolkit.displayln("{hline}")


def _python_loop(input_cmd: str, quietly: bool) -> None:
    """[17] ``python``/``python:`` alone: read lines with input() until ``end``; complete statements run."""
    has_colon = input_cmd == "python:"
    print(". " + input_cmd)
    sfi.SFIToolkit.displayln("{hline 47} python (type {cmd:end} to exit) {hline}")
    incmd = _get_user_input(">>> ")
    incmds1 = ""
    incmds2 = ""
    inprompt = ">>> "
    while incmd != "end":
        incmds1 = incmds1 + incmd
        incmd = inprompt + incmd
        incmds2 = incmds2 + incmd

        res: Any
        if incmd[:6] != "stata:":
            res = incmd
            try:
                res = codeop.compile_command(incmds1, "<input>", "single")
                incmds1 = incmds1 + "\n"
                incmds2 = incmds2 + "\n"
            except (OverflowError, SyntaxError, ValueError):
                pass
        else:
            res = incmd

        if res is None:
            incmd = _get_user_input("... ")
            inprompt = "... "
        else:
            tmpf = _write_temp(input_cmd + "\n" + incmds1 + "end")
            _stata_wrk2(("qui include " if quietly else "include ") + tmpf, incmds2, has_colon, 3)

            if rc2 != 0:
                break

            incmd = _get_user_input(">>> ")
            incmds1 = ""
            incmds2 = ""
            inprompt = ">>> "
    else:
        sfi.SFIToolkit.displayln("{hline}")


def run(cmd: str, quietly: bool = False, echo: bool = False, inline: bool | None = None) -> None:
    """Run a single line or a block of Stata commands, as pystata does [17].

    One line runs through Stata directly; several lines are written to a temporary do-file and run with
    ``include``, so they are echoed like a do-file. Errors raise ``SystemError`` -- in the caller (18, 19)
    or inside the output thread (17, where ``run`` returns normally).
    """
    config.check_initialized()

    if inline is None:
        inline = config.stconfig["grshow"]
    elif inline is not True and inline is not False:
        raise TypeError("inline must be a boolean value")

    config.stlib.StataSO_ClearOutputBuffer()
    cmds = cmd.splitlines()
    if len(cmds) == 0:
        return
    elif len(cmds) == 1:
        if inline:
            config.stlib.StataSO_Execute(config.get_encode_str("qui _gr_list on"), False)

        input_cmd = cmds[0].strip()
        if input_cmd in ("mata", "mata:"):
            _mata_loop(input_cmd, quietly)
        elif input_cmd in ("python", "python:"):
            _python_loop(input_cmd, quietly)
        else:
            if quietly:
                _stata_wrk1("qui " + cmds[0], echo)
            else:
                _stata_wrk1(cmds[0], echo)
    else:
        if inline:
            config.stlib.StataSO_Execute(config.get_encode_str("qui _gr_list on"), False)

        tmpf = _write_temp(cmd)
        if quietly:
            _stata_wrk2("qui include " + tmpf, None, False, 1)
        else:
            _stata_wrk2("include " + tmpf, None, False, 1)

    if inline:
        # [17] with IPython (stipython >= 3) the graphs are displayed here; the simulator has no
        # pystata.ipython, so config.stipython stays 0 and run never displays graphs.
        config.stlib.StataSO_Execute(config.get_encode_str("qui _gr_list off"), False)


def _get_return_val(res: dict[str, Any], cat: str) -> dict[str, Any]:
    """[17] reads the names of the stored results through sfi, then each value (matrices as NumPy arrays)."""
    import numpy as np  # [17] numpy2stata.array_from_matrix is np.array; the caller checked numpy exists

    kind = cat[0]
    kinds = ("macro",) if cat == "s()" else ("scalar", "macro", "matrix")  # [17] s() holds macros only
    for what in kinds:
        for name in sfi.SFIToolkit.listReturn(cat, what).split():
            key = f"{kind}({name})"
            if what == "scalar":
                res[key] = sfi.Scalar.getValue(key)
            elif what == "macro":
                res[key] = sfi.Macro.getGlobal(key)
            else:
                res[key] = np.array(sfi.Matrix.get(key))
    return res


def _numpy_gate() -> None:
    config.check_initialized()
    if _release.numpy_missing():
        raise SystemError("NumPy package is required to use this function.")  # [17]


def get_return() -> dict[str, Any]:
    """r() results keyed like ``r(mean)``; missing values are Stata's missing float (8.988e+307) [17]."""
    _numpy_gate()
    return _get_return_val({}, "r()")


def get_ereturn() -> dict[str, Any]:
    """e() results keyed like ``e(N)``; ``e(b)``/``e(V)`` as NumPy arrays [17]."""
    _numpy_gate()
    return _get_return_val({}, "e()")


def get_sreturn() -> dict[str, Any]:
    """s() results (macros only) keyed like ``s(name)`` [17]."""
    _numpy_gate()
    return _get_return_val({}, "s()")


def _columns(
    var: Any, obs: Any, selectvar: Any, valuelabel: bool, missingval: Any
) -> tuple[list[str], list[list[Any]]]:
    names = sfi.Data._resolve_vars(var)
    rows = sfi.Data.get(names, obs, selectvar=selectvar, valuelabel=valuelabel, missingval=missingval)
    return names, rows


def _pandas_gate() -> None:
    config.check_initialized()
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise SystemError("pandas package is required to use this function.") from None  # [17]


def _replace_dataset(force: bool) -> None:
    """[17] refuses to replace a changed dataset unless ``force``; else clears it with ``run('clear')``."""
    changed = sfi.Scalar.getValue("c(changed)")
    if int(changed) == 1 and force is False:
        raise SystemError("no; dataset in memory has changed since last saved")
    run("clear")


def pdataframe_from_data(
    var: Any = None, obs: Any = None, selectvar: Any = None, valuelabel: bool = False, missingval: Any = None
) -> Any:
    _pandas_gate()
    import math

    import pandas as pd

    names, rows = _columns(var, obs, selectvar, valuelabel, math.nan if missingval is None else missingval)
    return pd.DataFrame(rows, columns=names)


def nparray_from_data(
    var: Any = None, obs: Any = None, selectvar: Any = None, valuelabel: bool = False, missingval: Any = None
) -> Any:
    _numpy_gate()
    import math

    import numpy as np

    _names, rows = _columns(var, obs, selectvar, valuelabel, math.nan if missingval is None else missingval)
    return np.array(rows, dtype=object)


def pdataframe_to_data(df: Any, force: bool = False) -> None:
    """Load a DataFrame as the dataset; [17] refuses when the data in memory changed, unless ``force``."""
    _pandas_gate()
    _replace_dataset(force)
    names = [str(c) for c in df.columns]
    columns = {n: list(df[c]) for n, c in zip(names, df.columns, strict=False)}
    sfi.Data._load_columns(names, columns, len(df))


def nparray_to_data(arr: Any, prefix: str = "v", force: bool = False) -> None:
    """Load a 2-D array as the dataset (v1, v2, ...); [17] refuses a changed dataset unless ``force``."""
    _numpy_gate()
    _replace_dataset(force)
    rows = [list(r) for r in arr]
    width = len(rows[0]) if rows else 0
    names = [f"{prefix}{j + 1}" for j in range(width)]
    columns = {n: [r[j] for r in rows] for j, n in enumerate(names)}
    sfi.Data._load_columns(names, columns, len(rows))
