"""README demo: an MCP client (official SDK) watching Stata output arrive while a script runs.

    python -m mcp_bridge.demo                    # bridge over stdio
    python -m mcp_bridge.demo --transport http   # bridge over Streamable HTTP on a free port
    python -m mcp_bridge.demo --server-url URL --token T   # other arguments go to the bridge

It starts the bridge on the simulated Stata (unless STATA_DIR is already set), calls ``stata_run``
with a progressToken, prints every progress message with its arrival time since the call started,
then the result.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio

# The SDK client validates each result against the tool's output schema and imports jsonschema lazily on
# the first one (over a second here): import it up front so the demo's timestamps show the bridge, not that.
import jsonschema  # noqa: F401
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from .launch import http_bridge_process

SCRIPT = """\
clear
set obs 200
generate x = rnormal()
generate y = 1 + 2*x + rnormal()
forvalues i = 1/6 {
    display "iteration `i' of 6 ..."
    sleep 500
}
regress y x
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("STATA_DIR"):
        command = [sys.executable, "-m", "stata_kernel", "simulator-dir"]
        env["STATA_DIR"] = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
    return env


@asynccontextmanager
async def _connect(transport: str, env: dict[str, str], bridge_args: Sequence[str]) -> AsyncIterator[Client]:
    if transport == "stdio":
        params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_bridge", *bridge_args], env=env)
        async with Client(params) as client:
            yield client
        return
    command = [sys.executable, "-m", "mcp_bridge", "--transport", "http", "--port", "0", *bridge_args]
    async with http_bridge_process(command, env=env, timeout=60) as (url, _):
        print(f"bridge listening on {url}")
        async with Client(streamable_http_client(url)) as client:
            yield client


async def demo(transport: str, bridge_args: Sequence[str] = ()) -> None:
    async with _connect(transport, _env(), bridge_args) as client:
        print(f"connected over {transport}; running:\n{SCRIPT}")
        start = time.monotonic()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            text = (message or "").rstrip("\n").replace("\n", "\n" + " " * 20)
            print(f"+{time.monotonic() - start:7.3f} s  #{progress:<4g} {text}", flush=True)

        result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=on_progress)
        print(f"+{time.monotonic() - start:7.3f} s  result (isError={result.is_error}):")
        for block in result.content:
            print(getattr(block, "text", f"<{block.type}>"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    # Anything else goes to the bridge, e.g. --server-url URL --token T for a kernel on a Jupyter Server.
    args, bridge_args = parser.parse_known_args(argv)
    anyio.run(demo, args.transport, bridge_args)


if __name__ == "__main__":
    main()
