"""Starting a server as a child process and learning its URL (used by the demo and the bench).

The bridge prints ``listening on URL`` on stderr once its port is bound (``--port 0`` picks a free one);
other servers (the bench's Kernel Gateway) announce themselves with their own line, hence ``announces``.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import anyio

_LISTENING = re.compile(r"listening on (\S+)")


@asynccontextmanager
async def server_process(
    command: Sequence[str], *, env: Mapping[str, str], announces: re.Pattern[str], what: str,
    cwd: str | None = None, timeout: float = 120, stop_timeout: float = 20,
) -> AsyncIterator[tuple[str, int]]:
    """Run ``command``; yield the URL its stderr ``announces`` (group 1) and its pid; stop it after."""
    process = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = threading.Event()
    url: list[str] = []

    def watch() -> None:  # learn the URL, then keep draining the log so the server never blocks on it
        assert process.stderr is not None
        for line in process.stderr:
            match = announces.search(line)
            if match and not url:
                url.append(match.group(1))
                found.set()
        found.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        await anyio.to_thread.run_sync(found.wait, timeout)
        if not url:
            raise RuntimeError(f"{what} did not start (exit code {process.poll()})")
        yield url[0], process.pid
    finally:
        process.terminate()
        try:
            await anyio.to_thread.run_sync(process.wait, stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            await anyio.to_thread.run_sync(process.wait)


@asynccontextmanager
async def http_bridge_process(
    command: Sequence[str], *, env: Mapping[str, str], cwd: str | None = None, timeout: float = 120
) -> AsyncIterator[tuple[str, int]]:
    """Run ``command`` (a bridge with ``--transport http --port 0``); yield its URL and pid; stop it after."""
    async with server_process(command, env=env, announces=_LISTENING, what="the bridge", cwd=cwd,
                              timeout=timeout) as started:
        yield started
