"""Configure the SIMULATED Stata and show system information (mirrors pystata's ``config`` module).

This is the stata-live simulator, not Stata. Like the real module, ``init`` finds the Stata home from this
file's location (``<home>/utilities/pystata/config.py``), checks for the edition's shared library there and
raises when it is missing, so a broken installation is detected the same way.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

stlib: Any = None
stversion = ""
stedition = ""
stinitialized = False
sfiinitialized = False
stlibpath: str | None = None
stipython = 0
stoutputf: Any = None

stconfig: dict[str, Any] = {
    "grwidth": ["default", "in"],
    "grheight": ["default", "in"],
    "grformat": "svg",
    "grshow": True,
    "streamout": "on",
}

pyversion = sys.version_info[0:3]

_EDITIONS = {"mp": "MP", "se": "SE", "be": "BE"}
_LIBRARIES = {"mp": "libstata-mp.so", "se": "libstata-se.so", "be": "libstata.so"}


def _raise_system_error(msg: str) -> None:
    raise SystemError(msg)


def _get_st_home() -> str:
    here = os.path.normpath(os.path.abspath(__file__))
    utilities = os.path.dirname(os.path.dirname(here))
    if os.path.basename(utilities).lower() != "utilities":
        _raise_system_error("failed to load Stata's shared library")
    return os.path.dirname(utilities)


def _get_lib_path(st_home: str, edition: str) -> str:
    if not os.path.isdir(st_home):
        raise ValueError("Stata home directory is invalid")
    if edition not in _EDITIONS:
        raise ValueError("Stata edition must be one of be, se, or mp")
    lib_path = os.path.join(st_home, _LIBRARIES[edition])
    if os.path.isfile(lib_path):
        return lib_path
    raise FileNotFoundError(f"The system cannot find the shared library within the specified path: {st_home}")


def _load_library(lib_path: str) -> None:
    """A real Stata would dlopen the library; the simulator only accepts its own marker file."""
    try:
        with open(lib_path, "rb") as f:
            head = f.read(4096)
    except OSError:
        _raise_system_error("failed to load Stata's shared library")
    if b"simulated" not in head.lower():
        _raise_system_error("failed to load Stata's shared library")


def _banner(edition: str) -> str:
    return (
        "\n"
        f"  SIMULATED Stata {stversion} ({edition}) — stata-live simulator, not a real Stata\n"
        "  No Stata code, licence or binaries are involved: a small deterministic subset of Stata\n"
        "  for tests and demos (see SIMULATED.txt in the installation directory).\n"
        "\n"
    )


def init(edition: str = "mp", splash: bool = True) -> None:
    """Initialize the simulated Stata. A second call is a no-op, as with real pystata."""
    global stlib, stversion, stedition, stinitialized, sfiinitialized, stlibpath
    if stinitialized:
        return
    from ._sim import release, state

    played = release.current()  # SIMSTATA_RELEASE; an invalid value fails here, before anything loads
    state.STATA_VERSION = played.version
    st_home = _get_st_home()
    os.environ["SYSDIR_STATA"] = st_home
    lib_path = os.path.normpath(_get_lib_path(st_home, edition))
    _load_library(lib_path)
    stlibpath = lib_path
    stedition = _EDITIONS[edition]

    from ._sim import runtime

    rt = runtime.create_runtime(stedition, lambda: stoutputf)
    rt.streaming = stconfig["streamout"] == "on"
    stlib = rt.stlib
    stversion = f"{played.version:.1f}"
    # Real init: rc = StataSO_Main(...); msg = get_output(); rc -7100 (Python integration failed) leaves
    # sfiinitialized False and init returns; any other negative rc raises. SIMSTATA_INIT_RC plays either.
    init_rc = int(os.environ.get("SIMSTATA_INIT_RC", "0") or 0)
    sfiinitialized = True
    if init_rc < 0:
        message = (f"Stata's Python integration failed to initialize (rc {init_rc}): this Python "
                   f"({'.'.join(map(str, pyversion))}) is not one it supports [simulated]\n")
        if init_rc != -7100:
            _raise_system_error("failed to initialize Stata\n" + message)
        sfiinitialized = False
        rt.buffer.append(message)
        rt.buffer.advance_fence()
    stinitialized = True
    if splash:
        print(_banner(stedition), end="")
    # Real init imports pystata.ipython.stpymagic, which imports pystata.stata: wrappers (nbstata) rely on
    # ``pystata.stata`` being loaded after ``config.init`` without importing it themselves.
    import pystata.stata  # noqa: F401


def check_initialized() -> None:
    if stinitialized is False:
        _raise_system_error(
            "\n    Note: Stata environment has not been initialized yet. \n"
            "    To proceed, you must call init() function in the config module as follows:\n\n"
            "        from pystata import config\n"
            "        config.init()"
        )


def is_stata_initialized() -> bool:
    return stinitialized


def _get_stata_version_str() -> str:
    return f"Stata {stversion} ({stedition}) [SIMULATED]" if stversion else stedition


def _size_str(info: list[Any]) -> str:
    return "default" if info[0] == "default" else f"{info[0]}{info[1]}"


def status() -> None:
    if stinitialized is False:
        print("Stata environment has not been initialized yet")
        return
    print("    System information")
    print(f"      Python version         {'.'.join(str(i) for i in pyversion)}")
    print(f"      Stata version          {_get_stata_version_str()}")
    print(f"      Stata library path     {stlibpath}")
    print(f"      Stata initialized      {stinitialized}")
    print(f"      sfi initialized        {sfiinitialized}\n")
    print("    Settings")
    print("      graphic display       ", stconfig["grshow"])
    print(
        "      graphic size          ",
        f" width = {_size_str(stconfig['grwidth'])}, height = {_size_str(stconfig['grheight'])}",
        sep="",
    )
    print("      graphic format        ", stconfig["grformat"])
    print(f"      platform               {platform.system()} (simulated Stata)")


def get_output() -> str:
    """Return and clear what is still in Stata's output buffer (e.g. the tail of the last run)."""
    check_initialized()
    stlib.StataSO_GetOutputBuffer.restype = "c_char_p"  # what real pystata sets on every call (ignored here)
    return get_decode_str(stlib.StataSO_GetOutputBuffer())


def get_encode_str(s: str) -> bytes:
    return s.encode("utf-8")


def get_decode_str(s: bytes) -> str:
    return s.decode("utf-8", "backslashreplace")


def set_graph_format(gformat: str, perm: bool = False) -> None:
    if perm is not True and perm is not False:
        raise ValueError("perm must be a boolean value")
    if gformat not in ("svg", "png", "pdf"):
        raise ValueError("invalid graph format")
    stconfig["grformat"] = gformat


def _figure_size(value: Any) -> list[Any]:
    text = str(value).strip()
    if text.lower() == "default":
        return ["default", "in"]
    try:
        return [round(float(text)), "in"]
    except ValueError:
        pass
    unit = text[-2:]
    number = text[:-2].strip()
    if unit not in ("px", "in", "cm"):
        return [-1, "in"]
    if number.lower() == "default":
        return ["default", unit]
    try:
        size: float = float(number)
    except ValueError:
        return [-1, unit]
    if unit == "px":
        size = round(size)
    elif unit == "cm":
        size = round(size, 3)
    return [size, unit]


def set_graph_size(width: Any = None, height: Any = None, perm: bool = False) -> None:
    if width is None and height is None:
        raise ValueError("one of width and height must be specified")
    if perm is not True and perm is not False:
        raise ValueError("perm must be a boolean value")
    gw = _figure_size(width) if width else ["default", "in"]
    gh = _figure_size(height) if height else ["default", gw[1]]
    if width is None:
        gw = ["default", gh[1]]
    for info, what in ((gw, "width"), (gh, "height")):
        if info[0] != "default" and info[0] < 0:
            raise ValueError(f"graph {what} is invalid")
    stconfig["grwidth"] = gw
    stconfig["grheight"] = gh


def set_graph_show(show: bool, perm: bool = False) -> None:
    if perm is not True and perm is not False:
        raise ValueError("perm must be a boolean value")
    if show is not True and show is not False:
        raise TypeError("show must be a boolean value")
    stconfig["grshow"] = show


def set_streaming_output_mode(flag: str, perm: bool = False) -> None:
    if perm is not True and perm is not False:
        raise ValueError("perm must be a boolean value")
    if flag not in ("on", "off"):
        raise ValueError("The value for output mode must be either on or off. Default is on.")
    stconfig["streamout"] = flag
    if stinitialized:
        from ._sim import runtime

        runtime.get_runtime().streaming = flag == "on"


def set_output_file(filename: str, replace: bool = False) -> None:
    global stoutputf
    if os.path.isfile(filename):
        if not replace:
            raise OSError(filename + " already exists")
        os.remove(filename)
    stoutputf = open(filename, "a", newline="\n", encoding="utf-8")  # noqa: SIM115 - kept open like pystata


def close_output_file() -> None:
    global stoutputf
    if stoutputf is not None:
        stoutputf.close()
        stoutputf = None


def get_stipython() -> int:
    return stipython
