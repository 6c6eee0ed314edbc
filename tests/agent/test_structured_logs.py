"""Run logs as an agent reaches them: head and tail in the result, the full log paged by URI, searched by id."""

from __future__ import annotations

from mcp_bridge.runs import RunRegistry
from tests.bridge.helpers import HttpBridge, read_all_pages, text_of

FLOOD = "_sim_flood, bytes(250000) linelen(100)"  # 2500 lines "SEQ 00000001 xxx..."


async def test_long_log_has_head_and_tail_in_structured_content_and_pages_behind_its_uri(
    policy_bridge: HttpBridge,
) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": FLOOD})
        log = result.structured_content["log"]
        pages = await read_all_pages(client, log["uri"])
    assert log["truncated"] and log["chars"] == 250_000
    assert log["head"].startswith("SEQ 00000001") and log["tail"].rstrip().split("\n")[-1].startswith("SEQ 00002500")
    assert len(log["head"]) + len(log["tail"]) < 32_000
    assert len(pages) == 3  # pages of 100 000 characters
    seqs = [int(line.split()[1]) for line in "".join(pages).splitlines()]
    assert seqs == list(range(1, 2501))


async def test_log_search_finds_lines_by_substring_with_line_numbers(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run = await client.call_tool("stata_run", {"code": FLOOD})
        run_id = run.structured_content["run_id"]
        found = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": "SEQ 00001234"})
    data = found.structured_content
    assert not found.is_error and data["total"] == 1 and not data["truncated"]
    assert data["matches"][0]["line"] == 1234 and data["matches"][0]["text"].startswith("SEQ 00001234")
    assert "1234: SEQ 00001234" in text_of(found)


async def test_log_search_takes_a_regex_and_bounds_its_matches(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run = await client.call_tool("stata_run", {"code": FLOOD})
        run_id = run.structured_content["run_id"]
        some = await client.call_tool("stata_log_search",
                                      {"run_id": run_id, "pattern": r"^SEQ 0000123\d ", "regex": True})
        many = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": "seq", "ignore_case": True,
                                                           "max_matches": 5})
        literal = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": r"^SEQ"})
    assert [m["line"] for m in some.structured_content["matches"]] == list(range(1230, 1240))
    assert many.structured_content["total"] == 2500 and len(many.structured_content["matches"]) == 5
    assert many.structured_content["truncated"]
    assert literal.structured_content["total"] == 0  # without regex=true the pattern is plain text


async def test_log_search_errors_are_clear(policy_bridge: HttpBridge) -> None:
    async with policy_bridge.client() as client:
        run = await client.call_tool("stata_run", {"code": 'display "x"'})
        run_id = run.structured_content["run_id"]
        bad_regex = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": "(", "regex": True})
        unknown = await client.call_tool("stata_log_search", {"run_id": "nope", "pattern": "x"})
    assert bad_regex.is_error and "regular expression" in text_of(bad_regex)
    assert unknown.is_error and "No run" in text_of(unknown)


async def test_log_search_finds_the_error_of_a_failed_run(policy_bridge: HttpBridge) -> None:
    """The agent's loop: a run fails, the result names the line, the log search finds the message."""
    async with policy_bridge.client() as client:
        run = await client.call_tool("stata_run", {"code": 'display "a"\ndisplay "b"\nsummarize nosuchvar'})
        found = await client.call_tool("stata_log_search",
                                       {"run_id": run.structured_content["run_id"], "pattern": "r(111);"})
    assert found.structured_content["total"] == 1


def test_retention_keeps_the_latest_runs_and_never_drops_one_in_progress() -> None:
    registry = RunRegistry(keep=3)
    running = registry.new("long background run", background=True)
    finished = []
    for i in range(5):
        record = registry.new(f"run {i}")
        record.finish("ok")
        finished.append(record)
    assert registry.get(running.run_id) is running  # in progress: kept although the oldest
    kept = [r.run_id for r in registry.recent()]
    assert len(kept) == 3 and kept[:2] == [finished[4].run_id, finished[3].run_id]
    running.finish("ok")
    registry.new("one more").finish("ok")
    assert registry.get(running.run_id) is None  # finished now, so it makes room


def test_a_log_keeps_a_bounded_rolling_tail_past_its_cap(monkeypatch) -> None:
    from mcp_bridge import runs

    monkeypatch.setattr(runs, "MAX_LOG_CHARS", 1000)
    record = RunRegistry().new("flood")
    for i in range(100):
        record.append(f"line {i:04d} " + "x" * 40 + "\n")
    assert record.total_chars == 100 * 51
    assert record.text.startswith("line 0000") and record.text.endswith("line 0099 " + "x" * 40 + "\n")
    assert "the log keeps the first 500 and the latest 500 of the run's 5,100 characters" in record.text
