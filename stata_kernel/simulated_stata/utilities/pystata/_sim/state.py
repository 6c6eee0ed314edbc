"""Everything Stata remembers between runs: macros, scalars, stored results, data, graphs, settings."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any

from .dataset import Dataset
from .fmt import MISSING

STATA_VERSION = 18.0
# c(current_date)/c(current_time) are fixed so that output is deterministic.
CURRENT_DATE = " 1 Jan 2026"
CURRENT_TIME = "12:00:00"


@dataclass
class Results:
    """One of r(), e() or s(): scalars, macros (strings) and matrices (lists of rows)."""

    scalars: dict[str, float] = field(default_factory=dict)
    macros: dict[str, str] = field(default_factory=dict)
    matrices: dict[str, tuple[list[list[float]], list[str], list[str]]] = field(default_factory=dict)

    def clear(self) -> None:
        self.scalars.clear()
        self.macros.clear()
        self.matrices.clear()

    def empty(self) -> bool:
        return not (self.scalars or self.macros or self.matrices)


@dataclass
class Graph:
    name: str
    kind: str  # twoway or histogram
    title: str
    xlabel: str
    ylabel: str
    # layers: (scatter|line|bar, xs, ys); for bars xs are left edges and bin_width their width
    layers: list[tuple[str, list[float], list[float]]]
    bin_width: float = 0.0


@dataclass
class State:
    edition: str = "MP"
    locals: dict[str, str] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)
    scalars: dict[str, float | str] = field(default_factory=dict)
    r: Results = field(default_factory=Results)
    e: Results = field(default_factory=Results)
    s: Results = field(default_factory=Results)
    data: Dataset = field(default_factory=Dataset)
    graphs: dict[str, Graph] = field(default_factory=dict)
    current_graph: str = ""
    gr_list_on: bool = False
    gr_list: list[str] = field(default_factory=list)
    rc: int = 0
    settings: dict[str, str] = field(default_factory=lambda: {"more": "off", "graphics": "on", "linesize": "80"})
    rng: random.Random = field(default_factory=lambda: random.Random(123456789))
    pwd: str = field(default_factory=os.getcwd)

    def c_value(self, name: str) -> float | str:
        n = name.strip()
        table: dict[str, Any] = {
            "N": float(self.data.nobs),
            "k": float(len(self.data.variables)),
            "stata_version": STATA_VERSION,
            "version": STATA_VERSION,
            "edition": "MP" if self.edition == "MP" else self.edition,
            "edition_real": self.edition,
            "MP": 1.0 if self.edition == "MP" else 0.0,
            "SE": 1.0 if self.edition in ("MP", "SE") else 0.0,
            "current_date": CURRENT_DATE,
            "current_time": CURRENT_TIME,
            "pwd": self.pwd,
            "os": "Unix",
            "console": "console",
            "more": self.settings.get("more", "off"),
            "graphics": self.settings.get("graphics", "on"),
            "linesize": float(self.settings.get("linesize", "80")),
            "rc": float(self.rc),
            "pi": 3.141592653589793,
            "maxvar": 5000.0,
            "changed": 1.0 if self.data.changed else 0.0,
            "filename": "",
            "sysdir_stata": os.environ.get("SYSDIR_STATA", ""),
            "username": "simulated",
            "hostname": "simulated",
            "processors": 2.0,
            "mode": "",
            "alpha": "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "level": 95.0,
        }
        if n in table:
            return table[n]
        return MISSING  # unknown c() values are missing
