"""regress: OLS in pure Python with Stata's ANOVA and coefficient tables and e() results."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .. import stats
from ..errors import StataError
from ..fmt import MISSING, fmt_g, is_missing
from ..registry import Registry, check_options, option, parse_syntax
from .data import selected_obs

if TYPE_CHECKING:
    from ..interp import Interpreter


def _f(x: float, spec: str) -> str:
    return "." if is_missing(x) else format(x, spec)


def cmd_regress(interp: Interpreter, args: str) -> None:
    syn = parse_syntax(args)
    check_options(syn.options, [("level", 1)])
    ds = interp.state.data
    names = syn.anything.split()
    if not names:
        raise StataError(100, "varlist required")
    dep = ds.get(names[0])
    xs = ds.expand_varlist(" ".join(names[1:]), allow_empty_all=False) if len(names) > 1 else []
    for v in (dep, *xs):
        if v.is_string:
            raise StataError(109, "type mismatch")
    level = 95.0
    found, lv = option(syn.options, "level", 1)
    if found and lv:
        level = float(lv)
    obs = [
        i
        for i in selected_obs(interp, syn)
        if not is_missing(dep.values[i]) and not any(is_missing(x.values[i]) for x in xs)
    ]
    if not obs:
        raise StataError(2000, "no observations")
    if len(obs) <= len(xs) + 1:
        raise StataError(2001, "insufficient observations")
    y = [dep.values[i] for i in obs]
    cols = [[x.values[i] for i in obs] for x in xs]
    try:
        res = stats.ols(y, cols)
    except ZeroDivisionError:
        raise StataError(2001, "insufficient observations (collinear regressors)") from None
    b: list[float] = res["b"]  # type: ignore[assignment]
    v: list[list[float]] = res["V"]  # type: ignore[assignment]
    n, df_m, df_r = res["N"], res["df_m"], res["df_r"]  # type: ignore[misc]
    mss, rss, tss = res["mss"], res["rss"], res["tss"]  # type: ignore[misc]
    f_stat, r2, r2_a, rmse = res["F"], res["r2"], res["r2_a"], res["rmse"]  # type: ignore[misc]
    names_out = [x.name for x in xs] + ["_cons"]
    crit = stats.invttail(df_r, (1 - level / 100) / 2)

    table_rows: list[list[float]] = [[], [], [], [], [], [], [], [], []]
    lines = []
    out = interp.out
    p_f = stats.ftail(df_m, df_r, f_stat) if not is_missing(f_stat) else MISSING

    def side(label: str, value: str) -> str:
        return f"   {label:<16}={value:>10}"

    df_t = df_m + df_r
    lines.append("")
    lines.append(f"{'Source':>12} |       SS           df       MS   " + side("Number of obs", f"{int(n):,}"))
    lines.append("-" * 13 + "+" + "-" * 34 + side(f"F({int(df_m)}, {int(df_r)})", _f(f_stat, ".2f")))
    ms_m = mss / df_m if df_m else MISSING
    lines.append(
        f"{'Model':>12} |{fmt_g(mss, 11):>12}{int(df_m):>10}{fmt_g(ms_m, 11):>12}" + side("Prob > F", _f(p_f, ".4f"))
    )
    lines.append(
        f"{'Residual':>12} |{fmt_g(rss, 11):>12}{int(df_r):>10}{fmt_g(rss / df_r, 11):>12}"
        + side("R-squared", _f(r2, ".4f"))
    )
    lines.append("-" * 13 + "+" + "-" * 34 + side("Adj R-squared", _f(r2_a, ".4f")))
    lines.append(
        f"{'Total':>12} |{fmt_g(tss, 11):>12}{int(df_t):>10}{fmt_g(tss / df_t, 11):>12}"
        + side("Root MSE", _f(rmse, ".5g"))
    )
    lines.append("")
    lines.append("-" * 78)
    lvl = f"{level:g}"
    lines.append(f"{dep.name[:12]:>12} | Coefficient  Std. err.      t    P>|t|     [{lvl}% conf. interval]")
    lines.append("-" * 13 + "+" + "-" * 64)
    order = list(range(len(names_out)))
    for j in order:
        coef = b[j]
        se = math.sqrt(v[j][j]) if not is_missing(v[j][j]) and v[j][j] >= 0 else MISSING
        t = coef / se if se and not is_missing(se) else MISSING
        p = 2 * stats.ttail(df_r, abs(t)) if not is_missing(t) else MISSING
        lo = coef - crit * se if not is_missing(se) else MISSING
        hi = coef + crit * se if not is_missing(se) else MISSING
        for k, val in enumerate((coef, se, t, p, lo, hi, df_r, crit, 0.0)):
            table_rows[k].append(val)
        name = names_out[j]
        lines.append(
            f"{name[:12]:>12} |{fmt_g(coef, 9):>11}{fmt_g(se, 9):>11}{_f(t, '.2f'):>9}{_f(p, '.3f'):>8}"
            f"{fmt_g(lo, 9):>13}{fmt_g(hi, 9):>12}"
        )
    lines.append("-" * 78)
    out("\n".join(lines) + "\n")

    e = interp.state.e
    e.clear()
    ll = -0.5 * n * (math.log(2 * math.pi) + math.log(rss / n) + 1)
    ll_0 = -0.5 * n * (math.log(2 * math.pi) + math.log(tss / n) + 1) if tss > 0 else MISSING
    e.scalars.update(
        {
            "N": n,
            "df_m": df_m,
            "df_r": df_r,
            "F": f_stat,
            "r2": r2,
            "rmse": rmse,
            "mss": mss,
            "rss": rss,
            "r2_a": r2_a,
            "ll": ll,
            "ll_0": ll_0,
            "rank": float(len(names_out)),
        }
    )
    e.macros.update(
        {
            "cmdline": ("regress " + args.strip()).strip(),
            "title": "Linear regression",
            "marginsok": "XB default",
            "vce": "ols",
            "depvar": dep.name,
            "cmd": "regress",
            "properties": "b V",
            "predict": "regres_p",
            "model": "ols",
            "estat_cmd": "regress_estat",
        }
    )
    e.matrices["b"] = ([list(b)], ["y1"], names_out)
    e.matrices["V"] = ([list(r) for r in v], names_out, names_out)
    r = interp.state.r
    r.clear()
    r.scalars["level"] = level
    r.matrices["table"] = (
        table_rows,
        ["b", "se", "t", "pvalue", "ll", "ul", "df", "crit", "eform"],
        names_out,
    )


def register(reg: Registry) -> None:
    reg.add("regress", cmd_regress, 3)
