"""Result shapes: errors with r(N), stored results, describe, help, graphs, long output."""

from __future__ import annotations

import base64

from .helpers import HttpBridge, text_of

DATA = """\
clear
set obs 20
generate x = _n
label variable x "the x"
generate y = 3*x + mod(_n, 3)
"""


async def test_stata_error_is_an_error_result_with_its_return_code(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": 'display "ok so far"\nnot_a_command'})
    assert result.is_error
    text = text_of(result)
    assert "ok so far" in text
    assert "r(199)" in text and "unrecognized" in text
    assert result.structured_content["rc"] == 199
    assert result.structured_content["error"]["kind"] == "command_not_found"


async def test_stored_results_come_back_as_structured_content(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        await client.call_tool("stata_run", {"code": DATA + "summarize y\n"})
        r = await client.call_tool("stata_results", {"kind": "r"})
        await client.call_tool("stata_run", {"code": "regress y x"})
        e = await client.call_tool("stata_results", {"kind": "e"})
    assert not r.is_error and not e.is_error
    assert r.structured_content["results"]["N"] == 20
    assert r.structured_content["results"]["mean"] > 0
    assert e.structured_content["results"]["N"] == 20
    assert 0 < e.structured_content["results"]["r2"] <= 1


async def test_describe_lists_the_variables_in_memory(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        await client.call_tool("stata_run", {"code": DATA})
        result = await client.call_tool("stata_describe", {})
    info = result.structured_content
    assert info["n_obs"] == 20 and info["n_vars"] == 2
    names = [v["name"] for v in info["variables"]]
    assert names == ["x", "y"]
    assert info["variables"][0]["label"] == "the x"
    assert "the x" in text_of(result)


async def test_help_returns_the_help_text(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_help", {"topic": "regress"})
    assert not result.is_error, text_of(result)
    assert "regress" in text_of(result).lower()


async def test_graphs_come_back_as_png_images(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": DATA + "scatter y x\n"})
    assert not result.is_error, text_of(result)
    images = [block for block in result.content if block.type == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    assert base64.b64decode(images[0].data).startswith(b"\x89PNG")


async def test_long_output_keeps_head_and_tail_and_the_full_log_is_a_paged_resource(
    http_bridge: HttpBridge,
) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": "_sim_flood, bytes(250000) linelen(100)"})
        log = result.structured_content["log"]
        pages = []
        uri = log["uri"]
        while uri:
            text = (await client.read_resource(uri)).contents[0].text
            body, _, footer = text.partition("\n[stata-live: page ")
            pages.append(body)
            uri = footer.rsplit("next page: ", 1)[1].rstrip("]") if footer else ""
    text = text_of(result)
    assert log["truncated"] and len(text) < 40_000
    assert "SEQ 00000001" in text and "SEQ 00002500" in text  # head and tail
    assert "omitted" in text and log["uri"] in text
    full = "".join(pages)
    assert len(pages) == 3
    seqs = [int(line.split()[1]) for line in full.splitlines() if line.startswith("SEQ ")]
    assert seqs == list(range(1, 2501))
