"""MCP tools, one module per concern; ``register_all`` adds them (and ``logging/setLevel``) to a server."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool

from . import inspect, run, runs, session, streams


def structured_tools() -> list[Tool]:
    """Tools built ahead of the server because they publish a hand-written output schema."""
    return run.tools()


def register_all(server: MCPServer[Any]) -> None:
    runs.register(server)
    session.register(server)
    inspect.register(server)
    streams.register_log_level(server)
