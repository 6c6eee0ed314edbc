"""The bridge takes rc, failing line and command, and graph names from the kernel's structured facts, so they
stay right on a kernel a notebook shares, whatever that notebook switched on (echo off, ``#delimit ;``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jupyter_client.manager import KernelManager

from mcp_bridge.kernel import DisplayItem, RunFailure
from stata_kernel.syntax import wire

from .helpers import notebook_kernel, stdio_client, text_of


@pytest.fixture
def echo_off_kernel(bridge_env: dict[str, str]) -> Iterator[KernelManager]:
    yield from notebook_kernel(bridge_env, "%set echo off")


@pytest.fixture
def semicolon_kernel(bridge_env: dict[str, str]) -> Iterator[KernelManager]:
    yield from notebook_kernel(bridge_env, "#delimit ;")


async def test_failing_line_is_right_on_a_shared_kernel_with_echo_off(
    echo_off_kernel: KernelManager, bridge_env: dict[str, str]
) -> None:
    code = 'display "one"\ndisplay "two"\nsummarize nosuchvar\ndisplay "three"'
    async with stdio_client("--connection-file", echo_off_kernel.connection_file, env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": code})
    assert result.is_error
    assert ". display" not in text_of(result)  # the notebook's echo-off setting holds for the bridge too
    err = result.structured_content["error"]
    assert (result.structured_content["rc"], err["line"], err["command"]) == (111, 3, "summarize nosuchvar")


async def test_failing_line_is_right_under_a_delimit_left_on_by_a_notebook_cell(
    semicolon_kernel: KernelManager, bridge_env: dict[str, str]
) -> None:
    code = 'display "one"; display\n  "two"; summarize nosuchvar;\ndisplay "three";'
    async with stdio_client("--connection-file", semicolon_kernel.connection_file, env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": code})
    assert result.is_error, text_of(result)
    err = result.structured_content["error"]
    assert (result.structured_content["rc"], err["line"], err["command"]) == (111, 2, "summarize nosuchvar")


async def test_graph_name_reaches_the_result(bridge_env: dict[str, str]) -> None:
    async with stdio_client(env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": "sysuse auto, clear\nscatter price mpg, name(weights)"})
    assert not result.is_error, text_of(result)
    [graph] = result.structured_content["graphs"]
    assert graph["name"] == "weights"


def test_kernel_facts_win_over_the_text() -> None:
    facts = {wire.RC: 111, wire.MESSAGE: "variable x not found", wire.LINE: 4, wire.COMMAND: "sum x"}
    failure = RunFailure("StataError", "something else\nr(198);", facts)
    assert (failure.rc, failure.message, failure.location) == (111, "variable x not found", ("sum x", 4))
    shown = DisplayItem({"text/plain": "<Stata graph old>"}, {wire.STATA: {wire.GRAPH: "new"}})
    assert shown.graph_name == "new"


def test_text_is_parsed_for_a_kernel_that_sends_no_facts() -> None:
    failure = RunFailure.from_content({"ename": "StataError", "evalue": "variable x not found\nr(111);"})
    assert (failure.rc, failure.message, failure.location) == (111, "variable x not found", None)
    assert DisplayItem.from_content({"data": {"text/plain": "<Stata graph g1>"}}).graph_name == "g1"
