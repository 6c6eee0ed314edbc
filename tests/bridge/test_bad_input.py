"""Bad requests get clear errors, nothing reaches Stata, and the server keeps serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import HttpBridge, stdio_client, text_of


async def still_serving(client) -> None:
    result = await client.call_tool("stata_run", {"code": 'display "still serving"'})
    assert not result.is_error and "still serving" in text_of(result)


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("no_such_tool", {}, "Unknown tool"),
        ("stata_run", {"code": 123}, "code"),
        ("stata_run", {}, "code"),
        ("stata_run", {"code": "display 1", "timeout_s": "soon"}, "timeout_s"),
        ("stata_run", {"code": "display 1", "timeout_s": -1}, "positive"),
        ("stata_run", {"code": 'display "a\x00b"'}, "NUL"),
        ("stata_results", {"kind": "x"}, "kind"),
        ("stata_help", {"topic": "regress\nfoo"}, "one line"),
    ],
)
async def test_bad_arguments_are_refused_clearly(
    http_bridge: HttpBridge, tool: str, arguments: dict, expected: str
) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool(tool, arguments)
        assert result.is_error
        assert expected in text_of(result)
        await still_serving(client)


async def test_missing_do_file_is_refused(http_bridge: HttpBridge, tmp_path: Path) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(tmp_path / "missing.do")})
        assert result.is_error and "No such do-file" in text_of(result)
        await still_serving(client)


async def test_directory_as_do_file_is_refused(http_bridge: HttpBridge, tmp_path: Path) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(tmp_path)})
        assert result.is_error and "not a file" in text_of(result)
        await still_serving(client)


async def test_do_file_runs(http_bridge: HttpBridge, do_file: Path) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(do_file)})
    assert not result.is_error, text_of(result)
    assert "from the do-file" in text_of(result)


async def test_oversized_code_is_refused_before_stata(bridge_env: dict[str, str]) -> None:
    code = 'display "x"\n' + "* " + "y" * (10 * 1024 * 1024) + "\n"
    async with stdio_client(env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": code})
        assert result.is_error and "limit" in text_of(result) and "Nothing was run" in text_of(result)
        listing = (await client.read_resource("stata://runs")).contents[0].text
        assert listing == "No runs yet."
        await still_serving(client)


async def test_a_kernel_that_cannot_start_is_a_clear_tool_error(bridge_env: dict[str, str]) -> None:
    async with stdio_client("--kernel-name", "no-such-kernel", env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": "display 1"})
        results = await client.call_tool("stata_results", {"kind": "r"})
    assert result.is_error and "no-such-kernel" in text_of(result)
    assert results.is_error and "no-such-kernel" in text_of(results)
