"""Pure-Python statistics: t/F tails (regularized incomplete beta), summaries, OLS."""

from __future__ import annotations

import math

from .fmt import MISSING, is_missing


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(lbeta)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def ttail(df: float, t: float) -> float:
    """P(T > t) for Student's t with df degrees of freedom."""
    if is_missing(df) or is_missing(t) or df <= 0:
        return MISSING
    p = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return p if t >= 0 else 1.0 - p


def ftail(d1: float, d2: float, f: float) -> float:
    if is_missing(d1) or is_missing(d2) or is_missing(f) or d1 <= 0 or d2 <= 0:
        return MISSING
    if f <= 0:
        return 1.0
    return betainc(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))


def invttail(df: float, p: float) -> float:
    """t such that P(T > t) = p."""
    lo, hi = -1e4, 1e4
    for _ in range(200):
        mid = (lo + hi) / 2
        if ttail(df, mid) > p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def summarize(values: list[float], detail: bool = False) -> dict[str, float]:
    xs = [v for v in values if not is_missing(v)]
    n = len(xs)
    out: dict[str, float] = {"N": float(n), "sum_w": float(n)}
    if n == 0:
        out.update(sum=0.0)
        return out
    total = math.fsum(xs)
    mean = total / n
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1) if n > 1 else MISSING
    out.update(mean=mean, Var=var, sd=math.sqrt(var) if not is_missing(var) else MISSING)
    out.update(min=min(xs), max=max(xs), sum=total)
    if detail:
        s = sorted(xs)
        for p in (1, 5, 10, 25, 50, 75, 90, 95, 99):
            out[f"p{p}"] = percentile(s, p)
        m2 = math.fsum((x - mean) ** 2 for x in xs) / n
        m3 = math.fsum((x - mean) ** 3 for x in xs) / n
        m4 = math.fsum((x - mean) ** 4 for x in xs) / n
        out["skewness"] = m3 / m2**1.5 if m2 > 0 else MISSING
        out["kurtosis"] = m4 / m2**2 if m2 > 0 else MISSING
    return out


def percentile(sorted_xs: list[float], p: float) -> float:
    """Stata's default (summarize, detail) percentile definition."""
    n = len(sorted_xs)
    if n == 0:
        return MISSING
    np_ = n * p / 100.0
    i = math.floor(np_)
    if np_ == i:
        if i == 0:
            return sorted_xs[0]
        if i >= n:
            return sorted_xs[-1]
        return (sorted_xs[i - 1] + sorted_xs[i]) / 2.0
    return sorted_xs[min(i, n - 1)]


def _invert(m: list[list[float]]) -> list[list[float]]:
    """Gauss-Jordan inverse with partial pivoting."""
    n = len(m)
    a = [row[:] + [1.0 if i == j else 0.0 for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12 * max(1.0, max(abs(v) for v in a[pivot][:n])):
            raise ZeroDivisionError("singular matrix")
        a[col], a[pivot] = a[pivot], a[col]
        pv = a[col][col]
        a[col] = [v / pv for v in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                factor = a[r][col]
                a[r] = [v - factor * w for v, w in zip(a[r], a[col], strict=False)]
    return [row[n:] for row in a]


def ols(y: list[float], xs: list[list[float]]) -> dict[str, object]:
    """OLS with a constant. xs is a list of regressor columns (without the constant)."""
    n = len(y)
    k = len(xs) + 1
    rows = [[*(col[i] for col in xs), 1.0] for i in range(n)]
    xtx = [[math.fsum(r[a] * r[b] for r in rows) for b in range(k)] for a in range(k)]
    xty = [math.fsum(r[a] * y[i] for i, r in enumerate(rows)) for a in range(k)]
    inv = _invert(xtx)
    b = [math.fsum(inv[a][c] * xty[c] for c in range(k)) for a in range(k)]
    fitted = [math.fsum(r[a] * b[a] for a in range(k)) for r in rows]
    ybar = math.fsum(y) / n
    rss = math.fsum((yi - fi) ** 2 for yi, fi in zip(y, fitted, strict=False))
    tss = math.fsum((yi - ybar) ** 2 for yi in y)
    mss = tss - rss
    df_m = k - 1
    df_r = n - k
    s2 = rss / df_r if df_r > 0 else MISSING
    v = [[inv[a][c] * s2 for c in range(k)] for a in range(k)] if df_r > 0 else [[MISSING] * k for _ in range(k)]
    r2 = mss / tss if tss > 0 else MISSING
    return {
        "b": b,
        "V": v,
        "N": float(n),
        "df_m": float(df_m),
        "df_r": float(df_r),
        "mss": mss,
        "rss": rss,
        "tss": tss,
        "r2": r2,
        "r2_a": 1 - (1 - r2) * (n - 1) / df_r if df_r > 0 and not is_missing(r2) else MISSING,
        "F": (mss / df_m) / s2 if df_m > 0 and df_r > 0 and s2 > 0 else MISSING,
        "rmse": math.sqrt(s2) if not is_missing(s2) else MISSING,
    }
