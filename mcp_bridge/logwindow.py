"""A run's log held in a fixed window: the first characters and the latest ones, with a count of the rest.

A flood (a long simulation log, a big ``list``) must not grow the bridge with the size of the output.
The window keeps the head (where a run's setup and first errors are) and a rolling tail (where its
final error and results are); what fell between them is counted, never stored, so that
``head + tail + skipped == total`` always holds and every reader can say what it left out.
"""

from __future__ import annotations

from collections import deque

DEFAULT_WINDOW_CHARS = 4_000_000  # head + tail kept per run (--log-window-chars)


class LogWindow:
    """Appends text; keeps at most ``window`` characters: half from the start, half from the end."""

    def __init__(self, window: int = DEFAULT_WINDOW_CHARS) -> None:
        if window < 2:
            raise ValueError("the log window must hold at least 2 characters")
        self.window = window
        self._head_limit = window // 2
        self._tail_limit = window - self._head_limit
        self._head: list[str] = []
        self._head_len = 0
        self._tail: deque[str] = deque()
        self._tail_len = 0
        self.skipped = 0
        self._text: str | None = None

    def append(self, text: str) -> None:
        if not text:
            return
        self._text = None
        room = self._head_limit - self._head_len
        if room > 0:
            taken = text[:room]
            self._head.append(taken)
            self._head_len += len(taken)
            text = text[room:]
            if not text:
                return
        self._tail.append(text)
        self._tail_len += len(text)
        excess = self._tail_len - self._tail_limit
        if excess > 0:
            drop_front(self._tail, excess)
            self._tail_len -= excess
            self.skipped += excess

    @property
    def head_chars(self) -> int:
        return self._head_len

    @property
    def tail_chars(self) -> int:
        return self._tail_len

    @property
    def total(self) -> int:
        """Every character appended, kept or not."""
        return self._head_len + self._tail_len + self.skipped

    def marker(self) -> str:
        return (
            f"\n[stata-live: {self.skipped:,} characters of output were left out here: the log keeps the "
            f"first {self._head_len:,} and the latest {self._tail_len:,} of the run's {self.total:,} "
            "characters (bridge option --log-window-chars).]\n"
        )

    @property
    def text(self) -> str:
        """Head, then (when something was left out) a marker with the counts, then tail."""
        if self._text is None:
            head = "".join(self._head)
            self._head = [head] if head else []
            tail = "".join(self._tail)
            self._tail = deque([tail]) if tail else deque()
            self._text = head + (self.marker() if self.skipped else "") + tail
        return self._text


def drop_front(chunks: deque[str], count: int, into: list[str] | None = None) -> None:
    """Remove the first ``count`` characters of the text ``chunks`` holds (it holds at least that many);
    with ``into``, append them there in order (else they are only let go, without a copy)."""
    while count > 0:
        first = chunks[0]
        if len(first) <= count:
            chunks.popleft()
            count -= len(first)
            if into is not None:
                into.append(first)
        else:
            chunks[0] = first[count:]
            if into is not None:
                into.append(first[:count])
            count = 0
