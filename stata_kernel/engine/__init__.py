"""The engine seam: everything that talks to Stata sits behind :class:`Engine`.

Like httpx's transports, the real pystata engine and the "Stata unavailable" engine plug in the same way;
the simulated Stata is not a separate engine but a simulated *installation* that the pystata engine loads.
"""

from .base import DatasetInfo, Engine, EngineInfo, OutputCallback, VariableInfo
from .unavailable import UnavailableEngine

__all__ = [
    "DatasetInfo",
    "Engine",
    "EngineInfo",
    "OutputCallback",
    "UnavailableEngine",
    "VariableInfo",
]
