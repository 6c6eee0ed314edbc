"""Help text for inspect requests (``?`` and Shift-Tab), from Stata's own ``help`` output, cached.

The installation's help file (``ado/base/r/regress.sthlp``) is read first and shown as plain text
(:mod:`.smcl`): no side effects. Only without one is ``help topic`` run, capturing its output (the
simulated Stata prints its help; a Stata with a GUI would open its Viewer, hence the order).

Named ``help_lookup`` so it never shadows the standard library's ``inspect``. Lookups run on the Stata
worker between cells; while a cell runs the kernel answers only from this cache (see :meth:`cached`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .engine import Engine
from .errors import StataError
from .smcl import help_file, smcl_to_text

_TOPIC = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_ENTRIES = 256


@dataclass(frozen=True)
class HelpEntry:
    topic: str
    text: str | None  # None: Stata has no help for this topic; "": help ran but printed nothing here

    def shown(self) -> str:
        """Text for the frontend: Stata's help, or a pointer when Stata showed it elsewhere (a Viewer)."""
        body = self.text or f"Stata found help for {self.topic} but printed none here (it may open in a Viewer)."
        return f"{body}\n\nOnline: https://www.stata.com/help.cgi?{self.topic}"

    @property
    def found(self) -> bool:
        return self.text is not None


class HelpCache:
    """Topic → help text (or "none"), least recently used dropped first."""

    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, HelpEntry] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()
        self.lookups = 0

    def cached(self, topic: str) -> HelpEntry | None:
        with self._lock:
            entry = self._entries.get(topic)
            if entry is not None:
                self._entries.move_to_end(topic)
            return entry

    def lookup(self, engine: Engine, topic: str, stata_dir: str | None = None) -> HelpEntry:
        """Help for ``topic``: the installation's help file if there is one, else ``help topic``'s output.

        The file comes first because it has no side effects: a Stata with a GUI answers ``help`` by
        opening its Viewer window, which an inspect request must not do. Runs on the Stata worker thread.
        """
        entry = self.cached(topic)
        if entry is not None:
            return entry
        if not _TOPIC.fullmatch(topic):
            return HelpEntry(topic, None)
        self.lookups += 1
        text = _from_help_file(topic, stata_dir)
        if text is None:
            try:
                text = engine.capture(f"help {topic}").strip("\n")
            except StataError:
                text = None  # r(111): no help for this topic
        entry = HelpEntry(topic, text)
        with self._lock:
            self._entries[topic] = entry
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return entry


def _from_help_file(topic: str, stata_dir: str | None) -> str | None:
    path = help_file(topic, stata_dir)
    if path is None:
        return None
    try:
        return smcl_to_text(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
