"""The websocket to the server drops mid-run (a proxy cuts every connection): the bridge reconnects."""

from __future__ import annotations

import re
from collections.abc import Iterator

import anyio
import pytest

from mcp_bridge.kernel import OutputText, remote
from mcp_bridge.kernel.remote import channels
from tests.bridge.helpers import stdio_client, text_of

from .conftest import TOKEN
from .peer import KernelPeer, is_idle_of, is_input_of
from .scenarios import run_meanwhile
from .servers import DropProxy, JupyterServer

TICKS = """\
forvalues i = 1/20 {
    display "tick `i'"
    sleep 100
}
"""


@pytest.fixture
def proxy(jupyter_server: JupyterServer) -> Iterator[DropProxy]:
    proxy = DropProxy(jupyter_server.port)
    try:
        yield proxy
    finally:
        proxy.close()


async def test_a_run_survives_a_dropped_websocket_with_all_its_output(
    proxy: DropProxy, remote_env: dict[str, str]
) -> None:
    args = ("--server-url", proxy.url, "--token", TOKEN)
    async with stdio_client(*args, env=remote_env) as client:
        async def drop() -> int:
            connections = proxy.accepted
            proxy.drop()
            return connections

        run, connections = await run_meanwhile(client, TICKS, "tick 3\n", drop)
        after = await client.call_tool("stata_run", {"code": 'display "next call"'})
    text = text_of(run)
    assert not run.is_error, text
    assert proxy.accepted > connections  # it did reconnect
    # Every tick, in order, exactly once: the server buffered them for the same session id.
    assert re.findall(r"^tick (\d+)$", text, re.M) == [str(i) for i in range(1, 21)], text
    assert "connection to the Jupyter Server dropped during this run" in text
    assert "should be complete" in text
    assert "next call" in text_of(after) and not after.is_error


async def test_a_run_that_ends_while_disconnected_says_its_output_was_lost(
    jupyter_server: JupyterServer, proxy: DropProxy, remote_env: dict[str, str], server_kernel: str
) -> None:
    # Another client on the kernel (a notebook): the server then buffers nothing for the bridge.
    peer = await KernelPeer.connect(jupyter_server.url, TOKEN, server_kernel)
    try:
        args = ("--server-url", proxy.url, "--token", TOKEN, "--kernel-id", server_kernel)
        async with stdio_client(*args, env=remote_env) as client:
            async def cut_until_the_run_ended() -> None:
                proxy.hold()
                proxy.drop()
                # The peer sees the run end on the kernel while the bridge cannot reconnect.
                started = await peer.wait_for(is_input_of('display "during the gap"'))
                await peer.wait_for(is_idle_of(started["parent_header"]["msg_id"]))
                proxy.release()

            code = 'display "before"\nsleep 1000\ndisplay "during the gap"'
            result, _ = await run_meanwhile(client, code, "before\n", cut_until_the_run_ended)
            after = await client.call_tool("stata_run", {"code": 'display "next call"'})
    finally:
        await peer.close()
    text = text_of(result)
    assert result.is_error, text
    assert "Connection lost" in text and "lost" in text and "during the gap" not in text
    assert "next call" in text_of(after) and not after.is_error


async def test_a_connection_that_stays_down_ends_the_run_and_the_next_call_reconnects(
    proxy: DropProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel layer alone (no MCP): past the reconnect window the run ends clearly; later calls retry."""
    monkeypatch.setattr(channels, "RECONNECT_WINDOW", 1.0)
    kernel = remote.ServerKernel(remote.ServerTarget(proxy.url, TOKEN, None, "stata-live"))
    await kernel.start()
    try:
        started = anyio.Event()

        def sink(event: object) -> None:
            if isinstance(event, OutputText) and "before" in event.text:
                started.set()

        outcome = {}
        async with anyio.create_task_group() as tg:
            async def run() -> None:
                outcome["run"] = await kernel.execute('display "before"\nsleep 2000\ndisplay "after"', sink)

            tg.start_soon(run)
            await started.wait()
            proxy.hold()
            proxy.drop()
        failure = outcome["run"].failure
        assert failure is not None and failure.ename == "ConnectionLost"
        assert "could not be reached again" in failure.evalue and "next call tries to reconnect" in failure.evalue
        proxy.release()
        texts: list[str] = []
        after = await kernel.execute('display "next call"', lambda e: texts.append(getattr(e, "text", "")))
    finally:
        proxy.release()
        await kernel.close()
    assert after.status == "ok" and "next call" in "".join(texts)
