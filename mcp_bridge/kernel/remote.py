"""Kernels on a Jupyter Server (``--server-url``): the seam for a later tornado-websocket client.

A ``ServerKernel`` will speak the same Jupyter messages over the server's
``/api/kernels/{id}/channels`` websocket (tornado ``websocket_connect``), create or attach to a
kernel through the REST API, and implement ``KernelConnection`` so nothing above this layer changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotSupported


@dataclass(frozen=True)
class ServerTarget:
    """Where a Jupyter Server kernel lives (already validated by the CLI)."""

    url: str
    token: str | None
    kernel_id: str | None
    kernel_name: str


def connect_server_kernel(target: ServerTarget) -> None:
    """Refuse clearly until the websocket implementation lands."""
    raise NotSupported(
        f"Kernels on a Jupyter Server (--server-url {target.url}) are not supported yet by this version "
        "of the bridge. Use a local kernel (the default) or --connection-file with the kernel's "
        "connection file."
    )
