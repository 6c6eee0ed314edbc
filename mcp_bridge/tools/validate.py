"""Input checks done before anything reaches Stata; each failure is a clear ``ToolError``."""

from __future__ import annotations

import math
from pathlib import Path

from mcp.server.mcpserver.exceptions import ToolError


def check_code(code: str, max_bytes: int, source: str = "The code") -> None:
    if "\x00" in code:
        raise ToolError(f"{source} contains NUL bytes (\\x00), which Stata code cannot hold. Nothing was run.")
    size = len(code.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise ToolError(
            f"{source} is {size:,} bytes, over this bridge's limit of {max_bytes:,} bytes "
            "(--max-code-bytes). Nothing was run; split it into smaller pieces."
        )


def check_timeout(timeout_s: float | None) -> None:
    if timeout_s is None:
        return
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
        raise ToolError("timeout_s must be a number of seconds or null.")
    if math.isnan(timeout_s) or timeout_s <= 0:
        raise ToolError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}; nothing ran.")


def check_do_file(path: str) -> Path:
    """Resolve a do-file path against the bridge's working directory and make sure it is a file."""
    if "\x00" in path or "\n" in path or "\r" in path:
        raise ToolError("The path contains NUL or newline characters.")
    if '"\'' in path or "`" in path:
        raise ToolError("The path contains characters Stata cannot quote (`\"'` or a backtick).")
    if not path.strip():
        raise ToolError("The path is empty.")
    resolved = Path(path).expanduser().resolve()
    if not resolved.exists():
        raise ToolError(f"No such do-file: {resolved} (resolved from {path!r}). Nothing was run.")
    if not resolved.is_file():
        raise ToolError(f"{resolved} is not a file (a directory?); give the path of a do-file.")
    return resolved


def read_do_file(path: Path) -> str:
    """The do-file's text: UTF-8 (Stata 14+), else Latin-1 as older Stata wrote it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_topic(topic: str) -> str:
    topic = topic.strip()
    if not topic:
        raise ToolError("Give a help topic, e.g. 'regress' or 'graph twoway'.")
    if len(topic) > 200 or any(ch in topic for ch in "\x00\r\n;"):
        raise ToolError("A help topic is a command or topic name on one line, e.g. 'regress'.")
    return topic


def check_cells(max_cells: int | None) -> None:
    if max_cells is None:
        return
    if isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 0:
        raise ToolError(f"max_result_cells must be a non-negative whole number or null, not {max_cells!r}.")
