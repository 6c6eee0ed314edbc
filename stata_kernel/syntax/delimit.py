"""``#delimit`` across cells: rewrite a cell into the newline-delimited form pystata runs.

pystata runs multi-line code as a do-file that starts under ``#delimit cr`` and rejects a lone ``#delimit``
line (r(199)), so the kernel keeps the mode itself and sends rewritten code:

* parts under ``cr`` are copied verbatim (line for line, comments and ``///`` included);
* each statement under ``;`` becomes one line: comments dropped, continuations and newlines joined, the ``;``
  removed. ``forvalues i=1/3 {;`` therefore becomes ``forvalues i=1/3 {`` as Stata would read it, and
  ``{`` followed by more text in the same statement stays that way so Stata reports the same error it would;
* ``#delimit`` lines are consumed and switch the mode for what follows.

``Translation.line_map`` maps every output line to the 1-based line of the original cell, so error line
numbers can be reported against what the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexer import CR, SEMI, normalize_delimiter, scan


@dataclass(frozen=True, slots=True)
class Translation:
    """Rewritten code, the delimiter in force after it, and where each output line came from.

    ``unterminated`` is the text of a last ``;``-mode statement that had no ``;`` (it is still sent, so the
    user's last command runs; the kernel may warn about it).
    """

    code: str
    delimiter: str
    line_map: tuple[int, ...]
    unterminated: str | None = None

    def original_line(self, line: int) -> int:
        """1-based line of the original cell for 1-based ``line`` of the translated code."""
        if not self.line_map:
            return 1
        return self.line_map[min(max(line, 1), len(self.line_map)) - 1]


def translate(code: str, delimiter: str = CR) -> Translation:
    """Rewrite ``code`` (written under ``delimiter``) into newline-delimited Stata (see module docstring)."""
    delim = normalize_delimiter(delimiter)
    result = scan(code, delim)
    directives = [s for s in result.statements if s.kind == "delimit"]
    if delim == CR and not directives:
        n_lines = code.count("\n") + 1
        return Translation(code, CR, tuple(range(1, n_lines + 1)))

    raw_lines = code.split("\n")
    out: list[str] = []
    line_map: list[int] = []
    unterminated: str | None = None
    # Regions run from one directive line to the next, in the mode in force there.
    bounds = [(0, delim)] + [(d.line, d.text) for d in directives]
    stmts = [s for s in result.statements if s.kind == "command"]
    k = 0
    for idx, (after_line, mode) in enumerate(bounds):
        stop = directives[idx].line if idx < len(directives) else len(raw_lines) + 1
        if mode == CR:
            for ln in range(after_line + 1, stop):
                out.append(raw_lines[ln - 1])
                line_map.append(ln)
            while k < len(stmts) and stmts[k].line < stop:
                k += 1
            continue
        while k < len(stmts) and stmts[k].line < stop:
            s = stmts[k]
            k += 1
            out.append(s.text)
            line_map.append(s.line)
            if not s.terminated:
                unterminated = s.text
    return Translation("\n".join(out), result.delimiter, tuple(line_map), unterminated)


def translate_delimit(code: str, delimiter: str = CR) -> tuple[str, str]:
    """Return (code for pystata, delimiter in force after the cell); :func:`translate` adds the line map."""
    t = translate(code, delimiter)
    return t.code, t.delimiter


def cell_line(cell: str, ran: str, line: int) -> int | None:
    """1-based line of ``cell`` for ``line`` of ``ran``, the code that reached Stata for it (None if unknown).

    ``ran`` is ``cell`` translated under the delimiter in force when it started (a ``#delimit ;`` left on
    by an earlier cell is found by trying both), possibly reduced to its one command line.
    """
    for delimiter in (CR, SEMI):
        t = translate(cell, delimiter)
        lines = t.code.split("\n")
        if t.code == ran:
            return t.original_line(line)
        if "\n" not in ran.strip():
            filled = [i for i, text in enumerate(lines) if text.strip()]
            if len(filled) == 1 and line == 1:
                return t.original_line(filled[0] + 1)
    return None


__all__ = ["SEMI", "Translation", "cell_line", "translate", "translate_delimit"]
