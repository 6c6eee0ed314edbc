"""One pass over Stata source text that cuts it into logical statements.

Everything in :mod:`stata_kernel.syntax` is built on :func:`scan`, so the lexical rules live in one place.
The rules follow what Stata does with a do-file (see the package docstring for the full list and the decisions
taken where Stata's manual is silent):

* ``"..."`` strings and nestable compound strings `` `"..."' ``; neither may span a physical line.
* Local macro quotes `` `name' `` nest (`` `=`i'+1' ``); a backtick with no ``'`` later on its line is
  literal.
* ``${name}`` is a global, so its braces are not a block.
* ``//`` (and ``///``) are comments only at line start or after a blank; ``///`` also joins the next line.
* ``/* */`` nests and may span lines (swallowing the newlines); it is honoured even inside ``*`` comments.
* ``*`` as the first character of a statement comments it out: to the end of the line under ``cr`` (``///``
  continues it), to the next ``;`` under ``#delimit ;``.
* ``#delimit ;`` / ``#delimit cr`` (abbreviable down to ``#d``) alone on a line switch the terminator.

The scanner is regex-driven (it jumps between the few characters that matter), so a megabyte takes tens of
milliseconds, which lets the kernel answer ``is_complete`` while Stata is busy.
The statement loop is here; what it produces (``Statement``, ``ScanResult``, the delimiter modes) is in
:mod:`.scanned`, the strings, macro quotes and ``/* */`` comments it jumps over are in :mod:`.quoted`.
"""

from __future__ import annotations

import re

from .quoted import Ahead, Lines, blank_before, skip_block, skip_quoted
from .scanned import (
    BLOCK_COMMENT,
    CODE,
    COMPOUND,
    CR,
    GLOBAL,
    LINE_COMMENT,
    MACRO,
    SEMI,
    STAR_COMMENT,
    STRING,
    ScanResult,
    Statement,
    normalize_delimiter,
)

_CODE_CR = re.compile(r'["`\n/{}$]')
_CODE_SEMI = re.compile(r'["`\n/{}$;]')
_STAR_CR = re.compile(r"/\*|//|\n")
_STAR_SEMI = re.compile(r"/\*|//|;")
_DELIMIT = re.compile(
    r"[ \t]*#d(?:elimit|elimi|elim|eli|el|e)?(?![\w#])[ \t]*(cr|;)?[ \t\r]*(?:(?<=[ \t])//[^\n]*)?(?=\n|\Z)",
    re.IGNORECASE,
)


def scan(code: str, delimiter: str = CR, comment_replacement: str = " ", *, collect: bool = True) -> ScanResult:
    """Cut ``code`` into statements under ``delimiter`` (the mode in force before the code).

    ``comment_replacement`` is what a ``/* */`` comment becomes in ``Statement.text``; the policy checker
    scans a second time with ``""`` to catch commands split by a comment (``sh/**/ell``).
    """
    delim = normalize_delimiter(delimiter)
    n = len(code)
    lines = Lines(code)
    ahead = Ahead(code)
    statements: list[Statement] = []
    errors: list[tuple[int, str]] = []

    depth = 0
    parts: list[str] = []
    seg = 0  # start of the raw slice not yet copied into parts
    first = -1  # offset of the first significant character of the current statement
    last = -1  # offset just after its last significant character
    star = False  # current statement is a '*' comment
    comment_depth = 0
    continued = False
    state = CODE
    context_start = -1
    stmt_depth = 0

    def flush(end: int, terminated: bool) -> None:
        nonlocal parts, first, last, star, seg
        if collect and first >= 0 and not star:
            parts.append(code[seg:end])
            text = "".join(parts).strip()
        else:
            text = ""
        if text:
            statements.append(
                Statement(
                    text=" ".join(text.split("\n")) if "\n" in text else text,
                    start=first,
                    end=max(last, first + 1),
                    line=lines.line(first),
                    end_line=lines.line(max(last, first + 1) - 1),
                    delimiter=delim,
                    depth=stmt_depth,
                    depth_after=depth,
                    terminated=terminated,
                )
            )
        parts = []
        first = -1
        last = -1
        star = False

    def mark(i: int) -> None:
        nonlocal first, stmt_depth
        if first < 0:
            first = i
            stmt_depth = depth

    i = 0
    line_start = True
    while i < n:
        # --- start of a physical line in code context: #delimit directives ------------------------------
        if line_start and not star:
            line_start = False
            m = _DELIMIT.match(code, i)
            if m is not None and (delim == SEMI or first < 0):
                if first >= 0:
                    flush(i, False)
                new = SEMI if m.group(1) == ";" else CR
                end = m.end()
                statements.append(
                    Statement(
                        text=new,
                        start=m.start() + (len(m.group()) - len(m.group().lstrip(" \t"))),
                        end=end,
                        line=lines.line(i),
                        end_line=lines.line(i),
                        delimiter=delim,
                        depth=depth,
                        depth_after=depth,
                        kind="delimit",
                    )
                )
                delim = new
                i = end
                seg = end
                if i < n:  # consume the newline
                    i += 1
                    seg = i
                    line_start = True
                continue

        # --- statement start: skip blanks, detect '*' comments ---------------------------------------------
        if first < 0 and not star:
            j = i
            while j < n and code[j] in " \t\r\f\v":
                j += 1
            if j < n and code[j] == "*":
                star = True
                first = j
                stmt_depth = depth
                i = j + 1
                seg = i
                parts = []

        if star:
            state, context_start = STAR_COMMENT, first
            rx = _STAR_CR if delim == CR else _STAR_SEMI
            m = rx.search(code, i)
            if m is None:
                i = n
                break
            tok = m.group()
            p = m.start()
            if tok == "/*":
                i, comment_depth = skip_block(code, p)
                if comment_depth:
                    state, context_start = BLOCK_COMMENT, p
                    break
                continue
            if tok == "//":
                if not blank_before(code, p):
                    i = p + 2
                    continue
                nl = code.find("\n", p)
                if code.startswith("///", p):
                    if nl < 0:
                        continued = True
                        i = n
                        break
                    i = nl + 1
                    continue
                if nl < 0:
                    state, context_start = LINE_COMMENT, p
                    i = n
                    break
                i = nl
                continue
            # newline (cr) or ';' (;) ends the comment statement
            star = False
            first = -1
            last = -1
            parts = []
            i = p + 1
            seg = i
            state = CODE
            if tok == "\n":
                line_start = True
            continue

        # --- code context ---------------------------------------------------------------------------------
        rx = _CODE_CR if delim == CR else _CODE_SEMI
        m = rx.search(code, i)
        if m is None:
            # trailing plain text
            tail = code[i:]
            if tail.strip():
                mark(i + len(tail) - len(tail.lstrip()))
                last = i + len(tail.rstrip())
            i = n
            break
        p = m.start()
        chunk = code[i:p]
        if chunk.strip():
            mark(i + len(chunk) - len(chunk.lstrip()))
            last = i + len(chunk.rstrip())
        c = m.group()
        if c == "\n":
            if delim == CR:
                flush(p, True)
                i = p + 1
                seg = i
                line_start = True
                continue
            parts.append(code[seg:p].rstrip("\r"))
            parts.append(" ")
            i = p + 1
            seg = i
            line_start = True
            continue
        if c == ";":
            flush(p, True)
            i = p + 1
            seg = i
            continue
        if c == "/":
            nxt = code[p + 1 : p + 2]
            if nxt == "*":
                parts.append(code[seg:p])
                i, comment_depth = skip_block(code, p)
                if comment_depth:
                    state, context_start = BLOCK_COMMENT, p
                    seg = i
                    break
                parts.append(comment_replacement)
                seg = i
                continue
            if nxt == "/" and blank_before(code, p):
                parts.append(code[seg:p])
                nl = code.find("\n", p)
                if code.startswith("///", p):
                    if nl < 0:
                        continued = True
                        seg = i = n
                        break
                    parts.append(" ")
                    i = seg = nl + 1
                    continue
                if nl < 0:
                    state, context_start = LINE_COMMENT, p
                    seg = i = n
                    break
                i = seg = nl
                continue
            mark(p)
            last = p + 1
            i = p + 1
            continue
        mark(p)
        if c == "{":
            depth += 1
            last = i = p + 1
            continue
        if c == "}":
            if depth == 0:
                errors.append((lines.line(p), "unmatched '}'"))
            else:
                depth -= 1
            last = i = p + 1
            continue
        if c == "$":
            if code.startswith("{", p + 1):
                eol = ahead.eol(p)
                close = code.find("}", p + 2, eol)
                nl = eol if eol < n else -1
                if close < 0:
                    state, context_start = GLOBAL, p
                    last = i = n if nl < 0 else nl
                    if nl < 0:
                        break
                    state = CODE
                    continue
                last = i = close + 1
                continue
            last = i = p + 1
            continue
        if c == "`" and not code.startswith('"', p + 1) and not ahead.apostrophe_before_eol(p + 1):
            last = i = p + 1  # a lone backtick is a literal character
            continue
        # a quote: strings and macros, nested
        i, ok, inner_state, inner_start = skip_quoted(code, p, ahead)
        last = i
        if not ok:
            errors.append((lines.line(p), "unterminated string"))
            if i >= n:
                state, context_start = inner_state, inner_start
                break
        if i >= n and inner_state != CODE:
            state, context_start = inner_state, inner_start
            break

    else:
        state = CODE

    if star:
        state = STAR_COMMENT if state not in (BLOCK_COMMENT, LINE_COMMENT) else state
    if comment_depth:
        state = BLOCK_COMMENT
    if state == CODE and i >= n:
        context_start = -1

    # end of input: the open statement
    pending_text = ""
    pending_start = first
    pending = False
    if star:
        # an open '*' comment needs its ';' under #delimit ;, or is continued by '///' under cr
        pending = delim == SEMI or continued
    elif first >= 0 and not collect:
        pending = delim == SEMI
    elif first >= 0:
        if seg < n:
            parts.append(code[seg:n])
        pending_text = " ".join("".join(parts).strip().split("\n"))
        if pending_text:
            pending = delim == SEMI
            end = max(last, first + 1)
            statements.append(
                Statement(
                    text=pending_text,
                    start=first,
                    end=end,
                    line=lines.line(first),
                    end_line=lines.line(end - 1),
                    delimiter=delim,
                    depth=stmt_depth,
                    depth_after=depth,
                    terminated=False,
                )
            )
    return ScanResult(
        statements=statements,
        delimiter=delim,
        depth=depth,
        comment_depth=comment_depth,
        continued=continued,
        pending=pending,
        state=state,
        errors=errors,
        pending_text=pending_text,
        pending_start=pending_start,
        context_start=context_start,
    )


__all__ = [
    "BLOCK_COMMENT",
    "CODE",
    "COMPOUND",
    "CR",
    "GLOBAL",
    "LINE_COMMENT",
    "MACRO",
    "SEMI",
    "STAR_COMMENT",
    "STRING",
    "ScanResult",
    "Statement",
    "normalize_delimiter",
    "scan",
]
