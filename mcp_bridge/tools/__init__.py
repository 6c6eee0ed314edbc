"""MCP tools, one module per concern; ``register_all`` adds them to a server."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer

from . import inspect, run, session


def register_all(server: MCPServer[Any]) -> None:
    run.register(server)
    session.register(server)
    inspect.register(server)
