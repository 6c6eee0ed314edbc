"""Graphs a run made, found with Stata's ``_gr_list`` and exported as PNG and SVG.

Only engine calls here; the kernel decides how to show the files.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine

# First words of commands that draw graphs; cells running do-files or programs may draw too.
_GRAPH_WORDS = re.compile(
    r"(?im)^\s*(?:(?:qui|quietly|noi|noisily|cap|capture)\w*\s*:?\s+)*"
    r"(?:gr|gra|grap|graph|tw|two|twoway|sc|scatter|line|hist|histogram|kdensity|binscatter|coefplot|"
    r"marginsplot|rvfplot|rvpplot|avplot|avplots|lvr2plot|lowess|qnorm|pnorm|qqplot|spikeplot|dotplot|"
    r"stripplot|sunflower|tsline|xtline|sts|stcurve|ac|pac|cumul|do|run|include|[a-z_]\w*\s+using)\b"
)


def might_make_graphs(code: str) -> bool:
    """Cheap check that spares the ``_gr_list`` round trips for cells that cannot draw."""
    return bool(_GRAPH_WORDS.search(code))


@dataclass
class ExportedGraph:
    name: str
    png: bytes | None = None
    svg: str | None = None
    errors: list[str] = field(default_factory=list)


def _discard(_: str) -> None:
    pass


class GraphExporter:
    def __init__(self, width_px: int = 600, formats: tuple[str, ...] = ("png", "svg")) -> None:
        self.width_px = width_px
        self.formats = formats
        self._dir = Path(tempfile.mkdtemp(prefix="stata-live-graphs-"))
        self._counter = 0

    def start_listing(self, engine: Engine) -> None:
        engine.run("_gr_list on", _discard, quietly=True)

    def collect(self, engine: Engine) -> list[ExportedGraph]:
        """Export every graph made since :meth:`start_listing`; runs on the Stata worker thread."""
        engine.run("_gr_list list", _discard, quietly=True)
        names = engine.global_macro("r(_grlist)").split()
        engine.run("_gr_list off", _discard, quietly=True)
        graphs = []
        for name in names:
            graph = ExportedGraph(name)
            for fmt in self.formats:
                self._counter += 1
                path = self._dir / f"graph{self._counter}.{fmt}"
                size = f" width({self.width_px})" if fmt == "png" else ""
                try:
                    engine.run(f'graph export "{path}", name({name}) replace{size}', _discard, quietly=True)
                    data = path.read_bytes()
                except Exception as exc:  # a failed export is reported with the graph, not raised
                    graph.errors.append(f"{fmt}: {exc}")
                    continue
                finally:
                    path.unlink(missing_ok=True)
                if fmt == "png":
                    graph.png = data
                else:
                    graph.svg = data.decode("utf-8", "replace")
            graphs.append(graph)
        return graphs
