"""Kernel layer: reaches a Jupyter kernel and turns its messages into neutral run events."""

from .base import EventSink, KernelConnection
from .errors import KernelDied, KernelError, KernelRestarted, KernelUnavailable, NotSupported
from .events import DisplayItem, Execution, KernelEvent, OutputText, RunFailure
from .factory import make_kernel
from .remote import ServerTarget

__all__ = [
    "DisplayItem",
    "EventSink",
    "Execution",
    "KernelConnection",
    "KernelDied",
    "KernelError",
    "KernelEvent",
    "KernelRestarted",
    "KernelUnavailable",
    "NotSupported",
    "OutputText",
    "RunFailure",
    "ServerTarget",
    "make_kernel",
]
