"""Picks the kind of kernel connection from the bridge configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .base import KernelConnection
from .local import AttachedKernel, OwnedKernel
from .remote import ServerTarget, connect_server_kernel


def make_kernel(
    *,
    kernel_name: str,
    connection_file: str | None = None,
    server: ServerTarget | None = None,
    env: Mapping[str, str] | None = None,
) -> KernelConnection:
    """Build (not start) the connection: remote server, attached local kernel, or an owned one."""
    if server is not None:
        return connect_server_kernel(server)
    if connection_file is not None:
        return AttachedKernel(connection_file)
    return OwnedKernel(kernel_name, env=dict(os.environ if env is None else env))
