"""Input checks done before anything reaches Stata; each failure is a :class:`Refused` value
(``invalid_input``), which the tool turns into its result."""

from __future__ import annotations

import math
from pathlib import Path

from ..refusals import Refused


def check_code(code: str, max_bytes: int, source: str = "The code") -> Refused | None:
    if "\x00" in code:
        return Refused.invalid(f"{source} contains NUL bytes (\\x00), which Stata code cannot hold. Nothing was run.")
    size = len(code.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        return Refused.invalid(
            f"{source} is {size:,} bytes, over this bridge's limit of {max_bytes:,} bytes "
            "(--max-code-bytes). Nothing was run; split it into smaller pieces."
        )
    return None


def check_timeout(timeout_s: float | None) -> Refused | None:
    if timeout_s is None:
        return None
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
        return Refused.invalid("timeout_s must be a number of seconds or null.")
    if math.isnan(timeout_s) or timeout_s <= 0:
        return Refused.invalid(f"timeout_s must be a positive number of seconds, not {timeout_s!r}; nothing ran.")
    return None


def check_do_file(path: str) -> Path | Refused:
    """Resolve a do-file path against the bridge's working directory and make sure it is a file."""
    if "\x00" in path or "\n" in path or "\r" in path:
        return Refused.invalid("The path contains NUL or newline characters.")
    if '"\'' in path or "`" in path:
        return Refused.invalid("The path contains characters Stata cannot quote (`\"'` or a backtick).")
    if not path.strip():
        return Refused.invalid("The path is empty.")
    resolved = Path(path).expanduser().resolve()
    if not resolved.exists():
        return Refused.invalid(f"No such do-file: {resolved} (resolved from {path!r}). Nothing was run.")
    if not resolved.is_file():
        return Refused.invalid(f"{resolved} is not a file (a directory?); give the path of a do-file.")
    return resolved


def read_do_file(path: Path) -> str | Refused:
    """The do-file's text: UTF-8 (Stata 14+), else Latin-1 as older Stata wrote it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Refused.invalid(f"Cannot read {path}: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_topic(topic: str) -> str | Refused:
    topic = topic.strip()
    if not topic:
        return Refused.invalid("Give a help topic, e.g. 'regress' or 'graph twoway'.")
    if len(topic) > 200 or any(ch in topic for ch in "\x00\r\n;"):
        return Refused.invalid("A help topic is a command or topic name on one line, e.g. 'regress'.")
    return topic


def check_cells(max_cells: int | None) -> Refused | None:
    if max_cells is None:
        return None
    if isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 0:
        return Refused.invalid(f"max_result_cells must be a non-negative whole number or null, not {max_cells!r}.")
    return None
