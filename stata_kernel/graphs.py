"""Graphs a run made, found with Stata's ``_gr_list`` and exported in the formats the settings ask for.

Only engine calls here; the kernel decides how to show the files. Listing costs two Stata round trips
(``_gr_list on`` before, ``_gr_list list`` after), so :func:`might_make_graphs` spares them for cells that
cannot draw: every per-cell cost shows in the notebook's responsiveness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .engine import Engine
from .scratch import ScratchDir
from .settings import KernelSettings
from .syntax import resolve_command, strip_prefixes

# First words of commands that draw graphs (any abbreviation), after quietly/capture/by prefixes;
# cells running do-files or `... using` may draw too.
_GRAPH_WORDS = re.compile(
    r"(?im)^[ \t{]*(?:(?:qui\w*|noi\w*|n|cap\w*|by\w*[^:\n]*:|bys\w*[^:\n]*:)\s*:?\s*)*"
    r"(?:gr\w*|tw\w*|sc|scat\w*|line|hist\w*|kdens\w*|binscatter\w*|coefplot|marginsplot|rvfplot|"
    r"rvpplot|avplots?|lvr2plot|lowess|qnorm|pnorm|qqplot|spikeplot|dotplot|stripplot|sunflower|"
    r"tsline|xtline|sts|stcurve|ac|pac|cumul|do|ru|run|include|[a-z_]\w*\s[^\n]*\busing)\b"
)
_FIRST_WORD = re.compile(r"[A-Za-z_]\w*")
# Beyond this size a cell is long-running anyway; two extra round trips cost nothing in comparison.
_SCAN_LIMIT = 65_536
_MEDIA = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def might_make_graphs(code: str) -> bool:
    """Cheap check that spares the ``_gr_list`` round trips for cells that cannot draw.

    True for graph commands and do-files, and for commands this kernel does not know: a user-written
    program (``program define myplot``) can draw just like ``scatter``.
    """
    if _GRAPH_WORDS.search(code) or len(code) > _SCAN_LIMIT:
        return True
    for line in code.splitlines():
        _, rest = strip_prefixes(line)
        match = _FIRST_WORD.match(rest.lstrip("{ \t"))
        if match is not None and resolve_command(match.group(0)) is None:
            return True
    return False


def media_type(fmt: str) -> str:
    return _MEDIA[fmt]


@dataclass
class ExportedGraph:
    name: str
    images: dict[str, bytes] = field(default_factory=dict)  # format -> file content
    errors: dict[str, str] = field(default_factory=dict)  # format -> why the export failed

    @property
    def png(self) -> bytes | None:
        return self.images.get("png")

    @property
    def svg(self) -> str | None:
        data = self.images.get("svg")
        return None if data is None else data.decode("utf-8", "replace")


def _discard(_: str) -> None:
    pass


class GraphExporter:
    def __init__(self, settings: KernelSettings) -> None:
        self.settings = settings
        self._dir = ScratchDir("stata-live-graphs-")
        self._counter = 0
        self.listings = 0  # how many cells paid for graph listing (tests check the heuristic with it)

    def start_listing(self, engine: Engine) -> None:
        self.listings += 1
        engine.run("_gr_list on", _discard, quietly=True)

    def _size_options(self) -> str:
        width, height = self.settings.graph_width, self.settings.graph_height
        return f" width({width})" + (f" height({height})" if height else "")

    def collect(self, engine: Engine) -> list[ExportedGraph]:
        """Export every graph made since :meth:`start_listing`; runs on the Stata worker thread."""
        try:
            engine.run("_gr_list list", _discard, quietly=True)
            names = list(dict.fromkeys(engine.global_macro("r(_grlist)").split()))
        finally:
            engine.run("_gr_list off", _discard, quietly=True)
        graphs = []
        for name in names:
            graph = ExportedGraph(name)
            for fmt in self.settings.formats():
                self._counter += 1
                path = self._dir.path / f"graph{self._counter}.{fmt}"
                size = self._size_options() if fmt in ("png", "svg") else ""
                try:
                    engine.run(f'graph export "{path}", name({name}) replace{size}', _discard, quietly=True)
                    graph.images[fmt] = path.read_bytes()
                except Exception as exc:  # a failed export is reported with the graph, not raised
                    graph.errors[fmt] = str(exc).strip() or type(exc).__name__
                finally:
                    path.unlink(missing_ok=True)
            graphs.append(graph)
        return graphs
