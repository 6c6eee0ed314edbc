"""Data views for ``%browse``, ``%head``, ``%tail`` and ``%describe``: the data in memory as tables.

Parsing (varlists, ``if``, ``in``, options) is plain Python against the variable names, so a mistake gets
a clear error before Stata is touched. Reading happens on the Stata worker through the engine seam: sfi
reads values, and only an ``if`` condition makes Stata evaluate something (a temporary byte variable,
dropped again at once). Rows are capped (``%set browse_rows``) and the view says when it stopped.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fnmatch
import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .engine import DatasetInfo, Engine, VariableInfo
from .errors import StataLiveError

_MAX_COLUMNS = 100
_CHUNK = 50_000
_SELECT_VAR = "__stlive_sel"
_OPTION = re.compile(r"\s*([A-Za-z]+)\s*(?:\(\s*([^)]*)\s*\))?\s*")
_FORMAT = re.compile(r"%(-)?(\d*)(?:\.(\d+))?([fgetd]\w*?)(c?)$")


class DataViewError(StataLiveError):
    """A data view request the kernel cannot satisfy (bad varlist, range or option)."""


@dataclass(frozen=True)
class ViewRequest:
    varlist: str = ""
    condition: str = ""
    obs_range: str = ""
    limit: int | None = None
    value_labels: bool = True
    from_end: bool = False  # %tail: the last rows rather than the first


@dataclass
class DataView:
    title: str
    variables: list[VariableInfo]
    observations: list[int]  # 0-based
    rows: list[list[Any]]
    total_obs: int
    matched: int
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- parsing


def _top_level_split(text: str, sep: str) -> tuple[str, str | None]:
    """Split at the first ``sep`` outside quotes and parentheses."""
    depth = 0
    quote = False
    for i, ch in enumerate(text):
        if ch == '"':
            quote = not quote
        elif quote:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            return text[:i], text[i + 1 :]
    return text, None


def _keyword_positions(text: str) -> list[tuple[int, str]]:
    """Where the words ``if`` and ``in`` start, outside quotes and parentheses."""
    found = []
    depth = 0
    quote = False
    for i, ch in enumerate(text):
        if ch == '"':
            quote = not quote
        elif quote:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and (i == 0 or text[i - 1].isspace()):
            word = text[i : i + 2]
            after = text[i + 2 : i + 3]
            if word in ("if", "in") and (after == "" or after.isspace()):
                found.append((i, word))
    return found


def parse_browse(args: str, *, default_limit: int | None = None) -> ViewRequest:
    """``[varlist] [if exp] [in range] [, n(#) nolabel]``, in Stata's order-free way for if/in."""
    main, options = _top_level_split(args, ",")
    limit = default_limit
    value_labels = True
    if options is not None:
        rest = options.strip()
        while rest:
            match = _OPTION.match(rest)
            if match is None or not match.group(0):
                raise DataViewError(f"option {rest!r} not allowed; options: n(#), nolabel")
            name, value = match.group(1).lower(), match.group(2)
            if name in ("n", "obs") and value is not None:
                try:
                    limit = int(value)
                except ValueError:
                    raise DataViewError(f"n() needs a whole number, not {value!r}") from None
                if limit < 1:
                    raise DataViewError("n() must be at least 1")
            elif name in ("nolabel", "nol", "nola", "nolab", "nolabe") and value is None:
                value_labels = False
            else:
                raise DataViewError(f"option {match.group(0).strip()} not allowed; options: n(#), nolabel")
            rest = rest[match.end() :]
    positions = _keyword_positions(main)
    varlist = main[: positions[0][0]] if positions else main
    condition = obs_range = ""
    for k, (start, word) in enumerate(positions):
        end = positions[k + 1][0] if k + 1 < len(positions) else len(main)
        text = main[start + 2 : end].strip()
        if not text:
            raise DataViewError(f"'{word}' needs {'an expression' if word == 'if' else 'a range'} after it")
        if word == "if":
            if condition:
                raise DataViewError("only one 'if' allowed")
            condition = text
        else:
            if obs_range:
                raise DataViewError("only one 'in' allowed")
            obs_range = text
    return ViewRequest(varlist.strip(), condition, obs_range, limit, value_labels)


def parse_count(args: str, what: str) -> int | None:
    text = args.strip()
    if not text:
        return None
    try:
        n = int(text)
    except ValueError:
        raise DataViewError(f"%{what} takes a number of rows, not {text!r}") from None
    if n < 1:
        raise DataViewError(f"%{what} needs at least 1 row")
    return n


def expand_varlist(varlist: str, names: list[str]) -> list[str]:
    """Stata varlist rules: exact names, unique abbreviations, ``*``/``?``/``~`` wildcards, ``a-b`` ranges."""
    result: list[str] = []
    tokens = re.sub(r"\s*-\s*", "-", varlist.strip()).split()
    for token in tokens:
        if "-" in token and not any(c in token for c in "*?~"):
            first, _, last = token.partition("-")
            i, j = names.index(_one_name(first, names)), names.index(_one_name(last, names))
            if j < i:
                raise DataViewError(f"{token}: {last} comes before {first} in the dataset")
            chosen = names[i : j + 1]
        elif any(c in token for c in "*?~"):
            pattern = token.replace("~", "*")
            chosen = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
            if not chosen:
                raise DataViewError(f"variable {token} not found")
            if "~" in token and len(chosen) > 1:
                raise DataViewError(f"{token} ambiguous abbreviation")
        else:
            chosen = [_one_name(token, names)]
        result.extend(n for n in chosen if n not in result)
    return result


def _one_name(token: str, names: list[str]) -> str:
    if token in names:
        return token
    if not re.fullmatch(r"[A-Za-z_]\w*", token):
        raise DataViewError(f"{token} invalid name")
    candidates = [n for n in names if n.startswith(token)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise DataViewError(f"{token} ambiguous abbreviation")
    raise DataViewError(f"variable {token} not found")


def parse_range(text: str, n_obs: int) -> tuple[int, int]:
    """Stata ``in`` range (1-based, inclusive, ``f``/``l``, negative counts from the end) → 0-based slice."""

    def position(word: str) -> int:
        w = word.strip().lower()
        if w in ("f", "first"):
            return 1
        if w in ("l", "last"):
            return n_obs
        try:
            value = int(w)
        except ValueError:
            raise DataViewError(f"'{word}' invalid observation number") from None
        if value < 0:
            value = n_obs + 1 + value
        if value == 0:
            raise DataViewError("observation numbers start at 1")
        return value

    first_text, _, last_text = text.partition("/")
    first = position(first_text)
    last = position(last_text) if last_text else first
    if first < 1 or last > n_obs or first > last:
        raise DataViewError(f"Obs. nos. out of range: in {text.strip()} (the data have {n_obs:,} observations)")
    return first - 1, last


# ------------------------------------------------------------------------------------------ reading


def _discard(_: str) -> None:
    pass


def read_view(engine: Engine, request: ViewRequest, row_cap: int, title: str) -> DataView:
    """Collect the rows of a view; runs on the Stata worker thread."""
    info = engine.dataset()
    names = [v.name for v in info.variables]
    if not names:
        return DataView(title, [], [], [], info.n_obs, 0, ["no variables in memory"])
    chosen = expand_varlist(request.varlist, names) if request.varlist else names
    notes: list[str] = []
    if len(chosen) > _MAX_COLUMNS:
        notes.append(f"showing the first {_MAX_COLUMNS} of {len(chosen)} variables; name the ones you want")
        chosen = chosen[:_MAX_COLUMNS]
    by_name = {v.name: v for v in info.variables}
    variables = [by_name[n] for n in chosen]
    lo, hi = parse_range(request.obs_range, info.n_obs) if request.obs_range else (0, info.n_obs)
    wanted = min(request.limit or row_cap, row_cap)
    if request.limit and request.limit > row_cap:
        notes.append(f"{request.limit:,} rows asked for, above the row cap of {row_cap:,}: "
                     f"%set browse_rows {request.limit} to see them")
    if request.condition:
        select_var = next(f"{_SELECT_VAR}{i or ''}" for i in range(len(names) + 1)
                          if f"{_SELECT_VAR}{i or ''}" not in by_name)
        matched, observations = _select(engine, request, select_var, lo, hi, wanted)
    else:
        matched = hi - lo
        span = range(hi - wanted, hi) if request.from_end else range(lo, lo + wanted)
        observations = [i for i in span if lo <= i < hi]
    if len(observations) < matched:
        what = "matching observations" if request.condition else "observations"
        if request.obs_range and not request.condition:
            what += f" in {request.obs_range}"
        notes.append(f"showing {len(observations):,} of {matched:,} {what}"
                     f"{'' if request.limit else f' (row cap {row_cap}: %set browse_rows N to change)'}")
    rows = engine.data_values(chosen, observations, value_labels=request.value_labels)
    return DataView(title, variables, observations, rows, info.n_obs, matched, notes)


def _changed_flag(engine: Engine) -> float | None:
    """Stata's c(changed) (1: data changed since last saved), through sfi or, failing that, display."""
    try:
        value = engine.scalar_value("c(changed)")
    except Exception:
        value = None
    if value is None:
        try:
            value = float(engine.capture("display c(changed)").strip())
        except (StataLiveError, ValueError):
            value = None
    return value


def _select(engine: Engine, request: ViewRequest, select_var: str, lo: int, hi: int,
            wanted: int) -> tuple[int, list[int]]:
    """Observations in [lo, hi) where the condition holds: Stata evaluates it into a temporary variable."""
    if hi <= lo:
        return 0, []
    changed = _changed_flag(engine)
    engine.run(f"quietly generate byte {select_var} = ({request.condition}) in {lo + 1}/{hi}", _discard,
               quietly=True)
    selected: list[int] = []
    try:
        for start in range(lo, hi, _CHUNK):
            obs = list(range(start, min(start + _CHUNK, hi)))
            column = engine.data_values([select_var], obs)
            selected.extend(i for i, row in zip(obs, column, strict=True) if row and row[0] not in (None, 0))
    finally:
        engine.run(f"quietly drop {select_var}", _discard, quietly=True)
        if changed == 0:  # the temporary variable must not leave the data marked as changed
            with contextlib.suppress(StataLiveError):
                engine.run("capture mata: st_updata(0)", _discard, quietly=True)
    chosen = selected[-wanted:] if request.from_end else selected[:wanted]
    return len(selected), chosen


# ---------------------------------------------------------------------------------------- rendering

Formatter = Callable[[Any], str]


def value_formatter(fmt: str) -> Formatter:
    """A Python rendering of common Stata display formats (%9.0g, %8.2f, %9.0gc, %td, %-18s...)."""
    match = _FORMAT.match(fmt.strip())
    kind = match.group(4) if match else ""
    width = int(match.group(2)) if match and match.group(2) else 9
    decimals = int(match.group(3)) if match and match.group(3) else None
    commas = bool(match and match.group(5))

    def render(value: Any) -> str:
        if value is None:
            return "."
        if isinstance(value, str):
            return value
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            return str(value)
        x = float(value)
        if kind.startswith("td") or kind == "d":
            try:
                return (_dt.date(1960, 1, 1) + _dt.timedelta(days=int(x))).strftime("%d%b%Y").lower()
            except (OverflowError, ValueError):
                return f"{x:g}"
        if kind == "f" and decimals is not None:
            return f"{x:,.{decimals}f}" if commas else f"{x:.{decimals}f}"
        if kind == "e" and decimals is not None:
            return f"{x:.{decimals}e}"
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}" if commas else str(int(x))
        text = f"{x:.{max(1, min(width - 2, 15))}g}"
        return text[1:] if text.startswith("0.") else ("-" + text[2:] if text.startswith("-0.") else text)

    return render


def render_view(view: DataView) -> tuple[str, str]:
    """HTML and plain-text tables for a view (numbers right-aligned, as Stata lists them)."""
    formatters = [value_formatter(v.format) for v in view.variables]
    numeric = [not v.type.startswith("str") for v in view.variables]
    cells = [[fmt(value) for fmt, value in zip(formatters, row, strict=False)] for row in view.rows]
    header_note = (f"{view.total_obs:,} observations, {len(view.variables)} variables shown"
                   if view.variables else "")
    notes = [*view.notes]
    if view.variables and not view.rows:
        notes.append("no observations to show")

    parts = [f'<div class="stata-data-view"><p><b>{html.escape(view.title)}</b> '
             f"<small>{html.escape(header_note)}</small></p>",
             # long tables scroll inside the output instead of pushing the notebook apart
             '<div style="max-height:32em;overflow:auto">',
             '<table class="stata-data"><thead><tr><th style="text-align:right">#</th>']
    for v in view.variables:
        title = f' title="{html.escape(v.label)}"' if v.label else ""
        parts.append(f"<th{title}>{html.escape(v.name)}</th>")
    parts.append("</tr></thead><tbody>")
    for obs, row in zip(view.observations, cells, strict=False):
        parts.append(f'<tr><th style="text-align:right">{obs + 1}</th>')
        for text, is_num in zip(row, numeric, strict=False):
            align = ' style="text-align:right"' if is_num else ' style="text-align:left"'
            parts.append(f"<td{align}>{html.escape(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    parts.extend(f"<p><i>{html.escape(note)}</i></p>" for note in notes)
    parts.append("</div>")

    columns = [["", *[f"{obs + 1}." for obs in view.observations]]]
    columns += [[v.name, *[row[j] for row in cells]] for j, v in enumerate(view.variables)]
    widths = [max(len(c) for c in col) for col in columns]
    aligned_right = [True, *numeric]
    lines = [f"{view.title}: {header_note}" if header_note else view.title]
    for r in range(len(columns[0])):
        cols = []
        for col, width, right in zip(columns, widths, aligned_right, strict=False):
            cols.append(col[r].rjust(width) if right else col[r].ljust(width))
        lines.append("  ".join(cols).rstrip())
    lines.extend(f"({note})" for note in notes)
    return "".join(parts), "\n".join(lines)


def render_describe(info: DatasetInfo) -> tuple[str, str]:
    """A ``describe``-style summary: observations, variables, and each variable's type, format and label."""
    head = f"Observations: {info.n_obs:,}    Variables: {info.n_vars:,}"
    rows = [(v.name, v.type, v.format, v.label) for v in info.variables]
    parts = [f'<div class="stata-describe"><p><b>{html.escape(head)}</b></p>',
             '<table class="stata-data"><thead><tr><th>Variable</th><th>Type</th><th>Format</th>'
             "<th>Label</th></tr></thead><tbody>"]
    for row in rows:
        parts.append("<tr>" + "".join(f'<td style="text-align:left">{html.escape(c)}</td>' for c in row)
                     + "</tr>")
    parts.append("</tbody></table></div>")
    titles = ("Variable", "Type", "Format", "Label")
    widths = [max([len(t), *[len(r[k]) for r in rows]]) for k, t in enumerate(titles)]
    lines = [head, "", "  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "".join(parts), "\n".join(lines)
