"""Kernel settings a user can change from a notebook with ``%set`` (graph format and size, echo, row cap).

Kept apart from the magics so the kernel, the graph exporter and the data views read one typed object,
and so ``%set`` validation is testable without a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .errors import StataLiveError

GRAPH_FORMATS = ("both", "png", "svg", "pdf")


class SettingError(StataLiveError):
    """A ``%set`` name or value the kernel does not accept."""


@dataclass
class KernelSettings:
    """What ``%set`` changes. Defaults are chosen to match what a Stata log shows.

    ``echo`` defaults to on: multi-line cells show pystata's ``. command`` echo lines, exactly as a Stata
    log of the same do-file would, so output stays attributable to its command. ``%%noecho`` or
    ``%set echo off`` hides them.
    """

    graph_format: str = "both"
    graph_width: int = 600
    graph_height: int = 0
    echo: bool = True
    browse_rows: int = 200

    _HELP = {
        "graph_format": "both | png | svg | pdf: what inline graphs carry (both = PNG and SVG)",
        "graph_width": "pixels, 50-8000: width of inline graphs",
        "graph_height": "pixels, 50-8000, or 0/auto: height of inline graphs (auto keeps Stata's aspect)",
        "echo": "on | off: show the '. command' echo lines of multi-line cells (default on, like a log)",
        "browse_rows": "1-100000: most rows %browse/%head/%tail show before saying they stopped",
    }

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def describe(cls, name: str) -> str:
        return cls._HELP[name]

    def shown(self, name: str) -> str:
        value = getattr(self, name)
        if isinstance(value, bool):
            return "on" if value else "off"
        if name == "graph_height" and value == 0:
            return "auto"
        return str(value)

    def set(self, name: str, value: str) -> None:
        """Parse and store one setting; raise :class:`SettingError` saying what is accepted."""
        key = name.strip().lower().replace("-", "_")
        if key not in self.names():
            raise SettingError(f"unknown setting {name!r}; settings: {', '.join(self.names())}")
        raw = value.strip().strip('"').lower()
        if key == "graph_format":
            if raw not in GRAPH_FORMATS:
                raise SettingError(f"graph_format must be one of {', '.join(GRAPH_FORMATS)}, not {value!r}")
            self.graph_format = raw
        elif key == "echo":
            if raw not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
                raise SettingError(f"echo must be on or off, not {value!r}")
            self.echo = raw in ("on", "true", "1", "yes")
        elif key == "graph_height" and raw in ("0", "auto"):
            self.graph_height = 0
        else:
            low, high = (1, 100_000) if key == "browse_rows" else (50, 8000)
            try:
                number = int(raw)
            except ValueError:
                raise SettingError(f"{key} must be a whole number, not {value!r}") from None
            if not low <= number <= high:
                raise SettingError(f"{key} must be between {low} and {high}, not {number}")
            setattr(self, key, number)

    def formats(self) -> tuple[str, ...]:
        """Graph export formats, in the order they are exported."""
        return ("png", "svg") if self.graph_format == "both" else (self.graph_format,)
