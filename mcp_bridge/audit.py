"""Audit log of tool calls: one JSON line per call, so whoever runs the bridge can see what agents did.

Off by default (nothing is written unless asked): ``--audit-log PATH`` appends to ``PATH``;
``--audit-log auto`` picks ``$XDG_STATE_HOME/stata-live/audit.jsonl`` (``~/.local/state/...``; on Windows
``%LOCALAPPDATA%\\stata-live\\audit.jsonl``, on macOS ``~/Library/Logs/stata-live/audit.jsonl``).

A record holds the time (UTC, ISO 8601), the tool, the client (``name/version`` from its
initialisation), a SHA-256 digest of its arguments as canonical JSON
(never the code itself: code can hold data or secrets, and the digest still matches a copy kept
elsewhere), the Stata return code, the duration, the outcome and, for refusals, the blocked command and
line. Writes are single ``O_APPEND`` writes of one short line (atomic on POSIX, microseconds on the event
loop). The file is bounded: past ``max_bytes`` it is renamed to ``PATH.1`` (replacing an older one) and a
fresh file begins, so at most twice ``max_bytes`` is kept.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

log = logging.getLogger(__name__)

AUTO = "auto"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

P = ParamSpec("P")
R = TypeVar("R")


def default_path(env: dict[str, str] | None = None) -> Path:
    """Where ``--audit-log auto`` writes: the user's state directory for this platform."""
    env = dict(os.environ) if env is None else env
    if sys.platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Logs"
    else:
        base = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "stata-live" / "audit.jsonl"


def digest(arguments: dict[str, Any]) -> str:
    """SHA-256 of the arguments as canonical JSON (sorted keys, no blanks, UTF-8)."""
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()


@dataclass
class AuditLog:
    """An append-only JSON-lines file with one rotation."""

    path: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_setting(cls, setting: str | None) -> AuditLog | None:
        if not setting:
            return None
        path = default_path() if setting == AUTO else Path(setting).expanduser()
        return cls(path.resolve())

    def write(self, record: dict[str, Any]) -> None:
        """Append one record; a failure is logged, never raised (auditing must not break the tool call)."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8", errors="replace")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > self.max_bytes:
                os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        except OSError as exc:
            log.warning("audit log %s not written: %s", self.path, exc)


def audited(tool: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate an async tool so that each call leaves one audit record (when the bridge keeps a log).

    The signature is kept (``functools.wraps``) so MCPServer still sees the tool's parameters and context.
    """

    def decorate(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            audit = _log_of(kwargs)
            if audit is None:
                return await fn(*args, **kwargs)
            arguments = {k: v for k, v in kwargs.items() if not isinstance(v, Context)}
            started = time.monotonic()
            record: dict[str, Any] = {
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "tool": tool,
                "arguments_sha256": digest(arguments),
                "client": _client_of(kwargs),
            }
            try:
                result = await fn(*args, **kwargs)
            except ToolError:
                record.update(rc=None, outcome="refused")
                raise
            except anyio.get_cancelled_exc_class():
                record.update(rc=None, outcome="cancelled")
                raise
            except Exception:
                record.update(rc=None, outcome="failed")
                raise
            else:
                record.update(_result_facts(result))
                return result
            finally:
                record["duration_s"] = round(time.monotonic() - started, 3)
                audit.write(record)

        return wrapper

    return decorate


def _log_of(kwargs: dict[str, Any]) -> AuditLog | None:
    """The bridge's audit log, from the settings in the request context (building it is cheap)."""
    for value in kwargs.values():
        if isinstance(value, Context):
            config = getattr(value.request_context.lifespan_context, "config", None)
            return AuditLog.from_setting(getattr(config, "audit_log", None))
    return None


def _client_of(kwargs: dict[str, Any]) -> str | None:
    """``name/version`` the client announced at initialisation: which agent made the call."""
    for value in kwargs.values():
        if isinstance(value, Context):
            try:
                info = value.session.client_params.client_info  # type: ignore[union-attr]
            except AttributeError:
                return None
            return f"{info.name}/{info.version}"
    return None


def _result_facts(result: Any) -> dict[str, Any]:
    """rc, outcome and run id from a tool result (structured content when the tool returns it)."""
    if not isinstance(result, CallToolResult):
        return {"rc": None, "outcome": "ok"}
    structured = result.structured_content or {}
    error = structured.get("error") if isinstance(structured, dict) else None
    facts: dict[str, Any] = {"rc": structured.get("rc") if isinstance(structured, dict) else None}
    if result.is_error:
        facts["outcome"] = (error or {}).get("kind", "error") if isinstance(error, dict) else "error"
    else:
        facts["outcome"] = "ok"
    if isinstance(error, dict):  # a refusal mapped into structured content keeps its command and line
        facts.update({k: error[k] for k in ("command", "line") if error.get(k) is not None})
    if isinstance(structured, dict) and structured.get("run_id") is not None:
        facts["run_id"] = structured["run_id"]
    return facts


__all__ = ["AUTO", "AuditLog", "audited", "default_path", "digest"]
