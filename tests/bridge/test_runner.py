"""The Runner through the real MCP client: foreground and background runs share one body, refusals end early."""

from __future__ import annotations

from typing import Any

from mcp import Client

from .helpers import HttpBridge, text_of

LONG = 'forvalues i = 1/300 {\n    display "tick `i\'"\n    sleep 100\n}'
NOTE = "Stata was interrupted."


async def _read_until(client: Client, run_id: str, needle: str) -> dict[str, Any]:
    """Poll (the server waits up to wait_s for news) until ``needle`` is in the output or the run ended."""
    output = ""
    while True:
        result = await client.call_tool("stata_run_status", {"run_id": run_id, "since": 0, "wait_s": 5.0})
        data = result.structured_content
        assert data is not None
        output = data["output"]
        if needle in output or data["state"] != "running":
            return data


async def test_a_cancelled_background_run_says_so_once_in_its_log(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        started = await client.call_tool("stata_run", {"code": LONG, "background": True})
        run_id = started.structured_content["run_id"]  # type: ignore[index]
        try:
            running = await _read_until(client, run_id, "tick 2")
            assert running["state"] == "running", running
        finally:
            cancelled = await client.call_tool("stata_cancel", {"run_id": run_id})
        ended = await _read_until(client, run_id, NOTE)
    assert cancelled.structured_content["state"] == "cancelled", text_of(cancelled)  # type: ignore[index]
    assert ended["output"].count("The run was cancelled; Stata was interrupted.") == 1, ended["output"][-300:]


async def test_a_refused_background_call_leaves_the_session_free(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        refused = await client.call_tool("stata_run", {"code": 'display "x"', "background": True, "timeout_s": -1})
        started = await client.call_tool("stata_run", {"code": 'display "free"', "background": True})
        run_id = started.structured_content["run_id"]  # type: ignore[index]
        ended = await _read_until(client, run_id, "\x00")  # never printed: until the run ends (the bridge is shared)
    data = refused.structured_content
    assert refused.is_error and data is not None
    assert data["error"]["kind"] == "invalid_input" and data["rc"] is None and data["run_id"] is None
    assert not started.is_error, text_of(started)
    assert ended["state"] == "finished" and "free" in ended["output"]
