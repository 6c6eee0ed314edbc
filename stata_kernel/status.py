"""The ``%status`` lines: which Stata, the session's counters, the kernel's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import DISPLAY_NAME, __version__

if TYPE_CHECKING:
    from .kernel import StataKernel


def status_lines(kernel: StataKernel) -> list[str]:
    info = kernel.stata.info
    if info is not None:
        kind = "SIMULATED Stata (not a real Stata)" if info.simulated else "Stata"
        stata = f"{kind} {info.version} {info.edition.upper()} at {info.stata_dir}".replace("  ", " ")
    else:
        reason = kernel.stata.unavailable_reason
        stata = f"Stata unavailable: {reason}" if reason else "Stata is starting"
    names = kernel.names
    settings = ", ".join(f"{n}={kernel.settings.shown(n)}" for n in kernel.settings.names())
    return [
        f"{DISPLAY_NAME} {__version__}",
        f"engine: {stata}",
        f"#delimit: {'cr' if kernel.delimiter == 'cr' else ';'}",
        f"runs: {kernel.stata.runs}, breaks sent: {kernel.stata.breaks_sent}, "
        f"cells that listed graphs: {kernel.graphs.listings}",
        *kernel.stata.output_stats(),
        f"working directory: {names.working_dir or '(unknown)'}",
        f"variables in memory: {len(names.variables)}"
        + (" (may be out of date)" if names.variables_stale else ""),
        f"settings: {settings}",
    ]
