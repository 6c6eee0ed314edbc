"""Names of the structured facts the kernel puts in its Jupyter messages, for the bridge to read.

One place for both sides (see docs/wire-facts.md); stdlib-only and importing nothing, so the bridge can
use it without importing the kernel. A kernel that is not ours sends none of these: readers fall back
to parsing the text (``r(N);``, Stata's echo, ``<Stata graph NAME>``).
"""

from __future__ import annotations

#: Key of the facts object in ``error`` content, in ``execute_reply`` content and ``display_data`` metadata.
STATA = "stata"

# In error / execute_reply content, ``content[STATA]``:
RC = "rc"  #: Stata's return code (int)
KIND = "kind"  #: the error's class name (same as ``ename``), e.g. ``StataError``
MESSAGE = "message"  #: Stata's message without its ``r(N);`` line
LINE = "line"  #: 1-based line of the failing command in the submitted cell (None when unknown)
COMMAND = "command"  #: text of the failing command (None when unknown)

# In display_data metadata, ``metadata[STATA]``:
GRAPH = "graph"  #: the graph's name in Stata
FORMATS = "formats"  #: the image formats sent (``png``, ``svg``, ``pdf``)

#: Older flat key kept in display metadata (the graph's name) for frontends that read it.
LEGACY_GRAPH = "stata_graph"
