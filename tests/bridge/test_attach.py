"""``--connection-file``: the bridge shares a kernel someone else started (e.g. a notebook's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jupyter_client.manager import KernelManager

from .helpers import notebook_kernel, stdio_client, text_of


@pytest.fixture
def separate_kernel(bridge_env: dict[str, str]) -> Iterator[KernelManager]:
    yield from notebook_kernel(bridge_env, "scalar shared = 42")


async def test_attached_bridge_runs_in_the_existing_session(
    separate_kernel: KernelManager, bridge_env: dict[str, str]
) -> None:
    async with stdio_client("--connection-file", separate_kernel.connection_file, env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": "display shared"})
        restart = await client.call_tool("stata_restart", {})
    assert not result.is_error, text_of(result)
    assert "42" in text_of(result)
    assert restart.is_error and "does not own" in text_of(restart)
    assert separate_kernel.is_alive()  # closing the bridge leaves someone else's kernel running


async def test_death_of_an_attached_kernel_is_reported_not_restarted(
    separate_kernel: KernelManager, bridge_env: dict[str, str]
) -> None:
    async with stdio_client("--connection-file", separate_kernel.connection_file, env=bridge_env) as client:
        died = await client.call_tool("stata_run", {"code": 'display "going"\n_sim_crash'})
        again = await client.call_tool("stata_run", {"code": 'display "anyone?"'})
    assert died.is_error
    assert "kernel died" in text_of(died) and "not restarted" in text_of(died)
    assert again.is_error and "not restarted" in text_of(again)
