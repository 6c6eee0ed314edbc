"""``build_server``: the MCP server with its tools, resources and the shared bridge state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.mcpserver import MCPServer

from . import __version__, resources, tools
from .config import BridgeConfig
from .state import BridgeState, open_state

INSTRUCTIONS = (
    "Runs Stata in one persistent session. Use stata_run for code and stata_run_file for do-files; "
    "send a progressToken (or set a log level) to see output live while long scripts run, or pass "
    "background=true and poll stata_run_status (stata_cancel stops it). Results carry structured content: "
    "ok, rc, error kind and line, r()/e() results, dataset, graphs, and the log's resource URI "
    "(stata_log_search searches it). "
    "stata_interrupt breaks a run, stata_results/stata_describe inspect results and data, stata_help "
    "shows Stata help."
)


def build_server(config: BridgeConfig, state: BridgeState | None = None) -> MCPServer[BridgeState]:
    """Build the server; with ``state`` every connection shares it, else each lifespan opens one."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[BridgeState]) -> AsyncIterator[BridgeState]:
        if state is not None:
            async with state.runner.host.running():
                yield state
        else:
            async with open_state(config) as own, own.runner.host.running():
                yield own

    server: MCPServer[BridgeState] = MCPServer(
        "stata-live",
        title="Stata (live)",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        log_level=config.log_level,  # type: ignore[arg-type]
        tools=tools.structured_tools(),
    )
    tools.register_all(server)
    resources.register(server)
    return server
