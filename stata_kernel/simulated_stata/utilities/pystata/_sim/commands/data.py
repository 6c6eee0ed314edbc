"""Data commands: sysuse/use/save/clear, describe, summarize, list, count, tabulate, generate/replace, ..."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from .. import stats
from ..autodata import load_auto
from ..dataset import Dataset, Variable
from ..errors import StataError
from ..fmt import MISSING, fmt_g, format_number, is_missing
from ..registry import Registry, Syntax, check_options, option, parse_syntax

if TYPE_CHECKING:
    from ..interp import Interpreter

SEP = "-" * 79


def selected_obs(interp: Interpreter, syn: Syntax) -> list[int]:
    """Observation indices satisfying `if` and `in`."""
    ds = interp.state.data
    n = ds.nobs
    lo, hi = 0, n
    if syn.in_range:
        lo, hi = _parse_in(syn.in_range, n)
    obs = range(lo, hi)
    if syn.if_exp:
        f = interp.compile(syn.if_exp)
        out = []
        for i in obs:
            v = f(i)
            if isinstance(v, str):
                raise StataError(109, "type mismatch")
            if v != 0:
                out.append(i)
        return out
    return list(obs)


def _parse_in(text: str, n: int) -> tuple[int, int]:
    def one(tok: str) -> int:
        tok = tok.strip().lower()
        if tok in ("f", "first"):
            return 1
        if tok in ("l", "last"):
            return n
        try:
            k = int(tok)
        except ValueError:
            raise StataError(198, f"'{tok}' found where number expected") from None
        return n + k + 1 if k < 0 else k

    a, _, b = text.partition("/")
    first = one(a)
    last = one(b) if b else first
    if first < 1 or last > n or first > last:
        raise StataError(198, "Obs. nos. out of range")
    return first - 1, last


def _need_data_clear(interp: Interpreter, syn: Syntax) -> None:
    ds = interp.state.data
    found, _ = option(syn.options, "clear")
    if ds.changed and ds.variables and not found:
        raise StataError(4, "no; dataset in memory has changed since last saved")


def cmd_sysuse(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    name = syn.anything.strip().strip('"')
    if name.endswith(".dta"):
        name = name[:-4]
    if name in ("dir", ""):
        interp.out("  auto.dta\n")
        return
    if name != "auto":
        raise StataError(601, f'file "{name}.dta" not found')
    _need_data_clear(interp, syn)
    load_auto(interp.state.data)
    interp.out("(1978 automobile data)\n")


def cmd_clear(interp: Interpreter, args: str) -> None:
    what = args.strip()
    interp.state.data.clear()
    if what in ("all", "*"):
        interp.state.scalars.clear()
        interp.state.r.clear()
        interp.state.e.clear()
        interp.state.graphs.clear()
    elif what in ("results",):
        interp.state.r.clear()
        interp.state.e.clear()


def _data_path(interp: Interpreter, name: str) -> str:
    name = name.strip().strip('"')
    if not os.path.splitext(name)[1]:
        name += ".dta"
    return os.path.join(interp.state.pwd, os.path.expanduser(name))


def cmd_save(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    if not syn.anything:
        raise StataError(198, "invalid file specification")
    path = _data_path(interp, syn.anything)
    replace, _ = option(syn.options, "replace")
    if os.path.exists(path) and not replace:
        raise StataError(602, f"file {path} already exists")
    ds = interp.state.data
    payload = {
        "format": "stata-live-simulated-dataset",
        "label": ds.label,
        "nobs": ds.nobs,
        "value_labels": {k: [[v, lab] for v, lab in d.items()] for k, d in ds.value_labels.items()},
        "variables": [
            {
                "name": v.name,
                "type": v.type,
                "format": v.format,
                "label": v.label,
                "value_label": v.value_label,
                "values": [None if isinstance(x, float) and is_missing(x) else x for x in v.values],
            }
            for v in ds.variables
        ],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f)
    ds.changed = False
    interp.out(f"file {path} saved\n")


def cmd_use(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    path = _data_path(interp, syn.anything)
    if not os.path.isfile(path):
        raise StataError(601, f"file {path} not found")
    _need_data_clear(interp, syn)
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
        if payload.get("format") != "stata-live-simulated-dataset":
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise StataError(610, f"file {path} not Stata format") from None
    ds = interp.state.data
    ds.clear()
    for v in payload["variables"]:
        values = [MISSING if x is None else x for x in v["values"]]
        ds.variables.append(Variable(v["name"], v["type"], v["format"], values, v["label"], v["value_label"]))
    ds.value_labels = {k: {float(a): b for a, b in pairs} for k, pairs in payload["value_labels"].items()}
    ds.nobs = payload["nobs"]
    ds.label = payload["label"]
    if ds.label:
        interp.out(f"({ds.label})\n")


def cmd_describe(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    ds = interp.state.data
    variables = ds.expand_varlist(syn.anything)
    lines = []
    if not syn.anything:
        lines.append("\nContains data" + (" from auto.dta (simulated)" if ds.label.startswith("1978") else ""))
        lines.append(f" Observations:{ds.nobs:>14,}                  {ds.label}".rstrip())
        lines.append(f"    Variables:{len(ds.variables):>14,}                  ".rstrip())
    lines.append(SEP)
    lines.append("Variable      Storage   Display    Value")
    lines.append("    name         type    format    label      Variable label")
    lines.append(SEP)
    for v in variables:
        name = v.name if len(v.name) <= 15 else v.name[:13] + "~" + v.name[-1]
        row = f"{name:<15} {v.type:<7} {v.format:<10} {v.value_label:<10} {v.label}"
        lines.append(row.rstrip())
    lines.append(SEP)
    if not syn.anything:
        lines.append("Sorted by: " + " ".join(ds.sorted_by) if ds.sorted_by else "Sorted by: ")
        if ds.changed:
            lines.append("     Note: Dataset has changed since last saved.")
    interp.out("\n".join(lines) + "\n")
    interp.state.r.clear()
    interp.state.r.scalars.update({"N": float(ds.nobs), "k": float(len(ds.variables)), "width": 0.0})
    interp.state.r.scalars["changed"] = 1.0 if ds.changed else 0.0


def _numeric(values: list[Any], obs: list[int]) -> list[float]:
    return [values[i] for i in obs]


def cmd_summarize(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    check_options(syn.options, [("detail", 1), ("meanonly", 5), ("separator", 3), ("format", 6)])
    ds = interp.state.data
    if not ds.variables:
        raise StataError(111, "no variables defined")
    variables = ds.expand_varlist(syn.anything)
    obs = selected_obs(interp, syn)
    detail, _ = option(syn.options, "detail", 1)
    meanonly, _ = option(syn.options, "meanonly", 5)
    r = interp.state.r
    header = "    Variable |        Obs        Mean    Std. dev.       Min        Max\n" + "-" * 13 + "+" + "-" * 57
    rows: list[str] = []
    result: dict[str, float] = {}
    for v in variables:
        if v.is_string:
            result = {"N": 0.0, "sum_w": 0.0, "sum": 0.0}
            rows.append(f"{_abbrev(v.name, 12):>12} |{0:>11}")
            continue
        values = _numeric(v.values, obs)
        result = stats.summarize(values, detail=detail)
        if detail and not meanonly:
            rows.append(_detail_table(v, values, result))
            continue
        n = int(result["N"])
        if n == 0:
            rows.append(f"{_abbrev(v.name, 12):>12} |{0:>11}")
        else:
            rows.append(
                f"{_abbrev(v.name, 12):>12} |{n:>11}{fmt_g(result['mean']):>12}{fmt_g(result['sd']):>12}"
                f"{fmt_g(result['min']):>11}{fmt_g(result['max']):>11}"
            )
    r.clear()
    if meanonly:
        result = {k: result[k] for k in ("N", "sum_w", "mean", "min", "max", "sum") if k in result}
    r.scalars.update(result)
    if meanonly:
        return
    if detail:
        interp.out("".join(rows))
    else:
        interp.out("\n" + header + "\n" + "\n".join(rows) + "\n")


def _detail_table(v: Variable, values: list[float], res: dict[str, float]) -> str:
    xs = sorted(x for x in values if not is_missing(x))
    title = v.label or v.name
    out = [f"\n{title:^61}".rstrip(), "-" * 61, "      Percentiles      Smallest"]
    small = [*xs[:4], *[MISSING] * 4][:4]
    large = [*[MISSING] * 4, *xs[-4:]][-4:]
    g = fmt_g
    n = int(res["N"])
    if n == 0:
        return "\n".join(out) + "\n"
    pct = [("1%", "p1"), ("5%", "p5"), ("10%", "p10"), ("25%", "p25")]
    side = [("", ""), ("", ""), ("Obs", f"{n:,}"), ("Sum of wgt.", f"{n:,}")]
    for (lab, key), sm, (sl, sv) in zip(pct, small, side, strict=True):
        line = f"{lab:>3}{g(res[key]):>13}{g(sm):>15}"
        if sl:
            line += f"       {sl:<11}{sv:>12}"
        out.append(line)
    out.append("")
    out.append(f"{'50%':>3}{g(res['p50']):>13}{'':>15}       {'Mean':<11}{g(res['mean']):>12}")
    out.append(f"{'':>3}{'':>13}{'Largest':>15}       {'Std. dev.':<11}{g(res['sd']):>12}")
    tail = [
        ("75%", "p75", "", ""),
        ("90%", "p90", "Variance", g(res["Var"])),
        ("95%", "p95", "Skewness", g(res["skewness"])),
        ("99%", "p99", "Kurtosis", g(res["kurtosis"])),
    ]
    for (lab, key, sl, sv), lg in zip(tail, large, strict=True):
        line = f"{lab:>3}{g(res[key]):>13}{g(lg):>15}"
        if sl:
            line += f"       {sl:<11}{sv:>12}"
        out.append(line)
    return "\n".join(out) + "\n"


def _abbrev(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 2] + "~" + name[-1]


def _cell(ds: Dataset, v: Variable, x: Any) -> str:
    if v.is_string:
        return str(x)
    if v.value_label and not is_missing(x):
        lab = ds.value_labels.get(v.value_label, {}).get(x)
        if lab is not None:
            return lab
    return format_number(x, v.format).strip()


def cmd_list(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    ds = interp.state.data
    if not ds.variables:
        raise StataError(111, "no variables defined")
    variables = ds.expand_varlist(syn.anything)
    obs = selected_obs(interp, syn)
    if not obs or not variables:
        return
    cells = [[_cell(ds, v, v.values[i]) for v in variables] for i in obs]
    widths = [max(len(v.name), *(len(row[j]) for row in cells)) for j, v in enumerate(variables)]
    numeric = [not v.is_string and not v.value_label for v in variables]
    inner = "   ".join(
        (v.name.rjust(w) if num else v.name.ljust(w)) for v, w, num in zip(variables, widths, numeric, strict=True)
    )
    width = len(inner) + 2
    pad = " " * 5
    lines = ["", pad + "+" + "-" * width + "+", pad + "| " + inner + " |", pad + "|" + "-" * width + "|"]
    for k, (i, row) in enumerate(zip(obs, cells, strict=True)):
        if k and k % 5 == 0:
            lines.append(pad + "|" + "-" * width + "|")
        text = "   ".join((c.rjust(w) if num else c.ljust(w)) for c, w, num in zip(row, widths, numeric, strict=True))
        lines.append(f"{i + 1:>3}. | {text} |")
        if len(lines) >= 50:  # write in blocks: long listings stream and stay breakable
            interp.check_break()
            interp.out("\n".join(lines) + "\n")
            lines = []
    lines.append(pad + "+" + "-" * width + "+")
    interp.out("\n".join(lines) + "\n")


def cmd_count(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    n = len(selected_obs(interp, syn))
    interp.state.r.clear()
    interp.state.r.scalars["N"] = float(n)
    interp.out(f"  {n:,}\n")


def cmd_tabulate(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    ds = interp.state.data
    names = syn.anything.split()
    if len(names) != 1:
        raise StataError(198, "only one-way tables are simulated" if len(names) > 1 else "varlist required")
    v = ds.get(names[0])
    obs = selected_obs(interp, syn)
    missing_opt, _ = option(syn.options, "missing", 1)
    counts: dict[Any, int] = {}
    for i in obs:
        x = v.values[i]
        if not v.is_string and is_missing(x) and not missing_opt:
            continue
        if v.is_string and x == "" and not missing_opt:
            continue
        counts[x] = counts.get(x, 0) + 1
    total = sum(counts.values())
    interp.state.r.clear()
    interp.state.r.scalars.update({"N": float(total), "r": float(len(counts))})
    if total == 0:
        interp.out("no observations\n")
        return
    title = _abbrev(v.label or v.name, 11) if v.label and len(v.label) <= 11 else _abbrev(v.name, 11)
    lw = max(11, len(title))
    lines = ["", f"{title:>{lw}} |      Freq.     Percent        Cum.", "-" * (lw + 1) + "+" + "-" * 35]
    cum = 0.0
    for key in sorted(counts, key=lambda k: (isinstance(k, str), k)):
        c = counts[key]
        pct = 100.0 * c / total
        cum += pct
        label = _cell(ds, v, key)
        lines.append(f"{label[:lw]:>{lw}} | {c:>10,} {pct:>11.2f} {cum:>11.2f}")
    lines.append("-" * (lw + 1) + "+" + "-" * 35)
    lines.append(f"{'Total':>{lw}} | {total:>10,} {100:>11.2f}")
    interp.out("\n".join(lines) + "\n")


_GEN_RE = re.compile(r"^\s*(?:(byte|int|long|float|double|str\d*|strL)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", re.S)


def _gen_parse(interp: Interpreter, args: str) -> tuple[str | None, str, Syntax]:
    syn = parse_syntax(args)
    m = _GEN_RE.match(syn.anything)
    if m is None:
        raise StataError(198, "invalid syntax")
    return m.group(1), m.group(2), Syntax(m.group(3), syn.if_exp, syn.in_range, syn.options)


def cmd_generate(interp: Interpreter, args: str) -> None:
    vtype, name, syn = _gen_parse(interp, args)
    ds = interp.state.data
    if ds.find_exact(name) is not None:
        raise StataError(110, f"variable {name} already defined")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", name) or name in ("_n", "_N"):
        raise StataError(198, f"{name} invalid name")
    f = interp.compile(syn.anything)
    chosen = set(selected_obs(interp, syn))
    values: list[Any] = []
    is_str: bool | None = None
    for i in range(ds.nobs):
        if i in chosen:
            x = f(i)
            if is_str is None:
                is_str = isinstance(x, str)
            elif is_str != isinstance(x, str):
                raise StataError(109, "type mismatch")
            values.append(x)
        else:
            values.append(None)
    if is_str is None:
        probe = f(0) if ds.nobs else 0.0
        is_str = isinstance(probe, str)
    if vtype and vtype.startswith("str") != bool(is_str):
        raise StataError(109, "type mismatch")
    fill: Any = "" if is_str else MISSING
    values = [fill if x is None else x for x in values]
    if is_str:
        width = max((len(x) for x in values), default=1) or 1
        var = Variable(name, vtype or f"str{width}", f"%{width}s", values)
    else:
        var = Variable(name, vtype or "float", "%9.0g", values)
    ds.add(var)
    n_missing = sum(1 for x in values if (x == "" if is_str else is_missing(x)))
    if n_missing and not is_str:
        interp.out(f"({n_missing:,} missing value{'s' if n_missing != 1 else ''} generated)\n")


def cmd_replace(interp: Interpreter, args: str) -> None:
    _vtype, name, syn = _gen_parse(interp, args)
    ds = interp.state.data
    var = ds.find_exact(name)
    if var is None:
        raise StataError(111, f"variable {name} not found")
    f = interp.compile(syn.anything)
    changes = 0
    for i in selected_obs(interp, syn):
        x = f(i)
        if isinstance(x, str) != var.is_string:
            raise StataError(109, "type mismatch")
        if x != var.values[i]:
            var.values[i] = x
            changes += 1
    ds.changed = ds.changed or changes > 0
    if var.is_string:
        width = max((len(x) for x in var.values), default=1) or 1
        var.type = f"str{max(width, int(var.type[3:] or 1) if var.type[3:].isdigit() else width)}"
    interp.out(f"({changes:,} real change{'s' if changes != 1 else ''} made)\n")


def cmd_drop(interp: Interpreter, args: str) -> None:
    _drop_keep(interp, args, keep=False)


def cmd_keep(interp: Interpreter, args: str) -> None:
    _drop_keep(interp, args, keep=True)


def _drop_keep(interp: Interpreter, args: str, keep: bool) -> None:
    syn = parse_syntax(args)
    ds = interp.state.data
    if syn.if_exp or syn.in_range:
        if syn.anything:
            raise StataError(198, "invalid syntax")
        chosen = set(selected_obs(interp, syn))
        retain = [i for i in range(ds.nobs) if (i in chosen) == keep]
        for v in ds.variables:
            v.values = [v.values[i] for i in retain]
        dropped = ds.nobs - len(retain)
        ds.nobs = len(retain)
        ds.changed = True
        interp.out(f"({dropped:,} observation{'s' if dropped != 1 else ''} deleted)\n")
        return
    if not syn.anything:
        raise StataError(100, "varlist required")
    chosen_vars = ds.expand_varlist(syn.anything)
    ds.variables = [v for v in ds.variables if (v in chosen_vars) == keep]
    ds.changed = True


def cmd_sort(interp: Interpreter, args: str) -> None:
    ds = interp.state.data
    variables = ds.expand_varlist(args.strip(), allow_empty_all=False)
    if not variables:
        raise StataError(100, "varlist required")
    order = sorted(range(ds.nobs), key=lambda i: tuple(v.values[i] for v in variables))
    for v in ds.variables:
        v.values = [v.values[i] for i in order]
    ds.sorted_by = [v.name for v in variables]


def cmd_label(interp: Interpreter, args: str) -> None:
    parts = args.split(None, 2)
    ds = interp.state.data
    if len(parts) >= 2 and parts[0].startswith("var"):
        name, _, text = parts[1], None, parts[2] if len(parts) > 2 else ""
        ds.get(name).label = text.strip().strip('"')
        return
    if len(parts) >= 2 and parts[0] == "data":
        ds.label = args.split(None, 1)[1].strip().strip('"')
        return
    raise StataError(198, "invalid syntax")


def register(reg: Registry) -> None:
    reg.add("sysuse", cmd_sysuse)
    reg.add("clear", cmd_clear)
    reg.add("use", cmd_use)
    reg.add("save", cmd_save, 4)
    reg.add("describe", cmd_describe, 1)
    reg.add("summarize", cmd_summarize, 2)
    reg.add("list", cmd_list, 1)
    reg.add("count", cmd_count, 3)
    reg.add("tabulate", cmd_tabulate, 2)
    reg.add("generate", cmd_generate, 1)
    reg.add("replace", cmd_replace)
    reg.add("drop", cmd_drop)
    reg.add("keep", cmd_keep)
    reg.add("sort", cmd_sort)
    reg.add("label", cmd_label, 3)
