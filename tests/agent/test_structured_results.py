"""Structured run results as an MCP client sees them: schema, error kinds and lines, results, dataset, graphs.

Every result is checked against the output schema the server publishes (``jsonschema``, as the SDK
client does for successful results; the client skips error results, so the tests check those too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client

from tests.bridge.helpers import HttpBridge, stdio_client, text_of

MAX_SCHEMA_BYTES = 3_000  # clients validate every result against it: keep it small


async def run_schema(client: Client) -> dict[str, Any]:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    schema = tools["stata_run"].output_schema
    assert schema is not None
    return schema


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> Any:
    """Call a run tool and validate its structured content against the published schema (errors too)."""
    result = await client.call_tool(tool, arguments)
    assert result.structured_content is not None, text_of(result)
    jsonschema.validate(result.structured_content, await run_schema(client))
    assert result.is_error == (not result.structured_content["ok"])
    return result


async def test_run_tools_publish_one_small_flat_output_schema(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    schema = tools["stata_run"].output_schema
    assert schema == tools["stata_run_file"].output_schema
    assert len(json.dumps(schema)) < MAX_SCHEMA_BYTES
    assert "$defs" not in schema and "$ref" not in json.dumps(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    for field in ("ok", "rc", "elapsed_s", "interrupted", "timed_out", "error", "results", "dataset",
                  "graphs", "warnings", "log", "run_id"):
        assert field in schema["properties"], field


async def test_successful_run_has_rc_zero_timing_and_log(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": 'display "structured hello"'})
    data = result.structured_content
    assert data["ok"] and data["rc"] == 0 and data["error"] is None and data["state"] == "finished"
    assert not data["interrupted"] and not data["timed_out"]
    assert data["elapsed_s"] is not None and data["elapsed_s"] >= 0
    assert "structured hello" in data["log"]["head"] and not data["log"]["truncated"]
    assert data["log"]["uri"] == f"stata://runs/{data['run_id']}/log"
    assert "structured hello" in text_of(result)  # the text stays readable for clients ignoring structure


# (code, kind, rc, 1-based line, text of the failing command)
FAILING = [
    pytest.param("not_a_command", "command_not_found", 199, 1, "not_a_command", id="single-line"),
    pytest.param("not_a_command\ndisplay 2", "command_not_found", 199, 1, "not_a_command", id="line-1-of-2"),
    pytest.param("* a comment\n// another\nnot_a_command", "command_not_found", 199, 3, "not_a_command",
                 id="line-3-after-comments"),
    pytest.param('display 1 ///\n    + 2\ndisplay "a" + 1', "type_mismatch", 109, 3, 'display "a" + 1',
                 id="line-3-after-continuation"),
    pytest.param("sysuse auto, clear\n* note\ndisplay 1 ///\n    + 2\nsummarize nosuchvar", "variable_not_found",
                 111, 5, "summarize nosuchvar", id="after-comment-and-continuation"),
    pytest.param("sysuse auto, clear\nforvalues i = 1/3 {\n    display `i'\n    if `i' == 2 {\n"
                 "        display nosuch\n    }\n}\ndisplay 9", "variable_not_found", 111, 5, "display nosuch",
                 id="inside-loop-body"),
    pytest.param("sysuse auto, clear\nquietly {\n    display 1\n    summarize nosuch\n}", "variable_not_found",
                 111, 4, "summarize nosuch", id="inside-quietly-block"),
    pytest.param("display 1\ndisplay 1 +", "syntax", 198, 2, "display 1 +", id="syntax"),
    pytest.param("sysuse auto, clear\nregress price mpg if price < 0", "no_observations", 2000, 2,
                 "regress price mpg if price < 0", id="no-observations"),
    pytest.param("display 1\nuse no_such_file_here", "file_not_found", 601, 2, "use no_such_file_here",
                 id="file-not-found"),
    pytest.param("display 1\n#delimit ;\ndisplay 2;\nnot_a_cmd;\n#delimit cr", "command_not_found", 199, 4,
                 "not_a_cmd", id="delimit-semicolon"),
    pytest.param("display 1\ndisplay 1\ndisplay 1\nnot_a_command\ndisplay 1", "command_not_found", 199, 4,
                 "not_a_command", id="after-repeated-commands"),
]


@pytest.mark.parametrize(("code", "kind", "rc", "line", "command"), FAILING)
async def test_failing_snippet_reports_kind_rc_command_and_line(
    policy_bridge: HttpBridge, code: str, kind: str, rc: int, line: int, command: str
) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": code})
    data = result.structured_content
    assert result.is_error and data["rc"] == rc and data["state"] == "failed"
    error = data["error"]
    assert (error["kind"], error["line"], error["command"]) == (kind, line, command), error
    assert error["message"] and f"r({rc})" in text_of(result)


async def test_loop_body_error_without_a_named_culprit_points_at_the_loop(policy_bridge: HttpBridge) -> None:
    """The echo only says which loop failed; the body line is found only when the message names it."""
    code = "sysuse auto, clear\nforeach v in price nosuch {\n    summarize `v'\n}"
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": code})
    error = result.structured_content["error"]
    assert (error["kind"], error["line"]) == ("variable_not_found", 2)


async def test_do_file_error_reports_its_line_in_the_file(policy_bridge: HttpBridge, allowed_dir: Path) -> None:
    script = allowed_dir / "failing.do"
    script.write_text("* analysis\nsysuse auto, clear\n\nsummarize price ///\n    mpg\nregress price nosuchvar\n")
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run_file", {"path": str(script)})
    data = result.structured_content
    assert data["rc"] == 111 and data["error"]["kind"] == "variable_not_found"
    assert (data["error"]["line"], data["error"]["command"]) == (6, "regress price nosuchvar")


async def test_timeout_is_its_own_kind_with_rc_1(policy_bridge: HttpBridge) -> None:
    code = 'display "start"\nforvalues i = 1/200 {\n    sleep 100\n}'
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": code, "timeout_s": 0.3})
    data = result.structured_content
    assert data["rc"] == 1 and data["timed_out"] and data["interrupted"]
    assert data["error"]["kind"] == "timeout" and data["error"]["line"] == 2


async def test_policy_refusal_is_structured_with_null_rc(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": "display 1\nquietly shell ls"})
    data = result.structured_content
    assert data["rc"] is None and data["run_id"] is None and data["state"] == "failed"
    assert (data["error"]["kind"], data["error"]["command"], data["error"]["line"]) == ("policy_blocked", "shell", 2)
    assert "Nothing was run" in text_of(result)


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"code": 'display "a\x00b"'}, id="nul-byte"),
        pytest.param({"code": "display 1", "timeout_s": -1}, id="negative-timeout"),
        pytest.param({"code": "display 1", "max_result_cells": -5}, id="negative-cap"),
    ],
)
async def test_invalid_input_is_structured_with_null_rc(policy_bridge: HttpBridge, arguments: dict) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", arguments)
    data = result.structured_content
    assert data["rc"] is None and data["error"]["kind"] == "invalid_input"


async def test_missing_do_file_is_structured_invalid_input(policy_bridge: HttpBridge, allowed_dir: Path) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run_file", {"path": str(allowed_dir / "missing.do")})
    assert result.structured_content["error"]["kind"] == "invalid_input"
    assert "No such do-file" in result.structured_content["error"]["message"]


async def test_error_swallowed_by_capture_noisily_is_a_warning(policy_bridge: HttpBridge) -> None:
    code = 'sysuse auto, clear\ncapture noisily summarize nosuchvar\ndisplay "after"'
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": code})
    data = result.structured_content
    assert data["ok"] and data["rc"] == 0
    assert len(data["warnings"]) == 1
    assert "line 2" in data["warnings"][0] and "nosuchvar not found" in data["warnings"][0]


async def test_r_and_e_results_are_native_json_keyed_without_wrapper(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        summ = await call(client, "stata_run", {"code": "sysuse auto, clear\nsummarize price"})
        reg = await call(client, "stata_run", {"code": "regress price mpg"})
    r = summ.structured_content["results"]["r"]
    assert r["N"] == 74 and abs(r["mean"] - 6165.257) < 0.01
    e = reg.structured_content["results"]["e"]
    assert e["N"] == 74 and 0 < e["r2"] < 1 and e["cmd"] == "regress"
    table = reg.structured_content["results"]["r"]["table"]
    assert isinstance(table, list) and len(table) == 9 and len(table[0]) == 2  # a small matrix, as rows


async def test_missing_values_are_null(policy_bridge: HttpBridge) -> None:
    code = "clear\nset obs 1\ngenerate x = 1\nsummarize x"
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": code})
    r = result.structured_content["results"]["r"]
    assert r["N"] == 1 and "sd" in r and r["sd"] is None


async def test_matrices_over_the_cap_are_summarised_with_a_warning(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": "sysuse auto, clear\nregress price mpg",
                                                  "max_result_cells": 10})
    data = result.structured_content
    assert data["results"]["r"]["table"] == {"omitted": True, "rows": 9, "cols": 2}
    assert data["results"]["e"]["N"] == 74  # scalars are never capped
    assert any("max_result_cells=10" in w for w in data["warnings"])


async def test_dataset_shape_and_whether_the_run_changed_it(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        await call(client, "stata_run", {"code": "clear"})
        made = await call(client, "stata_run", {"code": "set obs 5\ngenerate x = _n\ngenerate y = 2"})
        same = await call(client, "stata_run", {"code": "display 1"})
    assert made.structured_content["dataset"] == {"observations": 5, "variables": 2, "changed": True}
    assert same.structured_content["dataset"] == {"observations": 5, "variables": 2, "changed": False}


async def test_graphs_are_named_and_point_at_their_image(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        result = await call(client, "stata_run", {"code": "sysuse auto, clear\nscatter price mpg"})
    graphs = result.structured_content["graphs"]
    assert len(graphs) == 1 and graphs[0]["name"] == "Graph" and "image/png" in graphs[0]["mime_types"]
    image = result.content[graphs[0]["image"]]
    assert image.type == "image" and image.mime_type == "image/png"


async def test_kernel_death_is_structured_and_the_next_run_works(bridge_env: dict[str, str]) -> None:
    async with stdio_client(env=bridge_env) as client:
        died = await call(client, "stata_run", {"code": 'display "before"\n_sim_crash'})
        after = await call(client, "stata_run", {"code": 'display "alive"'})
    data = died.structured_content
    assert data["error"]["kind"] == "kernel_died" and data["rc"] is None and data["state"] == "failed"
    assert "restarted" in data["error"]["message"]
    assert after.structured_content["ok"] and after.structured_content["dataset"]["observations"] == 0
