"""Failures of the kernel connection that callers handle one by one."""

from __future__ import annotations


class KernelError(Exception):
    """Base class: the kernel could not do what was asked."""


class KernelUnavailable(KernelError):
    """The kernel could not be started or reached (bad kernelspec, connection file, server...)."""


class KernelDied(KernelError):
    """The kernel process died (or stopped answering heartbeats) while a request was in flight."""

    def __init__(self, restarted: bool, detail: str = "") -> None:
        self.restarted = restarted
        self.detail = detail
        text = "The Stata kernel died"
        if detail:
            text += f" ({detail})"
        text += (
            "; it was restarted, so Stata's memory (data, results, macros) is now empty."
            if restarted
            else "; it is not managed by this bridge, so it was not restarted."
        )
        super().__init__(text)


class KernelRestarted(KernelError):
    """The kernel was restarted on request (``stata_restart``) while a run was in progress."""


class NotSupported(KernelError):
    """The requested kind of kernel connection is not implemented yet."""
