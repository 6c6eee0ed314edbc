"""Text waiting for a client that reads more slowly than Stata prints, held within a fixed window.

The relay (``relay.py``) sends a call's output as notifications; what arrives while one is in flight waits
here. The oldest text (what goes out next, so the stream continues where the client is) and the latest are
kept; when the client falls further behind, the text between them is counted, not kept, and one marker
takes its place in the stream. The sender takes the text in order, a notification at a time, so the window
bounds everything the relay holds: nothing is copied into a second batch while it is being sent.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from .logwindow import drop_front

log = logging.getLogger(__name__)


class PendingText:
    """At most ``window`` characters waiting (plus one marker): the next to send and the latest."""

    def __init__(self, window: int, marker: Callable[[int], str]) -> None:
        if window < 2:
            raise ValueError("the progress window must hold at least 2 characters")
        self._front_limit = window // 2
        self._back_limit = window - self._front_limit
        self._marker = marker
        self._front: deque[str] = deque()  # sent next, in order
        self._front_len = 0
        self._back: deque[str] = deque()  # the latest text, after the gap
        self._back_len = 0
        self._gap = 0  # characters left out between front and back
        self.skipped = 0  # characters left out so far (the current gap included)

    @property
    def held_chars(self) -> int:
        return self._front_len + self._back_len

    def __bool__(self) -> bool:
        return bool(self._front_len or self._back_len or self._gap)

    def append(self, text: str) -> None:
        if not text:
            return
        if not self._back and not self._gap:  # nothing queued behind the front: it grows while it has room
            room = self._front_limit - self._front_len
            if room > 0:
                self._front.append(text[:room])
                self._front_len += min(room, len(text))
                text = text[room:]
                if not text:
                    return
        self._back.append(text)
        self._back_len += len(text)
        excess = self._back_len - self._back_limit
        if excess > 0:  # the oldest of the latest text makes room: it becomes part of the gap
            drop_front(self._back, excess)
            self._back_len -= excess
            self._gap += excess
            self.skipped += excess

    def take(self, limit: int) -> str:
        """The next at most ``limit`` characters, in order (a marker where text was left out); "" when empty."""
        if not self._front_len:
            self._close_gap()
        pieces: list[str] = []
        count = min(limit, self._front_len)
        drop_front(self._front, count, into=pieces)
        self._front_len -= count
        return "".join(pieces)

    def _close_gap(self) -> None:
        """The front was sent: the marker (if text was left out) and the latest text become the front."""
        if self._gap:
            log.info("progress skipped %d characters (client slower than Stata)", self._gap)
            marker = self._marker(self._gap)
            self._front.append(marker)
            self._front_len += len(marker)
            self._gap = 0
        self._front.extend(self._back)
        self._front_len += self._back_len
        self._back.clear()
        self._back_len = 0
