"""Graph commands: scatter/line/twoway/histogram, graph export|dir|drop|display, _gr_list."""

from __future__ import annotations

import math
import os
import re
from typing import TYPE_CHECKING

from ..errors import StataError
from ..fmt import fmt_g, is_missing
from ..graphs import render_png, render_svg
from ..registry import Registry, Syntax, matching_paren, option, parse_options, parse_syntax
from ..state import Graph
from .data import selected_obs

if TYPE_CHECKING:
    from ..interp import Interpreter

DEFAULT_WIDTH = 600
ASPECT = 4.0 / 5.5  # Stata's default graph is 5.5in x 4in


def _text_option(opts: dict[str, str | None], name: str, min_abbrev: int | None = None) -> str:
    found, value = option(opts, name, min_abbrev)
    if not found or value is None:
        return ""
    value = value.split(",")[0].strip()
    if value.startswith('"') and '"' in value[1:]:
        return value[1 : value.index('"', 1)]
    return value


def _register_graph(interp: Interpreter, g: Graph, opts: dict[str, str | None]) -> None:
    st = interp.state
    found, spec = option(opts, "name")
    if found and spec:
        parts = [p.strip() for p in spec.split(",")]
        name, replace = parts[0], len(parts) > 1 and parts[1].startswith("replace")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StataError(198, f"{name} invalid name")
        if name in st.graphs and not replace:
            raise StataError(110, f"graph {name} already exists")
    else:
        name = "Graph"
    g.name = name
    st.graphs.pop(name, None)
    st.graphs[name] = g
    st.current_graph = name
    if st.gr_list_on and name not in st.gr_list:
        st.gr_list.append(name)


def _xy_layer(interp: Interpreter, kind: str, syn: Syntax) -> tuple[str, list[float], list[float], str, str]:
    ds = interp.state.data
    names = syn.anything.split()
    if len(names) < 2:
        raise StataError(102, "too few variables specified")
    *yvars, xname = names
    xv = ds.get(xname)
    yv = ds.get(yvars[0])
    for v in (xv, yv):
        if v.is_string:
            raise StataError(109, "type mismatch")
    xs: list[float] = []
    ys: list[float] = []
    for i in selected_obs(interp, syn):
        x, y = xv.values[i], yv.values[i]
        if not is_missing(x) and not is_missing(y):
            xs.append(x)
            ys.append(y)
    return kind, xs, ys, xv.label or xv.name, yv.label or yv.name


def _split_twoway(args: str) -> tuple[list[str], str]:
    """`(scatter y x) (line y x), opts` or `scatter y x || line y x, opts` -> plot specs, global options."""
    text = args.strip()
    plots: list[str] = []
    if text.startswith("("):
        i = 0
        while i < len(text) and text[i] == "(":
            j = matching_paren(text, i)
            plots.append(text[i + 1 : j])
            i = j + 1
            while i < len(text) and text[i] == " ":
                i += 1
        rest = text[i:].strip()
        return plots, rest[1:] if rest.startswith(",") else rest
    pieces = [p.strip() for p in text.split("||") if p.strip()]
    last = pieces[-1]
    opts = ""
    if pieces:
        m = _top_comma(last)
        if m >= 0 and len(pieces) > 1:
            opts = last[m + 1 :]
            pieces[-1] = last[:m]
    return pieces, opts


def _top_comma(text: str) -> int:
    depth = 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            return i
    return -1


def _twoway(interp: Interpreter, args: str) -> None:
    plots, global_opts = _split_twoway(args)
    if not plots:
        raise StataError(198, "invalid syntax")
    layers = []
    xlabel = ylabel = ""
    opts: dict[str, str | None] = parse_options(global_opts) if global_opts else {}
    for spec in plots:
        word, _, rest = spec.strip().partition(" ")
        kind = {"scatter": "scatter", "sc": "scatter", "line": "line", "connected": "line"}.get(word)
        if kind is None:
            raise StataError(199, f"twoway {word} is unrecognized" if word else "invalid syntax")
        syn = parse_syntax(rest)
        opts = {**syn.options, **opts}
        k, xs, ys, xl, yl = _xy_layer(interp, kind, syn)
        layers.append((k, xs, ys))
        xlabel = xlabel or xl
        ylabel = ylabel or yl
    g = Graph(
        name="Graph",
        kind="twoway",
        title=_text_option(opts, "title", 2),
        xlabel=_text_option(opts, "xtitle") or xlabel,
        ylabel=_text_option(opts, "ytitle") or ylabel,
        layers=layers,
    )
    _register_graph(interp, g, opts)


def cmd_twoway(interp: Interpreter, args: str) -> None:
    _twoway(interp, args)


def cmd_scatter(interp: Interpreter, args: str) -> None:
    _twoway(interp, "scatter " + args)


def cmd_line(interp: Interpreter, args: str) -> None:
    _twoway(interp, "line " + args)


def cmd_histogram(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    ds = interp.state.data
    names = syn.anything.split()
    if len(names) != 1:
        raise StataError(198 if names else 100, "invalid syntax" if names else "varlist required")
    v = ds.get(names[0])
    if v.is_string:
        raise StataError(109, "type mismatch")
    xs = [v.values[i] for i in selected_obs(interp, syn) if not is_missing(v.values[i])]
    if not xs:
        raise StataError(2000, "no observations")
    n = len(xs)
    found, bins_text = option(syn.options, "bin")
    bins = int(float(bins_text)) if found and bins_text else max(1, int(min(math.sqrt(n), 10 * math.log10(n))))
    lo, hi = min(xs), max(xs)
    width = (hi - lo) / bins if hi > lo else 1.0
    counts = [0] * bins
    for x in xs:
        k = min(int((x - lo) / width), bins - 1) if hi > lo else 0
        counts[k] += 1
    freq, _ = option(syn.options, "frequency", 4)
    pct, _ = option(syn.options, "percent", 4)
    if freq:
        heights = [float(c) for c in counts]
        ylab = "Frequency"
    elif pct:
        heights = [100.0 * c / n for c in counts]
        ylab = "Percent"
    else:
        heights = [c / (n * width) for c in counts]
        ylab = "Density"
    lefts = [lo + k * width for k in range(bins)]
    g = Graph(
        name="Graph",
        kind="histogram",
        title=_text_option(syn.options, "title", 2),
        xlabel=_text_option(syn.options, "xtitle") or v.label or v.name,
        ylabel=_text_option(syn.options, "ytitle") or ylab,
        layers=[("bar", lefts, heights)],
        bin_width=width,
    )
    _register_graph(interp, g, syn.options)
    interp.out(f"(bin={bins}, start={fmt_g(lo)}, width={fmt_g(width, 10)})\n")


def _export(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    st = interp.state
    target = syn.anything.strip().strip('"')
    if not target:
        raise StataError(198, "invalid file specification")
    found, name = option(syn.options, "name")
    gname = (name or "").strip() if found else st.current_graph
    if not st.graphs:
        raise StataError(111, "no graphs in memory" if not found else f"graph {gname} not found")
    if gname not in st.graphs:
        raise StataError(111, f"graph {gname} not found")
    _f_as, as_fmt = option(syn.options, "as")
    ext = (as_fmt or os.path.splitext(target)[1].lstrip(".")).lower()
    if ext not in ("png", "svg"):
        raise StataError(198, f"graph export: format {ext or '(none)'} not supported by the simulated Stata")
    path = os.path.join(st.pwd, os.path.expanduser(target))
    replace, _ = option(syn.options, "replace")
    if os.path.exists(path) and not replace:
        raise StataError(602, f"file {target} already exists")
    fw, wtext = option(syn.options, "width")
    fh, htext = option(syn.options, "height")
    width = int(float(wtext)) if fw and wtext else 0
    height = int(float(htext)) if fh and htext else 0
    if not width and not height:
        width = DEFAULT_WIDTH
    if not width:
        width = round(height / ASPECT)
    if not height:
        height = round(width * ASPECT)
    if width < 50 or height < 50 or width > 8000 or height > 8000:
        raise StataError(198, "width() and height() must be between 50 and 8000 pixels")
    g = st.graphs[gname]
    data = render_png(g, width, height) if ext == "png" else render_svg(g, width, height)
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError:
        raise StataError(603, f"file {target} could not be opened") from None
    interp.out(f"(file {path} written in {ext.upper()} format)\n")


def cmd_graph(interp: Interpreter, args: str) -> None:
    word, _, rest = args.strip().partition(" ")
    st = interp.state
    if word in ("twoway", "tw"):
        _twoway(interp, rest)
    elif word in ("export", "exp"):
        _export(interp, rest)
    elif word == "dir":
        names = list(st.graphs)
        if names:
            interp.out("  " + "  ".join(names) + "\n")
        st.r.clear()
        st.r.macros["list"] = " ".join(names)
    elif word == "drop":
        targets = rest.split()
        if targets == ["_all"]:
            st.graphs.clear()
            st.current_graph = ""
            return
        for t in targets:
            if t not in st.graphs:
                raise StataError(111, f"graph {t} not found")
        for t in targets:
            del st.graphs[t]
        if st.current_graph not in st.graphs:
            st.current_graph = next(reversed(st.graphs), "") if st.graphs else ""
    elif word in ("display", "di"):
        name = rest.split(",")[0].strip() or st.current_graph
        if name not in st.graphs:
            raise StataError(111, f"graph {name} not found")
        st.current_graph = name
    elif word in ("close", "set", "query"):
        return
    elif word in ("bar", "box", "pie", "matrix", "hbar", "dot", "combine"):
        raise StataError(199, f"graph {word} is not available in the simulated Stata")
    else:
        raise StataError(198, f"graph {word} invalid" if word else "invalid syntax")


def cmd_gr_list(interp: Interpreter, args: str) -> None:
    st = interp.state
    word = args.strip()
    if word == "on":
        st.gr_list_on = True
        st.gr_list = []
    elif word == "off":
        st.gr_list_on = False
    elif word == "list":
        st.r.macros["_grlist"] = " ".join(st.gr_list)
    else:
        raise StataError(198, "invalid syntax")


def register(reg: Registry) -> None:
    reg.add("twoway", cmd_twoway, 2)
    reg.add("scatter", cmd_scatter, 2)
    reg.add("line", cmd_line)
    reg.add("histogram", cmd_histogram, 4)
    reg.add("graph", cmd_graph, 2)
    reg.add("_gr_list", cmd_gr_list)
