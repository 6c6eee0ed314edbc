"""Starting real bridge processes and talking to them through the official MCP client."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.notifications import HEARTBEAT_PREFIX, ProgressLog

__all__ = ["HEARTBEAT_PREFIX", "ProgressLog"]  # re-exported: many tests take them from here

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"stata-live-mcp listening on (\S+)")


def simulator_env() -> dict[str, str]:
    """The environment of a bridge (and its kernel) running on the simulated Stata."""
    stata_dir = subprocess.run(
        [sys.executable, "-m", "stata_kernel", "simulator-dir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATA_MCP_")}
    env["STATA_DIR"] = stata_dir
    env.pop("STATA_EDITION", None)
    return env


def bridge_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mcp_bridge", *args]


@asynccontextmanager
async def stdio_client(*args: str, env: dict[str, str], **client_kw: Any) -> AsyncIterator[Client]:
    """A bridge subprocess over real stdio, with the official client on the other end."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_bridge", *args], env=env, cwd=str(ROOT)
    )
    async with Client(params, **client_kw) as client:
        yield client


class HttpBridge:
    """A bridge subprocess serving HTTP on a free loopback port (``--port 0``)."""

    def __init__(self, *args: str, env: dict[str, str], transport: str = "http") -> None:
        self.args = args
        self.transport = transport
        self.stderr_lines: list[str] = []
        self._url_found = threading.Event()
        self.kernel_connected = threading.Event()  # the bridge logged "connected to <kernel>"
        self.url = ""
        self.process = subprocess.Popen(
            bridge_command("--transport", transport, "--port", "0", *args),
            env=env,
            cwd=str(ROOT),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._url_found.wait(60) or not self.url:
            self.stop()
            raise RuntimeError("bridge did not start:\n" + "".join(self.stderr_lines))

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)
            if "mcp_bridge.state: connected to" in line:
                self.kernel_connected.set()
            match = _LISTENING.search(line)
            if match and not self.url:
                self.url = match.group(1)
                self._url_found.set()
        self._url_found.set()

    @property
    def base_url(self) -> str:
        return self.url.rsplit("/", 1)[0]

    def client(self, headers: dict[str, str] | None = None, **client_kw: Any) -> Client:
        if self.transport == "sse":
            return Client(sse_client(self.url, headers=headers), **client_kw)
        http = create_mcp_http_client(headers=headers)
        return Client(streamable_http_client(self.url, http_client=http), **client_kw)

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def child_pids(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux /proc), to check that no kernel is left behind."""
    children: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


def notebook_kernel(bridge_env: dict[str, str], *cells: str) -> Iterator[KernelManager]:
    """A kernel someone else started (a notebook's), with its ``cells`` run before the bridge attaches."""
    km = KernelManager(kernel_name="stata-live")
    km.kernel_spec_manager.kernel_dirs.insert(0, bridge_env["JUPYTER_PATH"] + "/kernels")
    km.start_kernel(env=bridge_env)
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    for cell in cells:
        client.execute_interactive(cell, timeout=30)
    client.stop_channels()
    try:
        yield km
    finally:
        km.shutdown_kernel(now=True)


async def read_all_pages(client: Client, uri: str) -> list[str]:
    """Follow the log resource's pages by the next-page URI each page ends with (page footers left out)."""
    pages = []
    while uri:
        text = (await client.read_resource(uri)).contents[0].text  # type: ignore[union-attr]
        body, _, footer = text.partition("\n[stata-live: page ")
        pages.append(body)
        found = re.search(r"next page: (\S+)\]$", footer)
        uri = found.group(1) if found else ""
    return pages

