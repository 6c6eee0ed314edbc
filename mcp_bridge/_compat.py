"""Every private name of another library that the bridge relies on, in one place.

The ``mcp`` SDK, at the version pinned in pyproject, has no public way to (a) serve an ``MCPServer``
on streams of our own (the stdio screen in ``stdio.py`` needs it), (b) add a request handler the
high-level server does not expose (``logging/setLevel`` in ``tools/streams.py``) or (c) reach the
per-connection object from a request's session (``tools/common.py``, ``tools/streams.py``). uvicorn
has no documented switch to leave signals alone or to learn the bound port (``http.py``).

Each use goes through a function here. :func:`missing` lists the hooks an installed version lacks;
``tests/unit/test_compat.py`` fails on it, naming the library and its version, so an upgrade that
removes one is caught by the test suite and not by a user.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any

import uvicorn
from mcp.server.lowlevel import Server as LowLevelServer
from mcp.server.mcpserver import MCPServer
from mcp.server.session import ServerSession


def lowlevel_server(server: MCPServer[Any]) -> LowLevelServer[Any]:
    """The low-level ``Server`` an ``MCPServer`` wraps (``MCPServer._lowlevel_server``)."""
    return server._lowlevel_server


def connection_of(session: object) -> Any | None:
    """The per-connection object behind a per-request session (``ServerSession._connection``).

    None when the SDK no longer has it: callers degrade (one shared key, "level never set").
    """
    return getattr(session, "_connection", None)


def _has_attribute_set_in_init(cls: type, name: str) -> bool:
    try:
        return f"self.{name} =" in inspect.getsource(cls.__init__)  # type: ignore[misc]
    except (OSError, TypeError):  # no source (zipped, frozen): assume present, the call sites degrade
        return True


def missing() -> list[str]:
    """Hooks this module needs that the installed libraries lack, each naming library and version."""
    problems: list[str] = []
    mcp_version = version("mcp")
    if not _has_attribute_set_in_init(MCPServer, "_lowlevel_server"):
        problems.append(f"mcp {mcp_version}: MCPServer._lowlevel_server is gone (stdio.py, tools/streams.py)")
    if not hasattr(LowLevelServer, "add_request_handler"):
        problems.append(f"mcp {mcp_version}: lowlevel Server.add_request_handler is gone (tools/streams.py)")
    if not _has_attribute_set_in_init(ServerSession, "_connection"):
        problems.append(f"mcp {mcp_version}: ServerSession._connection is gone (tools/common.py, tools/streams.py)")
    uvicorn_version = version("uvicorn")
    for name in ("capture_signals", "startup"):
        if not callable(getattr(uvicorn.Server, name, None)):
            problems.append(f"uvicorn {uvicorn_version}: Server.{name} is gone (http.py overrides it)")
    if "sockets" not in inspect.signature(uvicorn.Server.startup).parameters:
        problems.append(f"uvicorn {uvicorn_version}: Server.startup(sockets=) changed (http.py overrides it)")
    return problems
