"""The structured result of a run: what an agent acts on without parsing Stata's text.

``stata_run`` / ``stata_run_file`` publish ``RUN_SCHEMA`` as their output schema and return a
``structuredContent`` following it on every result, refusals and errors included (docs/architecture.md,
"Tools and results"). The schema is hand-written, small and flat on purpose: clients validate every
result against it, and a large generated schema costs them tens of milliseconds per call. Stored
results and dataset facts are free-form objects for the same reason.

The failing command and its line come from the kernel's error facts (``stata_kernel.syntax.wire``);
for a kernel that sends none, :mod:`stata_kernel.syntax.failing` finds them in Stata's echo.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stata_kernel.syntax import split_commands
from stata_kernel.syntax.failing import echoes_in, locate, word_of

from .kernel import DisplayItem, Execution

# Stata return codes with a stable kind an agent can branch on.
RC_KINDS: dict[int, str] = {
    1: "break",
    109: "type_mismatch",
    111: "variable_not_found",
    198: "syntax",
    199: "command_not_found",
    430: "convergence",
    601: "file_not_found",
    2000: "no_observations",
    2001: "no_observations",
}
# Kinds for failures that are not a Stata return code.
TIMEOUT = "timeout"
POLICY_BLOCKED = "policy_blocked"
KERNEL_DIED = "kernel_died"
INVALID_INPUT = "invalid_input"
SESSION_BUSY = "session_busy"
UNAVAILABLE = "unavailable"  # Stata or the kernel could not be started or reached
OTHER = "other"

DEFAULT_MAX_CELLS = 2_500  # a stored matrix with more cells is summarised (max_result_cells)
MAX_WARNINGS = 20
LOG_HEAD_CHARS = 2_000  # log excerpt in structured content (the text content carries up to 32 KB)
LOG_TAIL_CHARS = 6_000
_INTERNAL_RESULTS = frozenset({"_grlist"})  # left in r() by the kernel's graph listing

_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
RUN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "rc": {**_NULLABLE_INT, "description": "Stata's return code; null when Stata never ran"},
        "run_id": _NULLABLE_STR,
        "state": {"type": "string", "description": "running (background start), finished, failed, cancelled"},
        "elapsed_s": {"type": ["number", "null"]},
        "interrupted": {"type": "boolean"},
        "timed_out": {"type": "boolean"},
        "error": {
            "type": ["object", "null"],
            "description": "kind: syntax, command_not_found, variable_not_found, type_mismatch, "
            "no_observations, file_not_found, convergence, break, timeout, policy_blocked, kernel_died, "
            "invalid_input, session_busy, unavailable, other; line: 1-based in the code or do-file",
            "properties": {
                "kind": {"type": "string"},
                "message": {"type": "string"},
                "command": _NULLABLE_STR,
                "line": _NULLABLE_INT,
            },
            "required": ["kind", "message"],
        },
        "results": {"type": ["object", "null"], "description": "{r: {...}, e: {...}}; missing values null"},
        "dataset": {"type": ["object", "null"], "description": "observations, variables, changed"},
        "graphs": {"type": "array", "items": {"type": "object"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "log": {
            "type": ["object", "null"],
            "description": "head, tail, truncated, chars, skipped_chars (past the log window, counted only), uri",
        },
    },
    "required": ["ok", "rc", "run_id", "error"],
}

# Expressions the kernel evaluates after the code, in the same execute request (one round trip).
EXPRESSIONS = {"r": "r()", "e": "e()", "dataset": "describe()"}

_ECHO = re.compile(r"^\. (.*)$")
_CONTINUATION = re.compile(r"^> ")
_RC_LINES = re.compile(r"^r\((\d+)\);[ \t]*\r?$", re.MULTILINE)


def kind_of_rc(rc: int | None) -> str:
    return RC_KINDS.get(rc, OTHER) if rc is not None else OTHER


def error(kind: str, message: str, command: str | None = None, line: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "message": message, "command": command, "line": line, **extra}


def refusal(err: dict[str, Any]) -> dict[str, Any]:
    """Structured content for a call refused before Stata ran (validation, policy, busy)."""
    return {
        "ok": False,
        "rc": None,
        "run_id": None,
        "state": "failed",
        "elapsed_s": None,
        "interrupted": False,
        "timed_out": False,
        "error": err,
        "results": None,
        "dataset": None,
        "graphs": [],
        "warnings": [],
        "log": None,
    }


# ------------------------------------------------------------------------------------------------------
# the failing command


def final_failure_output(output: str, rc: int | None) -> str:
    """The output up to the final ``r(rc);`` line (all of it when there is none)."""
    if rc is None:
        return output
    marker = f"r({rc});"
    end = output.rfind(marker)
    return output if end < 0 else output[:end]


def swallowed_errors(code: str, output: str, *, skip_last: bool) -> list[str]:
    """Errors that did not stop the run, as warnings naming their line when it can be found.

    Two signs in the output: an ``r(N);`` line that was not the run's end (an error inside a do-file
    run with ``capture noisily do``), and an error message printed by a ``capture noisily`` command
    (Stata prints no ``r(N);`` for a captured error). A plain ``capture`` prints nothing, so its
    errors cannot be seen here.
    """
    found = [(int(m.group(1)), m.start()) for m in _RC_LINES.finditer(output)]
    if skip_last and found:
        found.pop()
    warnings: list[str] = []
    echoed = echoes_in(output) if found else []
    for rc, at in found[:MAX_WARNINGS]:
        message = next((ln.strip() for ln in reversed(output[max(0, at - 2000) : at].splitlines()) if ln.strip()), "")
        where = locate(code, "", message, [e for e in echoed if e[0] < at])
        place = f" at line {where.line} ({where.command[:80]})" if where else ""
        warnings.append(f"r({rc}){place} did not stop the run ({kind_of_rc(rc)}): {message}")
    if len(found) > MAX_WARNINGS:
        warnings.append(f"... {len(found) - MAX_WARNINGS} more r(N) lines in the log")
    if "cap" in code and len(warnings) < MAX_WARNINGS:
        warnings += _captured_messages(code, output)[: MAX_WARNINGS - len(warnings)]
    return warnings


_CAPTURE_NOISILY = re.compile(r"^\s*cap(?:t(?:u(?:r(?:e)?)?)?)?\s+n(?:o(?:i(?:s(?:i(?:l(?:y)?)?)?)?)?)?\b")
# Messages of the errors agents meet most, as Stata words them (a captured error prints only this).
_ERROR_MESSAGE = re.compile(
    r"(?:^variable \S+ not found$|^\S+ not found$|is unrecognized$|^invalid syntax$|^type mismatch$"
    r"|^no observations$|^insufficient observations$|^no variables defined$|^file .+ not found$"
    r"|^convergence not achieved$|^\S+ ambiguous abbreviation$|^variable \S+ already defined$"
    r"|^invalid '.*'$|^\S+ invalid name$|^option \S+ not allowed$|^too few variables specified$)"
)


def _captured_messages(code: str, output: str) -> list[str]:
    """Error messages printed by ``capture noisily`` commands: the last line of the echoed command's output."""
    blocks = _echo_blocks(output)
    try:
        commands = [c for c in split_commands(code) if c.depth == 0 and not c.text.lstrip().startswith("}")]
    except Exception:
        return []
    warnings: list[str] = []
    position = 0
    for echo, after in blocks:
        word = word_of(echo)
        match = None
        for j in range(position, min(position + 3, len(commands))):
            if word_of(commands[j].text) == word:
                match, position = commands[j], j + 1
                break
        if not _CAPTURE_NOISILY.match(echo):
            continue
        last = next((ln.strip() for ln in reversed(after.splitlines()) if ln.strip()), "")
        if last and _ERROR_MESSAGE.search(last):
            place = f" at line {match.line} ({match.text[:80]})" if match is not None else ""
            warnings.append(f"captured error{place} did not stop the run: {last}")
    return warnings


def _echo_blocks(output: str) -> list[tuple[str, str]]:
    """(echoed command, the output that followed it) for each top-level echo in ``output``."""
    blocks: list[tuple[str, list[str]]] = []
    for line in output.splitlines():
        match = _ECHO.match(line)
        if match is not None:
            blocks.append((match.group(1).strip(), []))
        elif blocks and not _CONTINUATION.match(line):
            blocks[-1][1].append(line)
    return [(echo, "\n".join(lines)) for echo, lines in blocks if echo and not echo.startswith(("*", "//", "/*", "#"))]


# ------------------------------------------------------------------------------------------------------
# stored results, dataset, graphs, log


def stored_results(execution: Execution, max_cells: int | None) -> tuple[dict[str, Any] | None, list[str]]:
    """r() and e() as native JSON; matrices over ``max_cells`` cells summarised (None: no cap)."""
    values = execution.user_expressions
    if "r" not in values and "e" not in values:
        return None, []
    notes: list[str] = []
    out: dict[str, Any] = {}
    for kind in ("r", "e"):
        raw = values.get(kind)
        kept: dict[str, Any] = {}
        for name, value in (raw.items() if isinstance(raw, dict) else ()):
            if name in _INTERNAL_RESULTS:
                continue
            cells = _cells(value)
            if max_cells is not None and cells > max_cells:
                rows = len(value)
                cols = len(value[0]) if rows and isinstance(value[0], list) else 1
                kept[name] = {"omitted": True, "rows": rows, "cols": cols}
                notes.append(
                    f"{kind}({name}) is a {rows}x{cols} matrix, over max_result_cells={max_cells}: left out "
                    f"(stata_results kind={kind!r} returns it whole)."
                )
            else:
                kept[name] = value
        out[kind] = kept
    return out, notes


def _cells(value: Any) -> int:
    if not isinstance(value, list):
        return 1
    return sum(len(row) if isinstance(row, list) else 1 for row in value)


def dataset_facts(execution: Execution, previous: tuple[Any, ...] | None) -> tuple[dict[str, Any] | None, Any]:
    """Observations, variables and whether the data's shape or variables changed since the last run seen.

    ``changed`` compares with the previous run through this bridge (null for the first one): a new or
    dropped variable, another type or another number of observations counts; values edited in place
    (``replace``) do not, as the kernel offers no data checksum.
    """
    info = execution.user_expressions.get("dataset")
    if not isinstance(info, dict):
        return None, previous
    variables = info.get("variables") or []
    signature = (
        info.get("n_obs"),
        tuple((v.get("name"), v.get("type")) for v in variables if isinstance(v, dict)),
    )
    changed = None if previous is None else signature != previous
    return {"observations": info.get("n_obs"), "variables": info.get("n_vars"), "changed": changed}, signature


def graph_facts(displays: Sequence[DisplayItem], kept_images: int) -> list[dict[str, Any]]:
    """Names of the graphs a run made and where their image is: the content index of its PNG, if sent."""
    graphs: list[dict[str, Any]] = []
    image = 0
    for item in displays:
        if "image/png" not in item.data and "image/svg+xml" not in item.data:
            continue
        index = None
        if "image/png" in item.data:
            image += 1
            index = image if image <= kept_images else None  # content[0] is the text
        graphs.append({
            "name": item.graph_name,
            "image": index,
            "mime_types": sorted(k for k in item.data if k.startswith("image/")),
        })
    return graphs


def log_facts(text: str, uri: str) -> dict[str, Any]:
    if len(text) <= LOG_HEAD_CHARS + LOG_TAIL_CHARS:
        return {"head": text, "tail": "", "truncated": False, "chars": len(text), "uri": uri}
    return {
        "head": text[:LOG_HEAD_CHARS],
        "tail": text[-LOG_TAIL_CHARS:],
        "truncated": True,
        "chars": len(text),
        "uri": uri,
    }


@dataclass
class Timer:
    """Elapsed running time of a run (waiting for the session not counted)."""

    started: float | None = None
    ended: float | None = None
    _clock: Any = field(default=time.monotonic, repr=False)

    def start(self) -> None:
        self.started = self._clock()

    def stop(self) -> None:
        if self.started is not None and self.ended is None:
            self.ended = self._clock()

    @property
    def elapsed(self) -> float | None:
        if self.started is None:
            return None
        end = self.ended if self.ended is not None else self._clock()
        return round(end - self.started, 4)
