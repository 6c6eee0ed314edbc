"""The MCP Inspector's CLI (a TypeScript SDK client, from npm) lists the bridge's tools and runs Stata.

Over stdio the Inspector starts the bridge itself, as a client application would; over Streamable HTTP
it connects to a running bridge. The TypeScript client validates every result against the tool's
output schema, so a passing call also proves the schema and the structured content agree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator

import pytest

from tests.bridge.helpers import ROOT, HttpBridge

from .conftest import Inspector

TOKEN = "inspector-secret"
RUN = ("--method", "tools/call", "--tool-name", "stata_run")


def _stdio(bridge_env: dict[str, str]) -> list[str]:
    """The bridge as the Inspector's stdio target; after ``--`` the Inspector's own options."""
    env = [arg for k in ("STATA_DIR", "JUPYTER_PATH", "PYTHONPATH") if bridge_env.get(k)
           for arg in ("-e", f"{k}={bridge_env[k]}")]  # a stdio server gets only these and the basics (PATH...)
    return [sys.executable, "-m", "mcp_bridge", "--", *env, "--cwd", str(ROOT)]


@pytest.fixture(scope="module")
def http_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge(env=bridge_env)
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture(scope="module")
def token_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge("--auth-token", TOKEN, env=bridge_env)
    try:
        yield bridge
    finally:
        bridge.stop()


def _assert_lists_the_stata_tools(inspector: Inspector, *target: str) -> None:
    proc = inspector.run(*target, "--method", "tools/list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    names = {tool["name"] for tool in json.loads(proc.stdout)["result"]["tools"]}
    assert {"stata_run", "stata_run_file", "stata_interrupt", "stata_restart", "stata_results", "stata_describe",
            "stata_help"} <= names
    portability = re.search(r"Schema portability: (\d+) errors", proc.stderr)
    assert portability is None or portability.group(1) == "0", proc.stderr  # the Inspector's own schema lint


def _assert_displays_two(inspector: Inspector, *target: str) -> None:
    result = inspector.json(*target, *RUN, "--tool-args-json", '{"code": "display 1+1"}')["result"]
    assert not result.get("isError")
    assert result["content"][0]["text"].strip() == "2"
    assert result["structuredContent"]["ok"] is True and result["structuredContent"]["rc"] == 0


def test_inspector_lists_the_tools_over_stdio(inspector: Inspector, bridge_env: dict[str, str]) -> None:
    _assert_lists_the_stata_tools(inspector, *_stdio(bridge_env))


def test_inspector_runs_display_over_stdio(inspector: Inspector, bridge_env: dict[str, str]) -> None:
    _assert_displays_two(inspector, *_stdio(bridge_env))


def test_inspector_lists_the_tools_over_streamable_http(inspector: Inspector, http_bridge: HttpBridge) -> None:
    _assert_lists_the_stata_tools(inspector, http_bridge.url, "--transport", "http")


def test_inspector_runs_display_over_streamable_http(inspector: Inspector, http_bridge: HttpBridge) -> None:
    _assert_displays_two(inspector, http_bridge.url, "--transport", "http")


def test_inspector_sees_a_stata_error_as_a_tool_error_with_its_structured_result(
    inspector: Inspector, http_bridge: HttpBridge
) -> None:
    envelope = inspector.json(http_bridge.url, "--transport", "http", *RUN, "--tool-args-json",
                              '{"code": "display nosuchthing"}', expect_exit=5)  # 5: isError
    result = envelope["result"]
    assert result["isError"] is True
    assert result["structuredContent"]["ok"] is False and result["structuredContent"]["rc"] == 111


def test_inspector_is_refused_without_the_token_and_served_with_it(
    inspector: Inspector, token_bridge: HttpBridge
) -> None:
    target = (token_bridge.url, "--transport", "http")
    refused = inspector.run(*target, "--method", "tools/list", "--stored-auth-only")
    assert refused.returncode == 3, refused.stderr  # 3: the server requires authentication
    _assert_displays_two(inspector, *target, "--header", f"Authorization: Bearer {TOKEN}")
