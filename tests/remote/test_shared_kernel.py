"""Token, attaching with ``--kernel-id``, and a kernel shared with another client (a notebook)."""

from __future__ import annotations

from tests.bridge.helpers import ProgressLog, stdio_client, text_of

from .conftest import TOKEN
from .peer import KernelPeer, is_idle_of, is_input_of
from .servers import JupyterServer


async def test_a_wrong_token_is_a_clear_error(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> None:
    async with stdio_client("--server-url", jupyter_server.url, "--token", "wrong", env=remote_env) as client:
        result = await client.call_tool("stata_describe", {})
    assert result.is_error
    text = text_of(result)
    assert "HTTP 403" in text and "token" in text and "--token" in text, text
    assert not any(k["connections"] for k in jupyter_server.kernels())


async def test_no_token_is_a_clear_error(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> None:
    async with stdio_client("--server-url", jupyter_server.url, env=remote_env) as client:
        result = await client.call_tool("stata_describe", {})
    assert result.is_error
    assert "no token was given" in text_of(result) and "JUPYTER_TOKEN" in text_of(result)


async def test_jupyter_token_variable_is_used(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> None:
    env = {**remote_env, "JUPYTER_TOKEN": TOKEN}
    async with stdio_client("--server-url", jupyter_server.url, env=env) as client:
        result = await client.call_tool("stata_run", {"code": 'display "via env"'})
    assert not result.is_error and "via env" in text_of(result), text_of(result)


async def test_attached_kernel_keeps_its_state_and_outlives_the_bridge(
    jupyter_server: JupyterServer, remote_env: dict[str, str], server_kernel: str
) -> None:
    args = ("--server-url", jupyter_server.url, "--token", TOKEN, "--kernel-id", server_kernel)
    async with stdio_client(*args, env=remote_env) as client:
        await client.call_tool("stata_run", {"code": "global shared 7"})
        refused = await client.call_tool("stata_restart", {})
    async with stdio_client(*args, env=remote_env) as client:
        seen = await client.call_tool("stata_run", {"code": 'display "shared=[$shared]"'})
    assert "shared=[7]" in text_of(seen), text_of(seen)
    assert refused.is_error and "does not own" in text_of(refused)
    assert server_kernel in {k["id"] for k in jupyter_server.kernels()}


async def test_unknown_kernel_id_is_a_clear_error(jupyter_server: JupyterServer, remote_env: dict[str, str]) -> None:
    args = ("--server-url", jupyter_server.url, "--token", TOKEN, "--kernel-id", "no-such-kernel")
    async with stdio_client(*args, env=remote_env) as client:
        result = await client.call_tool("stata_describe", {})
    assert result.is_error and "No kernel with id no-such-kernel" in text_of(result), text_of(result)


async def test_other_clients_of_the_kernel_see_the_agents_code_and_output(
    jupyter_server: JupyterServer, remote_env: dict[str, str], server_kernel: str
) -> None:
    peer = await KernelPeer.connect(jupyter_server.url, TOKEN, server_kernel)
    try:
        args = ("--server-url", jupyter_server.url, "--token", TOKEN, "--kernel-id", server_kernel)
        async with stdio_client(*args, env=remote_env) as client:
            result = await client.call_tool("stata_run", {"code": 'display "from the agent"'})
        assert not result.is_error, text_of(result)
        shown = await peer.wait_for(is_input_of('display "from the agent"'))
        run_id = shown["parent_header"]["msg_id"]
        await peer.wait_for(is_idle_of(run_id))
        streams = [m["content"]["text"] for m in peer.of_parent(run_id) if m["msg_type"] == "stream"]
    finally:
        await peer.close()
    # Not silent: the request has an execution count, and its output went to every client.
    assert shown["content"]["execution_count"] >= 1
    assert "from the agent" in "".join(streams)


async def test_a_busy_kernel_still_accepts_the_bridge(
    jupyter_server: JupyterServer, remote_env: dict[str, str], server_kernel: str
) -> None:
    """A notebook cell is running when the agent connects: the bridge's run waits its turn."""
    peer = await KernelPeer.connect(jupyter_server.url, TOKEN, server_kernel)
    try:
        cell = peer.execute('display "notebook cell"\nsleep 1500\ndisplay "cell done"')
        await peer.wait_for(lambda m: m.get("msg_type") == "stream" and "notebook cell" in m["content"]["text"])
        args = ("--server-url", jupyter_server.url, "--token", TOKEN, "--kernel-id", server_kernel)
        async with stdio_client(*args, env=remote_env) as client:
            progress = ProgressLog()
            result = await client.call_tool("stata_run", {"code": 'display "agent after"'}, progress_callback=progress)
        cell_done = await peer.wait_for(is_idle_of(cell))
    finally:
        await peer.close()
    assert not result.is_error and "agent after" in text_of(result)
    # The agent's output is only its own: the notebook's cell is not mixed in.
    assert "cell done" not in text_of(result) and "notebook cell" not in text_of(result)
    assert cell_done is not None
