"""The MCP bridge on each release the simulator plays: progress streams, errors are errors, results come
back without numpy, and nothing waits for a console. Real bridge process over stdio, official MCP client."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import anyio
import jsonschema  # noqa: F401  (the client's lazy import would otherwise land inside the first timing)
import pytest

from tests.bridge.helpers import ROOT, ProgressLog, simulator_env, stdio_client, text_of

from .conftest import release_env

SCRIPT = 'forvalues i = 1/4 {\n    display "release tick `i\'"\n    sleep 300\n}\nsysuse auto, clear\nsummarize price'


@pytest.fixture(scope="module")
def env(release: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = simulator_env()
    data = tmp_path_factory.mktemp("jupyter")
    shutil.copytree(ROOT / "stata_kernel" / "kernelspec", data / "kernels" / "stata-live")
    env["JUPYTER_PATH"] = str(data)
    env.update(release_env(release))
    return env


async def test_progress_streams_and_results_arrive_without_numpy(env: dict[str, str]) -> None:
    async with stdio_client(env=env) as client:
        progress = ProgressLog()
        result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=progress)
        result_at = time.monotonic() - progress.start
    assert not result.is_error, text_of(result)
    assert progress.time_of("release tick 1") < result_at - 0.6
    assert all(f"release tick {i}" in progress.text for i in range(1, 5))
    structured = result.structured_content or {}
    assert structured["rc"] == 0
    assert structured["results"]["r"]["N"] == 74


async def test_an_error_is_an_error_with_its_rc(env: dict[str, str]) -> None:
    async with stdio_client(env=env) as client:
        multi = await client.call_tool("stata_run", {"code": 'display "x"\nno_such_command_here'})
        single = await client.call_tool("stata_run", {"code": "no_such_command_here"})
    for result in (multi, single):
        assert result.is_error, text_of(result)
        assert (result.structured_content or {})["rc"] == 199


async def test_nothing_waits_for_a_console(env: dict[str, str], tmp_path: Path) -> None:
    async with stdio_client(env=env) as client:
        paused = await client.call_tool("stata_run", {"code": 'pause on\npause now\ndisplay "went on"'})
        refused = [await client.call_tool("stata_run", {"code": code})
                   for code in ("mata", "mata:", "display _request(x)", "set more on")]
        after = await client.call_tool("stata_run", {"code": "display 6*7"})
    assert not paused.is_error and "went on" in text_of(paused)
    for result in refused:
        assert result.is_error and "console" in text_of(result)
    assert not after.is_error and "42" in text_of(after)


async def test_interrupt_breaks_the_run_and_the_session_goes_on(env: dict[str, str]) -> None:
    async with stdio_client(env=env) as client:
        progress = ProgressLog()
        results = {}
        async with anyio.create_task_group() as tg:
            async def run() -> None:
                code = 'display "waiting now"\nsleep 30000\ndisplay "not reached"'
                results["run"] = await client.call_tool("stata_run", {"code": code}, progress_callback=progress)

            tg.start_soon(run)
            await progress.wait_for_text("waiting now")
            await client.call_tool("stata_interrupt", {})
        after = await client.call_tool("stata_run", {"code": "display 6*7"})
    assert results["run"].is_error and (results["run"].structured_content or {})["rc"] == 1
    assert "not reached" not in text_of(results["run"]).replace('display "not reached"', "")
    assert not after.is_error and "42" in text_of(after)


async def test_graphs_come_back_as_images(env: dict[str, str]) -> None:
    async with stdio_client(env=env) as client:
        result = await client.call_tool("stata_run", {"code": "sysuse auto, clear\nscatter price mpg"})
    assert not result.is_error, text_of(result)
    assert any(getattr(block, "type", "") == "image" for block in result.content)
