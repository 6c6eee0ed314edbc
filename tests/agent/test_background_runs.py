"""Background runs through the real MCP client: start, poll with since/next, cancel, one run per session.

Polls wait on the server side (``wait_s``: the status call returns as soon as output arrives or the run
ends), so no test sleeps to synchronise.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import jsonschema
from mcp import Client

from tests.bridge.helpers import HttpBridge, ProgressLog, text_of

TICKS = 'forvalues i = 1/{n} {{\n    display "tick `i\'"\n    sleep {ms}\n}}\ndisplay "all done"'
LONG = TICKS.format(n=300, ms=100)  # 30 s unless cancelled


async def status(client: Client, run_id: str, since: int = 0, wait_s: float = 5.0) -> dict[str, Any]:
    result = await client.call_tool("stata_run_status", {"run_id": run_id, "since": since, "wait_s": wait_s})
    assert not result.is_error, text_of(result)
    return result.structured_content


async def follow(client: Client, run_id: str) -> tuple[str, dict[str, Any], int]:
    """Poll with since/next until the run ends: (all output read, the final status, number of polls)."""
    output, since, polls = "", 0, 0
    while True:
        polls += 1
        data = await status(client, run_id, since)
        assert data["since"] == since and data["next"] == since + len(data["output"])
        output += data["output"]
        since = data["next"]
        if data["state"] != "running" and not data["more"]:
            return output, data, polls


async def wait_for_output(client: Client, run_id: str, needle: str) -> None:
    output, since = "", 0
    while needle not in output:
        data = await status(client, run_id, since)
        assert data["state"] == "running", data
        output += data["output"]
        since = data["next"]


async def start(client: Client, arguments: dict[str, Any]) -> str:
    result = await client.call_tool("stata_run", {**arguments, "background": True})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["state"] == "running" and data["rc"] is None and data["run_id"]
    return data["run_id"]


@asynccontextmanager
async def background(client: Client, code: str) -> AsyncIterator[str]:
    """A background run that is cancelled on the way out whatever happens (the bridge is shared)."""
    run_id = await start(client, {"code": code})
    try:
        yield run_id
    finally:
        await client.call_tool("stata_cancel", {"run_id": run_id})


async def test_background_run_returns_at_once_and_polling_reads_all_its_output(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        began = time.monotonic()
        run_id = await start(client, {"code": TICKS.format(n=8, ms=150)})
        assert time.monotonic() - began < 1.0  # the run itself takes over a second
        output, final, polls = await follow(client, run_id)
        log = (await client.read_resource(f"stata://runs/{run_id}/log")).contents[0].text
    assert final["state"] == "finished" and polls > 1
    assert output == log  # nothing lost or repeated across polls
    assert [f"tick {i}" in output for i in range(1, 9)] == [True] * 8 and "all done" in output
    result = final["result"]
    assert result["ok"] and result["rc"] == 0 and result["run_id"] == run_id


async def test_a_background_run_outlives_the_client_that_started_it(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as first:
        run_id = await start(first, {"code": TICKS.format(n=5, ms=100)})
    async with policy_bridge.client() as second:
        output, final, _ = await follow(second, run_id)
    assert final["state"] == "finished" and "all done" in output


async def test_status_output_is_bounded_and_next_reads_on(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run_id = await start(client, {"code": "_sim_flood, bytes(100000) linelen(100)"})
        output, final, polls = await follow(client, run_id)
    assert final["state"] == "finished" and polls >= 4  # 100 000 characters, at most 32 000 a call
    assert len(output) == final["chars"] and output.count("SEQ ") == 1000


async def test_background_failure_ends_failed_with_error_kind_and_line(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run_id = await start(client, {"code": 'display "one"\nsleep 200\nsummarize nosuchvar\ndisplay "two"'})
        _, final, _ = await follow(client, run_id)
    assert final["state"] == "failed"
    error = final["result"]["error"]
    assert (error["kind"], error["line"], final["result"]["rc"]) == ("variable_not_found", 3, 111)


async def test_cancel_stops_a_long_run_quickly_and_the_session_stays_usable(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client, background(client, LONG) as run_id:
        await wait_for_output(client, run_id, "tick 2")
        began = time.monotonic()
        cancelled = await client.call_tool("stata_cancel", {"run_id": run_id})
        took = time.monotonic() - began
        data = cancelled.structured_content
        assert data["state"] == "cancelled" and data["stopped"], text_of(cancelled)
        assert took < 5.0  # the loop had ~30 s to go
        assert data["result"]["interrupted"] and not data["result"]["ok"]
        after = await client.call_tool("stata_run", {"code": 'display "usable again"'})
        final = await status(client, run_id, wait_s=0)
    assert not after.is_error and "usable again" in text_of(after)
    assert final["state"] == "cancelled" and "tick 300" not in final["output"]


async def test_stata_interrupt_also_stops_a_background_run(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client, background(client, LONG) as run_id:
        await wait_for_output(client, run_id, "tick 1")
        interrupted = await client.call_tool("stata_interrupt", {})
        _, final, _ = await follow(client, run_id)
    assert "Interrupted" in text_of(interrupted)
    assert final["state"] == "cancelled" and final["result"]["rc"] == 1


async def test_second_run_while_a_background_run_is_going_is_refused_session_busy(
    policy_bridge: HttpBridge, allowed_dir: Path
) -> None:
    script = allowed_dir / "busy.do"
    script.write_text('display "never"\n')
    async with policy_bridge.client() as client:
        schema = {t.name: t for t in (await client.list_tools()).tools}["stata_run"].output_schema
        async with background(client, LONG) as run_id:
            await wait_for_output(client, run_id, "tick 1")
            listed = (await client.read_resource("stata://runs")).contents[0].text
            refused = [
                await client.call_tool("stata_run", {"code": 'display "never"'}),
                await client.call_tool("stata_run", {"code": 'display "never"', "background": True}),
                await client.call_tool("stata_run_file", {"path": str(script)}),
            ]
            results = await client.call_tool("stata_results", {"kind": "r"})
            still = await status(client, run_id, wait_s=0)
            assert (await client.read_resource("stata://runs")).contents[0].text == listed  # none registered
    for result in refused:
        data = result.structured_content
        jsonschema.validate(data, schema)
        assert result.is_error and data["rc"] is None and data["run_id"] is None
        assert data["error"]["kind"] == "session_busy" and run_id in data["error"]["message"]
    assert results.is_error and "session_busy" in text_of(results)
    assert still["state"] == "running"


async def test_background_start_while_a_foreground_run_is_going_is_refused(policy_bridge: HttpBridge) -> None:
    """Foreground runs queue behind each other (they stream while they wait); a background run never queues."""
    async with policy_bridge.client() as client:
        progress = ProgressLog()
        results: dict[str, Any] = {}
        async with anyio.create_task_group() as tg:
            async def foreground() -> None:
                code = 'display "fg started"\nsleep 1000\ndisplay "fg done"'
                results["fg"] = await client.call_tool("stata_run", {"code": code}, progress_callback=progress)

            tg.start_soon(foreground)
            await progress.wait_for_text("fg started")
            results["bg"] = await client.call_tool("stata_run", {"code": "display 1", "background": True})
    assert not results["fg"].is_error and "fg done" in text_of(results["fg"])
    refused = results["bg"].structured_content
    assert results["bg"].is_error and refused["error"]["kind"] == "session_busy" and refused["rc"] is None


async def test_cancel_by_run_id_stops_a_foreground_run_which_answers_cancelled(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        progress = ProgressLog()
        results: dict[str, Any] = {}
        async with anyio.create_task_group() as tg:
            async def foreground() -> None:
                results["fg"] = await client.call_tool("stata_run", {"code": "* fg to cancel\n" + LONG},
                                                       progress_callback=progress)

            tg.start_soon(foreground)
            await progress.wait_for_text("tick 1")
            listing = (await client.read_resource("stata://runs")).contents[0].text
            run_id = next(line.split("\t")[0] for line in listing.splitlines() if "\trunning\t" in line)
            results["cancel"] = await client.call_tool("stata_cancel", {"run_id": run_id})
    fg = results["fg"].structured_content
    assert results["fg"].is_error and fg["state"] == "cancelled" and fg["interrupted"] and fg["run_id"] == run_id
    assert results["cancel"].structured_content["state"] == "cancelled"
    assert "tick 300" not in text_of(results["fg"])


async def test_policy_is_enforced_before_a_background_run_starts(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        before = (await client.read_resource("stata://runs")).contents[0].text
        result = await client.call_tool("stata_run", {"code": "display 1\nshell ls", "background": True})
        after = (await client.read_resource("stata://runs")).contents[0].text
    data = result.structured_content
    assert result.is_error and data["error"]["kind"] == "policy_blocked" and data["error"]["line"] == 2
    assert data["run_id"] is None and before == after  # nothing was registered, let alone run


async def test_a_background_do_file_can_be_followed_to_its_failing_line(
    policy_bridge: HttpBridge, allowed_dir: Path
) -> None:
    script = allowed_dir / "background.do"
    script.write_text("* long job\nsysuse auto, clear\nsleep 300\n\nregress price nosuchvar\n")
    async with policy_bridge.client() as client:
        started = await client.call_tool("stata_run_file", {"path": str(script), "background": True})
        run_id = started.structured_content["run_id"]
        assert started.structured_content["state"] == "running", text_of(started)
        _, final, _ = await follow(client, run_id)
    assert final["state"] == "failed"
    assert (final["result"]["error"]["line"], final["result"]["error"]["command"]) == (5, "regress price nosuchvar")


async def test_status_of_an_unknown_run_is_a_clear_error(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_status", {"run_id": "no-such-run"})
    assert result.is_error and "No run" in text_of(result)


async def test_cancel_of_a_finished_run_leaves_it_as_it_was(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run = await client.call_tool("stata_run", {"code": 'display "quick"'})
        run_id = run.structured_content["run_id"]
        cancelled = await client.call_tool("stata_cancel", {"run_id": run_id})
    assert cancelled.structured_content["state"] == "finished"
    assert cancelled.structured_content["result"]["ok"]
