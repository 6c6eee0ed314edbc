"""The audit log: one JSON line per tool call, with a digest of the arguments and never the code."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from mcp_bridge.audit import AuditLog, digest
from tests.bridge.helpers import HttpBridge, text_of

# The digest covers every argument the tool receives, optional ones at their defaults included.
RUN_DEFAULTS = {"timeout_s": None, "background": False, "max_result_cells": 2500}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _record_for(path: Path, arguments: dict[str, Any]) -> dict[str, Any]:
    wanted = digest(arguments)
    matches = [r for r in _records(path) if r["arguments_sha256"] == wanted]
    assert len(matches) == 1, (wanted, _records(path))
    return matches[0]


async def test_tool_call_leaves_one_json_line_with_digest_rc_and_duration(
    policy_bridge: HttpBridge, audit_path: Path
) -> None:
    secret = f"audit_secret_{uuid.uuid4().hex}"
    code = f'display "{secret}"'
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": code})
    assert not result.is_error, text_of(result)
    record = _record_for(audit_path, {"code": code, **RUN_DEFAULTS})
    assert record["tool"] == "stata_run"
    assert record["client"] and "/" in record["client"]
    assert record["rc"] == 0 and record["outcome"] == "ok"
    assert record["duration_s"] >= 0 and record["time"].endswith("+00:00")
    assert secret not in audit_path.read_text(encoding="utf-8")


async def test_blocked_call_is_audited_with_command_and_line(policy_bridge: HttpBridge, audit_path: Path) -> None:
    code = f"display {uuid.uuid4().int % 1000}\nerase x.dta"
    async with policy_bridge.client() as client:
        await client.call_tool("stata_run", {"code": code})
    record = _record_for(audit_path, {"code": code, **RUN_DEFAULTS})
    assert record["outcome"] == "policy_blocked"
    assert (record["command"], record["line"], record["rc"]) == ("erase", 2, None)


async def test_stata_error_is_audited_with_its_return_code(policy_bridge: HttpBridge, audit_path: Path) -> None:
    code = f"display {uuid.uuid4().int % 1000}\nnot_a_command"
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": code})
    assert result.is_error
    record = _record_for(audit_path, {"code": code, **RUN_DEFAULTS})
    assert record["rc"] == 199 and record["outcome"] != "ok"


def test_audit_log_is_bounded_by_one_rotation(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=1000)
    for i in range(100):
        log.write({"tool": "stata_run", "i": i})
    rotated = tmp_path / "audit.jsonl.1"
    assert rotated.exists()
    assert log.path.stat().st_size <= 1000 + 100 and rotated.stat().st_size <= 1000 + 100
    assert _records(log.path)[-1]["i"] == 99  # the newest record is always in the live file


def test_digest_is_of_canonical_json() -> None:
    assert digest({"b": 1, "a": "é"}) == digest({"a": "é", "b": 1})
    assert digest({"code": "display 1"}) != digest({"code": "display 2"})


async def test_session_and_inspection_tools_are_audited_too(policy_bridge: HttpBridge, audit_path: Path) -> None:
    before = len(_records(audit_path)) if audit_path.exists() else 0
    async with policy_bridge.client() as client:
        await client.call_tool("stata_interrupt", {})
        await client.call_tool("stata_results", {"kind": "r"})
    tools = [r["tool"] for r in _records(audit_path)[before:]]
    assert tools == ["stata_interrupt", "stata_results"]
