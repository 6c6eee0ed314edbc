"""Run registry: every run's full log, kept so a truncated result can point at the rest.

Logs are exposed as the resource ``stata://runs/{run_id}/log`` (pages of ``PAGE_CHARS``), searched by
``stata_log_search`` and read incrementally by ``stata_run_status``. Retention is bounded twice: only
the latest ``keep`` runs (default 50) are kept, and each keeps a fixed window of its output (head and
latest tail, ``mcp_bridge.logwindow``), so memory stays bounded in long sessions and under floods.
A run still in progress is never dropped: only finished runs make room.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import anyio

from .logwindow import DEFAULT_WINDOW_CHARS, LogWindow

RESULT_CHARS = 32_000  # log text carried in a tool result (head + tail)
HEAD_CHARS = 8_000
PAGE_CHARS = 100_000  # one page of the log resource
MAX_LOG_CHARS = DEFAULT_WINDOW_CHARS  # kept per run (head + latest tail; memory stays bounded)
KEEP_RUNS = 50
STATUS_CHARS = 32_000  # output returned by one stata_run_status call
MAX_MATCHES = 200  # stata_log_search matches returned at most
MATCH_CHARS = 400  # one matching line is cut to this length
LOG_URI = "stata://runs/{run_id}/log"

# Run states as stata_run_status reports them, from the record's outcome.
_STATES = {"running": "running", "ok": "finished", "cancelled": "cancelled", "break": "cancelled"}


def log_uri(run_id: str, page: int | None = None) -> str:
    uri = LOG_URI.format(run_id=run_id)
    return uri if page is None or page <= 1 else f"{uri}?page={page}"


@dataclass
class RunRecord:
    """One run: what was sent and everything Stata printed for it."""

    run_id: str
    label: str
    started_at: float = field(default_factory=time.time)
    finished: bool = False
    outcome: str = "running"  # then ok, error, break, timeout, cancelled, kernel error
    done: anyio.Event = field(default_factory=anyio.Event)
    background: bool = False
    result: dict[str, Any] | None = None  # the structured result, once finished
    log_window: int | None = None  # characters of output kept (head + tail); None: MAX_LOG_CHARS
    _changed: anyio.Event = field(default_factory=anyio.Event)
    _log: LogWindow = field(init=False)

    def __post_init__(self) -> None:
        self._log = LogWindow(self.log_window or MAX_LOG_CHARS)

    def finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.finished = True
        self.done.set()
        self._changed.set()

    async def wait_for_change(self) -> None:
        """Until new output arrives or the run ends (``stata_run_status`` waiting without polling)."""
        if not self.finished:
            await self._changed.wait()

    def append(self, text: str) -> None:
        self._changed.set()
        self._changed = anyio.Event()
        self._log.append(text)

    @property
    def state(self) -> str:
        """running, finished, failed or cancelled (a break, by stata_cancel or stata_interrupt)."""
        return _STATES.get(self.outcome, "failed")

    def read(self, since: int, limit: int = STATUS_CHARS) -> tuple[str, int]:
        """Output from character offset ``since`` (at most ``limit`` characters) and the next offset."""
        text = self.text
        since = min(max(since, 0), len(text))
        chunk = text[since : since + limit]
        return chunk, since + len(chunk)

    @property
    def total_chars(self) -> int:
        """Everything Stata printed, including what the log did not keep."""
        return self._log.total

    @property
    def skipped_chars(self) -> int:
        """Characters printed between the log's head and tail that the window did not keep."""
        return self._log.skipped

    @property
    def text(self) -> str:
        """The kept log: head, a marker with the counts when the window left output out, latest tail."""
        return self._log.text

    @property
    def uri(self) -> str:
        return log_uri(self.run_id)

    def excerpt(self, limit: int = RESULT_CHARS, head: int = HEAD_CHARS) -> tuple[str, bool]:
        """The log if it fits in ``limit`` characters, else its head and tail around a marker."""
        text = self.text
        if len(text) <= limit:
            return text, False
        tail = limit - head
        omitted = len(text) - head - tail
        pages = page_count(text)
        further = "?page=2" if pages == 2 else f"?page=2 ... ?page={pages}"
        window = self._log
        kept = (
            f" (it keeps {window.head_chars + window.tail_chars:,} of the run's {window.total:,} characters: "
            f"{window.skipped:,} between its first {window.head_chars:,} and latest {window.tail_chars:,} "
            "were not kept)"
            if window.skipped
            else ""
        )
        marker = (
            f"\n\n[stata-live: {omitted:,} characters of output omitted here. The log{kept} "
            f"({len(text):,} characters, {pages} page{'s' if pages != 1 else ''}) is the MCP resource "
            f"{self.uri} ; read further pages by adding {further}]\n\n"
        )
        return text[:head] + marker + text[-tail:], True

    def page(self, number: int) -> str:
        """Page ``number`` (1-based) of the log, with a footer naming the next page when any."""
        text = self.text
        pages = page_count(text)
        if number < 1 or number > pages:
            raise IndexError(f"page {number} does not exist; the log has {pages} page(s)")
        body = text[(number - 1) * PAGE_CHARS : number * PAGE_CHARS]
        if number < pages:
            body += f"\n[stata-live: page {number} of {pages}; next page: {log_uri(self.run_id, number + 1)}]"
        return body


def search_lines(text: str, pattern: re.Pattern[str], limit: int = MAX_MATCHES) -> tuple[list[dict[str, Any]], int]:
    """Lines of ``text`` matching ``pattern``: (1-based line, line cut to ``MATCH_CHARS``), and how many matched."""
    matches: list[dict[str, Any]] = []
    total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            total += 1
            if len(matches) < limit:
                cut = line if len(line) <= MATCH_CHARS else line[:MATCH_CHARS] + " ..."
                matches.append({"line": number, "text": cut})
    return matches, total


def page_count(text: str) -> int:
    return max(1, -(-len(text) // PAGE_CHARS))


class RunRegistry:
    """Keeps the latest runs by id."""

    def __init__(self, keep: int = KEEP_RUNS, log_window: int | None = None) -> None:
        self._keep = keep
        self._log_window = log_window
        self._runs: OrderedDict[str, RunRecord] = OrderedDict()
        self._counter = itertools.count(1)
        # Shape of the data after the latest run, to tell whether a run changed it (results.dataset).
        self.last_dataset: tuple[Any, ...] | None = None

    def new(self, label: str, *, background: bool = False) -> RunRecord:
        run_id = f"{next(self._counter)}-{uuid.uuid4().hex[:8]}"
        record = RunRecord(run_id=run_id, label=label, background=background, log_window=self._log_window)
        self._runs[run_id] = record
        self._trim()
        return record

    def _trim(self) -> None:
        """Drop the oldest finished runs beyond ``keep`` (a run in progress stays reachable)."""
        excess = len(self._runs) - self._keep
        if excess <= 0:
            return
        # oldest first: usually the first ``excess`` are done, so this stops early
        for run_id in list(itertools.islice((r for r, rec in self._runs.items() if rec.finished), excess)):
            del self._runs[run_id]

    def get(self, run_id: str) -> RunRecord | None:
        return self._runs.get(run_id)

    def recent(self) -> list[RunRecord]:
        return list(reversed(self._runs.values()))
