"""The bridge on a kernel of a real Jupyter Server: it streams, breaks and restarts as with a local one."""

from __future__ import annotations

import os
import signal

from tests.bridge.helpers import HttpBridge, stdio_client, text_of

from .conftest import TOKEN
from .scenarios import (
    LONG_LOOP,
    a_flood_arrives_whole,
    bridge_args,
    interrupt_breaks_the_run,
    run_meanwhile,
    streams_during_the_run,
)
from .servers import JupyterServer, kernel_pid, wait_until_gone


def server_args(server: JupyterServer, *more: str, url: str | None = None) -> tuple[str, ...]:
    return bridge_args(url or server.url, TOKEN, *more)


async def test_progress_streams_during_the_run_with_no_local_stata(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    assert "STATA_DIR" not in remote_env
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        await streams_during_the_run(client)


async def test_stata_errors_keep_their_return_code(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        result = await client.call_tool("stata_run", {"code": "this_is_not_a_command"})
    assert result.is_error
    assert result.structured_content["rc"] == 199, text_of(result)


async def test_stata_interrupt_breaks_a_run_on_the_server(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        await interrupt_breaks_the_run(client)


async def test_timeout_interrupts_the_remote_run(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> None:
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        result = await client.call_tool("stata_run", {"code": LONG_LOOP, "timeout_s": 0.5})
    assert result.is_error and result.structured_content["rc"] == 1
    assert "time limit" in text_of(result) and "tick 200" not in text_of(result)


async def test_restart_gives_a_fresh_session_and_close_shuts_the_kernel_down(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    before = {k["id"] for k in jupyter_server.kernels()}
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        await client.call_tool("stata_run", {"code": "global kept 42"})
        mine = {k["id"] for k in jupyter_server.kernels()} - before
        assert len(mine) == 1
        restarted = await client.call_tool("stata_restart", {})
        after = await client.call_tool("stata_run", {"code": 'display "kept=[$kept]"'})
        # Same kernel id: the server restarted it in place.
        assert {k["id"] for k in jupyter_server.kernels()} - before == mine
    assert not restarted.is_error, text_of(restarted)
    assert "kept=[]" in text_of(after), text_of(after)
    await wait_until_gone(jupyter_server, mine)


async def test_a_flood_arrives_whole_with_the_rate_limit_raised(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        await a_flood_arrives_whole(client)


async def test_a_kernel_that_dies_mid_run_is_reported_and_the_next_call_works(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    before = {k["id"] for k in jupyter_server.kernels()}
    async with stdio_client(*server_args(jupyter_server), env=remote_env) as client:
        async def kill_the_kernel() -> None:
            (kernel_id,) = {k["id"] for k in jupyter_server.kernels()} - before
            os.kill(kernel_pid(jupyter_server, kernel_id), signal.SIGKILL)

        died, _ = await run_meanwhile(client, LONG_LOOP, "tick 2", kill_the_kernel)
        after = await client.call_tool("stata_run", {"code": 'display "alive again"'})
    assert died.is_error
    assert "died" in text_of(died) and "restarted" in text_of(died), text_of(died)
    assert "alive again" in text_of(after) and not after.is_error, text_of(after)


async def test_progress_streams_over_streamable_http_too(
    jupyter_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    bridge = HttpBridge(*server_args(jupyter_server), env=remote_env, transport="http")
    try:
        async with bridge.client() as client:
            await streams_during_the_run(client)
    finally:
        bridge.stop()
