"""--kernel-per-session over Streamable HTTP: concurrent MCP sessions get separate kernels on the server."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest

from tests.bridge.helpers import HttpBridge, text_of

from .conftest import TOKEN
from .servers import JupyterServer, wait_until_gone

UNROUTED = "was not routed to a session's kernel"


@pytest.fixture
def pooled_bridge(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge("--server-url", jupyter_server.url, "--token", TOKEN, "--kernel-per-session",
                        "--pool-size", "3", "--pool-warm", "1", env=remote_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


async def test_concurrent_sessions_get_separate_kernels(
    jupyter_server: JupyterServer, pooled_bridge: HttpBridge
) -> None:
    before = {k["id"] for k in jupyter_server.kernels()}
    finished: list[str] = []
    texts: dict[str, str] = {}
    seen: set[str] = set()

    async def session(name: str, code: str) -> None:
        # A stateful session (initialize handshake, Mcp-Session-Id): the 2026-07-28 protocol has none.
        async with pooled_bridge.client(mode="legacy") as client:
            probe = await client.call_tool("stata_describe", {})
            if UNROUTED in text_of(probe):
                texts[name] = UNROUTED
                return
            await client.call_tool("stata_run", {"code": f"global who {name}"})
            result = await client.call_tool("stata_run", {"code": code})
            texts[name] = text_of(result)
            finished.append(name)
            seen.update(k["id"] for k in jupyter_server.kernels())

    async with anyio.create_task_group() as tg:
        tg.start_soon(session, "slow", 'sleep 1500\ndisplay "slow sees [$who]"')
        tg.start_soon(session, "quick", 'display "quick sees [$who]"')
    assert UNROUTED not in texts.values(), "tool calls were not routed to their session's kernel"
    # Each session saw only its own global, and the quick one did not wait behind the slow one.
    assert "slow sees [slow]" in texts["slow"] and "quick sees [quick]" in texts["quick"], texts
    assert finished == ["quick", "slow"]
    mine = seen - before
    assert len(mine) >= 2
    # Both sessions ended (the client deletes its session on exit): their kernels go, the spare stays.
    with anyio.fail_after(30):
        while len({k["id"] for k in jupyter_server.kernels()} - before) > 1:
            await anyio.sleep(0.1)  # polling the server's kernel list: the condition lives there
    pooled_bridge.stop()
    await wait_until_gone(jupyter_server, mine)
