"""The dataset in memory: variables as Python lists, with types, formats, labels and value labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import StataError
from .fmt import MISSING


@dataclass
class Variable:
    name: str
    type: str  # byte int long float double strN
    format: str
    values: list[Any]
    label: str = ""
    value_label: str = ""

    @property
    def is_string(self) -> bool:
        return self.type.startswith("str")


@dataclass
class Dataset:
    variables: list[Variable] = field(default_factory=list)
    nobs: int = 0
    label: str = ""
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    sorted_by: list[str] = field(default_factory=list)
    changed: bool = False

    def clear(self) -> None:
        self.variables.clear()
        self.nobs = 0
        self.label = ""
        self.value_labels.clear()
        self.sorted_by.clear()
        self.changed = False

    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def find(self, name: str) -> Variable | None:
        """Exact name, else a unique abbreviation (Stata's varabbrev on)."""
        for v in self.variables:
            if v.name == name:
                return v
        matches = [v for v in self.variables if v.name.startswith(name)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise StataError(111, f"{name} ambiguous abbreviation")
        return None

    def get(self, name: str) -> Variable:
        v = self.find(name)
        if v is None:
            raise StataError(111, f"variable {name} not found")
        return v

    def index_of(self, name: str) -> int:
        v = self.get(name)
        return self.variables.index(v)

    def set_obs(self, n: int) -> None:
        if n < self.nobs:
            raise StataError(198, f"observations must be at least {self.nobs}")
        for v in self.variables:
            v.values.extend(["" if v.is_string else MISSING] * (n - self.nobs))
        self.nobs = n
        self.changed = True

    def add(self, var: Variable) -> None:
        if self.find_exact(var.name) is not None:
            raise StataError(110, f"variable {var.name} already defined")
        self.variables.append(var)
        self.changed = True

    def find_exact(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def expand_varlist(self, text: str, allow_empty_all: bool = True) -> list[Variable]:
        """Resolve a varlist: names, abbreviations, `*` wildcards, `a-b` ranges, `_all`."""
        tokens = text.replace(" - ", "-").split()
        if not tokens:
            return list(self.variables) if allow_empty_all else []
        out: list[Variable] = []
        for tok in tokens:
            if tok == "_all":
                out.extend(self.variables)
            elif "*" in tok or "?" in tok:
                import fnmatch

                hits = [v for v in self.variables if fnmatch.fnmatchcase(v.name, tok)]
                if not hits:
                    raise StataError(111, f"variable {tok} not found")
                out.extend(hits)
            elif "-" in tok and not tok.startswith("-"):
                a, b = tok.split("-", 1)
                ia, ib = self.index_of(a), self.index_of(b)
                out.extend(self.variables[min(ia, ib) : max(ia, ib) + 1])
            else:
                out.append(self.get(tok))
        seen: list[Variable] = []
        for v in out:
            if v not in seen:
                seen.append(v)
        return seen
