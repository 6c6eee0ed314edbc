"""Seed baseline: a small Stata MCP server written the way the earlier one was.

It runs pystata in a worker thread and collects Stata's output while the run blocks; the progress
notifications carrying that output are only sent when the run has returned, just before the result.
A 10-minute script therefore shows nothing for 10 minutes. Same simulated Stata, same SDK, stdio.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer


class _Collect:
    def __init__(self) -> None:
        self.pieces: list[str] = []
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        if text:
            with self._lock:
                self.pieces.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def take(self) -> list[str]:
        with self._lock:
            pieces, self.pieces = self.pieces, []
        return pieces


def build() -> MCPServer[Any]:
    sys.path.append(os.path.join(os.environ["STATA_DIR"], "utilities"))
    from pystata import config

    config.init(os.environ.get("STATA_EDITION", "mp"), splash=False)
    from pystata import stata

    out = _Collect()
    config.stoutputf = out
    server: MCPServer[Any] = MCPServer("seed-baseline")

    async def stata_run(code: str, ctx: Context[Any, Any]) -> str:
        """Run Stata code and return its output."""
        error: list[str] = []

        def run() -> None:
            try:
                stata.run(code)
            except SystemError as exc:
                error.append(str(exc))
            tail = config.get_output()
            if tail:
                out.write(tail)

        await anyio.to_thread.run_sync(run)
        pieces = out.take()
        for i, piece in enumerate(pieces, start=1):  # the earlier server's behaviour: all at the end
            await ctx.report_progress(float(i), None, piece)
        return "".join(pieces) + ("\n".join(error))

    server.add_tool(stata_run)
    return server


if __name__ == "__main__":
    anyio.run(build().run_stdio_async)
