"""Stata expressions: tokenizer, precedence parser, and compilation to per-observation closures.

Numbers are Python floats (missing is ``fmt.MISSING`` and compares greater than any number, as in Stata);
strings are ``str``. A compiled expression is ``f(obs) -> float | str`` where ``obs`` is a 0-based
observation index (``display`` evaluates at the first observation, like Stata).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import StataError
from .fmt import MISSING, extended_missing, format_number, is_missing, valid_format

Value = float | str
MAX_TOKENS = 20_000  # longer expressions are refused (r(130)) instead of crawling
Compiled = Callable[[int], Value]


class EvalContext(Protocol):
    def nobs(self) -> int: ...
    def column(self, name: str) -> list[Any]: ...  # raises StataError(111) when unknown
    def named_value(self, name: str) -> Value | None: ...  # scalars, _rc, _pi ...
    def stored(self, kind: str, name: str) -> Value: ...  # r(), e(), c()
    def coef(self, kind: str, name: str) -> float: ...  # _b[], _se[]
    def uniform(self) -> float: ...
    def normal(self) -> float: ...


@dataclass
class Token:
    kind: str  # num, str, name, op, end
    value: str
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<miss>\.[a-z]?(?![0-9A-Za-z_]))
  | (?P<cstr>`")
  | (?P<str>"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<fmt>%-?0?\d+(?:\.\d+)?[fgecs]c?|%-?\d+s|%t[a-z]+)
  | (?P<op>==|!=|~=|>=|<=|[-+*/^<>!~&|(),\[\]=:])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        m = _TOKEN_RE.match(text, i)
        if m is None:
            raise StataError(198, f"{text[i:].split()[0] if text[i:].split() else text[i:]} invalid name")
        kind = m.lastgroup or ""
        if kind == "cstr":
            end = _compound_end(text, i)
            tokens.append(Token("str", text[i + 2 : end - 2], i))
            i = end
            continue
        if kind == "str":
            tokens.append(Token("str", m.group()[1:-1], i))
        elif kind == "miss":
            tokens.append(Token("miss", m.group(), i))
        elif kind != "ws":
            tokens.append(Token(kind, m.group(), i))
            if len(tokens) > MAX_TOKENS:
                raise StataError(130, "expression too long")
        i = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _compound_end(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        if text.startswith('`"', i):
            depth += 1
            i += 2
        elif text.startswith("\"'", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise StataError(132, "too few quotes")


# Binding powers: | < & < relational < + - < * / < unary minus < ^ < !
_BINARY = {
    "|": 10,
    "&": 20,
    "==": 30,
    "!=": 30,
    "~=": 30,
    "<": 30,
    ">": 30,
    "<=": 30,
    ">=": 30,
    "+": 40,
    "-": 40,
    "*": 50,
    "/": 50,
    "^": 70,
}


class Parser:
    def __init__(self, tokens: list[Token], ctx: EvalContext, text: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.ctx = ctx
        self.text = text

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.next()
        if tok.value != value or tok.kind not in ("op",):
            raise StataError(198, "invalid syntax")

    def at_expression_start(self) -> bool:
        tok = self.peek()
        return tok.kind in ("num", "str", "name", "miss") or tok.value in ("(", "-", "!", "~", "+")

    def parse(self, min_bp: int = 0) -> Compiled:
        left = self.prefix()
        while True:
            tok = self.peek()
            if tok.kind != "op" or tok.value not in _BINARY:
                break
            bp = _BINARY[tok.value]
            if bp <= min_bp:
                break
            self.next()
            right = self.parse(bp)
            left = _binary(tok.value, left, right)
        return left

    def prefix(self) -> Compiled:
        tok = self.next()
        if tok.kind == "num":
            v = float(tok.value)
            return lambda i: v
        if tok.kind == "miss":
            mv = extended_missing(tok.value[1:])
            return lambda i: mv
        if tok.kind == "str":
            s = tok.value
            return lambda i: s
        if tok.kind == "op":
            if tok.value == "(":
                inner = self.parse()
                self.expect(")")
                return inner
            if tok.value == "-":
                operand = self.parse(60)
                return lambda i: _neg(operand(i))
            if tok.value == "+":
                return self.parse(60)
            if tok.value in ("!", "~"):
                operand = self.parse(80)
                return lambda i: _not(operand(i))
        if tok.kind == "name":
            return self.name(tok.value)
        if tok.kind == "end":
            raise StataError(198, "invalid syntax")
        raise StataError(198, f"{tok.value} invalid name" if tok.kind == "fmt" else "invalid syntax")

    def name(self, name: str) -> Compiled:
        nxt = self.peek()
        if nxt.kind == "op" and nxt.value == "(":
            self.next()
            if name in ("r", "e", "c", "s"):
                parts: list[str] = []
                while not (self.peek().kind == "op" and self.peek().value == ")"):
                    if self.peek().kind == "end":
                        raise StataError(198, "invalid syntax")
                    parts.append(self.next().value)
                self.next()
                key, kind, ctx = "".join(parts), name, self.ctx
                return lambda i: ctx.stored(kind, key)
            args: list[Compiled] = []
            if not (self.peek().kind == "op" and self.peek().value == ")"):
                while True:
                    if self.peek().kind == "fmt":
                        fmt_text = self.next().value
                        args.append(lambda i, f=fmt_text: f)
                    else:
                        args.append(self.parse())
                    if self.peek().kind == "op" and self.peek().value == ",":
                        self.next()
                        continue
                    break
            self.expect(")")
            return _function(name, args, self.ctx)
        if nxt.kind == "op" and nxt.value == "[":
            self.next()
            if name in ("_b", "_coef", "_se"):
                parts = []
                while not (self.peek().kind == "op" and self.peek().value == "]"):
                    if self.peek().kind == "end":
                        raise StataError(198, "invalid syntax")
                    parts.append(self.next().value)
                self.next()
                kind, key, ctx = ("se" if name == "_se" else "b"), "".join(parts), self.ctx
                return lambda i: ctx.coef(kind, key)
            index = self.parse()
            self.expect("]")
            col = self.ctx.column(name)
            return lambda i: _subscript(col, index(i))
        ctx = self.ctx
        if name == "_n":
            return lambda i: float(i + 1)
        if name == "_N":
            return lambda i: float(ctx.nobs())
        if name == "_pi":
            return lambda i: math.pi
        value = ctx.named_value(name)
        if value is not None:
            return lambda i: value
        col = ctx.column(name)
        return lambda i: col[i] if 0 <= i < len(col) else (MISSING if not col or not isinstance(col[0], str) else "")


def _subscript(col: list[Any], index: Value) -> Value:
    if isinstance(index, str):
        raise StataError(109, "type mismatch")
    if is_missing(index):
        return MISSING
    k = int(index) - 1
    if 0 <= k < len(col):
        return col[k]
    return "" if col and isinstance(col[0], str) else MISSING


def _num(v: Value) -> float:
    if isinstance(v, str):
        raise StataError(109, "type mismatch")
    return v


def _neg(v: Value) -> float:
    v = _num(v)
    return v if is_missing(v) else -v


def _not(v: Value) -> float:
    return 0.0 if _num(v) != 0 else 1.0


def _arith(op: str, a: float, b: float) -> float:
    if is_missing(a) or is_missing(b):
        return MISSING
    try:
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            r = a * b
        elif op == "/":
            if b == 0:
                return MISSING
            r = a / b
        else:
            if a < 0 and b != int(b):
                return MISSING
            r = a**b
    except (OverflowError, ZeroDivisionError):
        return MISSING
    if isinstance(r, complex) or r != r or abs(r) >= MISSING:
        return MISSING
    return float(r)


def _binary(op: str, left: Compiled, right: Compiled) -> Compiled:
    if op == "|":
        return lambda i: 1.0 if (_num(left(i)) != 0 or _num(right(i)) != 0) else 0.0
    if op == "&":
        return lambda i: 1.0 if (_num(left(i)) != 0 and _num(right(i)) != 0) else 0.0
    if op in ("==", "!=", "~=", "<", ">", "<=", ">="):
        return lambda i: _compare(op, left(i), right(i))

    def arith(i: int) -> Value:
        a, b = left(i), right(i)
        if isinstance(a, str) or isinstance(b, str):
            if op == "+" and isinstance(a, str) and isinstance(b, str):
                return a + b
            if op == "*" and isinstance(a, str) and not isinstance(b, str):
                return a * max(int(b), 0) if not is_missing(b) else ""
            if op == "*" and isinstance(b, str) and not isinstance(a, str):
                return b * max(int(a), 0) if not is_missing(a) else ""
            raise StataError(109, "type mismatch")
        return _arith(op, a, b)

    return arith


def _compare(op: str, a: Value, b: Value) -> float:
    if isinstance(a, str) != isinstance(b, str):
        raise StataError(109, "type mismatch")
    if op == "==":
        r = a == b
    elif op in ("!=", "~="):
        r = a != b
    elif op == "<":
        r = a < b  # type: ignore[operator]
    elif op == ">":
        r = a > b  # type: ignore[operator]
    elif op == "<=":
        r = a <= b  # type: ignore[operator]
    else:
        r = a >= b  # type: ignore[operator]
    return 1.0 if r else 0.0


def _round(x: float, unit: float = 1.0) -> float:
    if is_missing(x) or is_missing(unit):
        return MISSING
    if unit == 0:
        return x
    q = x / unit
    return math.floor(q + 0.5) * unit if q >= 0 else -math.floor(-q + 0.5) * unit


def _string(x: Value, fmt: Value = "%9.0g") -> str:
    if isinstance(x, str):
        raise StataError(109, "type mismatch")
    if not isinstance(fmt, str) or not valid_format(fmt):
        raise StataError(120, "invalid %format")
    if fmt == "%9.0g":
        from .macros import number_to_macro

        if is_missing(x):
            return "."
        from .fmt import fmt_g

        return number_to_macro(x) if x == int(x) else fmt_g(x, 9)
    return format_number(x, fmt).strip()


def _substr(s: Value, start: Value, length: Value = MISSING) -> str:
    if not isinstance(s, str):
        raise StataError(109, "type mismatch")
    n = len(s)
    b = int(_num(start))
    if b < 0:
        b = n + b + 1
    if b < 1 or b > n:
        return ""
    ln = _num(length)
    end = n if is_missing(ln) else b - 1 + int(ln)
    return s[b - 1 : max(end, b - 1)]


def _real(s: Value) -> float:
    if not isinstance(s, str):
        raise StataError(109, "type mismatch")
    try:
        return float(s.strip())
    except ValueError:
        return MISSING


def _math1(fn: Callable[[float], float]) -> Callable[[Value], float]:
    def wrapped(x: Value) -> float:
        v = _num(x)
        if is_missing(v):
            return MISSING
        try:
            r = fn(v)
        except (ValueError, OverflowError, ZeroDivisionError):
            return MISSING
        return MISSING if r != r or abs(r) >= MISSING else float(r)

    return wrapped


def _strfn(fn: Callable[[str], Any]) -> Callable[[Value], Any]:
    def wrapped(s: Value) -> Any:
        if not isinstance(s, str):
            raise StataError(109, "type mismatch")
        return fn(s)

    return wrapped


def _word(s: Value, n: Value) -> str:
    if not isinstance(s, str):
        raise StataError(109, "type mismatch")
    words = s.split()
    k = int(_num(n))
    if k < 0:
        k = len(words) + k + 1
    return words[k - 1] if 1 <= k <= len(words) else ""


def _subinstr(s: Value, old: Value, new: Value, count: Value) -> str:
    if not (isinstance(s, str) and isinstance(old, str) and isinstance(new, str)):
        raise StataError(109, "type mismatch")
    c = _num(count)
    return s.replace(old, new) if is_missing(c) else s.replace(old, new, int(c))


def _missing(*vals: Value) -> float:
    return 1.0 if any((v == "" if isinstance(v, str) else is_missing(v)) for v in vals) else 0.0


def _minmax(pick: Callable[..., float]) -> Callable[..., float]:
    def wrapped(*vals: Value) -> float:
        nums = [v for v in (_num(x) for x in vals) if not is_missing(v)]
        return pick(nums) if nums else MISSING

    return wrapped


def _cond(c: Value, a: Value, b: Value, m: Value | None = None) -> Value:
    cv = _num(c)
    if m is not None and is_missing(cv):
        return m
    return a if cv != 0 else b


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _invnormal(p: float) -> float:
    if not 0 < p < 1:
        return MISSING
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if _normal_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _function(name: str, args: list[Compiled], ctx: EvalContext) -> Compiled:
    from . import stats

    table: dict[str, Callable[..., Value]] = {
        "round": lambda x, u=1.0: _round(_num(x), _num(u)),
        "sqrt": _math1(math.sqrt),
        "ln": _math1(math.log),
        "log": _math1(math.log),
        "log10": _math1(math.log10),
        "exp": _math1(math.exp),
        "abs": _math1(abs),
        "int": _math1(lambda x: float(math.trunc(x))),
        "trunc": _math1(lambda x: float(math.trunc(x))),
        "floor": _math1(lambda x: float(math.floor(x))),
        "ceil": _math1(lambda x: float(math.ceil(x))),
        "sign": _math1(lambda x: float((x > 0) - (x < 0))),
        "sin": _math1(math.sin),
        "cos": _math1(math.cos),
        "tan": _math1(math.tan),
        "atan": _math1(math.atan),
        "mod": lambda x, y: (
            MISSING
            if _num(y) == 0 or is_missing(_num(x)) or is_missing(_num(y))
            else float(_num(x) - _num(y) * math.floor(_num(x) / _num(y)))
        ),
        "min": _minmax(min),
        "max": _minmax(max),
        "string": _string,
        "strofreal": _string,
        "strlen": _strfn(lambda s: float(len(s.encode("utf-8")))),
        "ustrlen": _strfn(lambda s: float(len(s))),
        "length": _strfn(lambda s: float(len(s))),
        "substr": _substr,
        "usubstr": _substr,
        "upper": _strfn(str.upper),
        "strupper": _strfn(str.upper),
        "lower": _strfn(str.lower),
        "strlower": _strfn(str.lower),
        "trim": _strfn(str.strip),
        "strtrim": _strfn(str.strip),
        "ltrim": _strfn(str.lstrip),
        "rtrim": _strfn(str.rstrip),
        "itrim": _strfn(lambda s: re.sub(" +", " ", s)),
        "stritrim": _strfn(lambda s: re.sub(" +", " ", s)),
        "strreverse": _strfn(lambda s: s[::-1]),
        "real": _real,
        "strpos": lambda s, t: float(_strfn(lambda a: a.find(t) + 1)(s)),
        "subinstr": _subinstr,
        "word": _word,
        "wordcount": _strfn(lambda s: float(len(s.split()))),
        "missing": _missing,
        "mi": _missing,
        "inlist": lambda x, *opts: 1.0 if x in opts else 0.0,
        "inrange": lambda x, a, b: 1.0 if _num(a) <= _num(x) <= _num(b) else 0.0,
        "cond": _cond,
        "normal": _math1(_normal_cdf),
        "invnormal": _math1(_invnormal),
        "ttail": lambda df, t: stats.ttail(_num(df), _num(t)),
        "Ftail": lambda d1, d2, f: stats.ftail(_num(d1), _num(d2), _num(f)),
        "runiform": lambda: ctx.uniform(),
        "rnormal": lambda m=0.0, s=1.0: _num(m) + _num(s) * ctx.normal(),
        "char": lambda n: chr(int(_num(n))),
        "strofreal_": _string,
    }
    fn = table.get(name)
    if fn is None:
        raise StataError(133, f"unknown function {name}()")
    if name in ("runiform", "rnormal"):
        return lambda i: fn(*[a(i) for a in args])
    if len(args) == 1:
        (a0,) = args
        return lambda i: fn(a0(i))
    return lambda i: fn(*[a(i) for a in args])


def compile_expression(text: str, ctx: EvalContext) -> Compiled:
    tokens = tokenize(text)
    parser = Parser(tokens, ctx, text)
    if parser.peek().kind == "end":
        raise StataError(198, "invalid syntax")
    f = parser.parse()
    if parser.peek().kind != "end":
        tok = parser.peek()
        raise StataError(198, f"{tok.value} invalid name" if tok.kind == "name" else "invalid syntax")
    return f


def evaluate(text: str, ctx: EvalContext, obs: int = 0) -> Value:
    return compile_expression(text, ctx)(obs)


__all__ = [
    "MISSING",
    "Compiled",
    "EvalContext",
    "Parser",
    "Value",
    "compile_expression",
    "evaluate",
    "tokenize",
]
