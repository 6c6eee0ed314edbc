"""Stata source text: lexing, completeness, ``#delimit``, commands, completion context, magic lines, operands.

Pure standard-library Python with no Jupyter or pystata imports, shared by the kernel and the MCP bridge
(the bridge imports nothing else of the kernel's). Modules, one job each: ``lexer`` (the single scanner
everything else uses; its results are shaped in ``scanned``, the strings and comments it skips in ``quoted``),
``complete`` (is_complete), ``delimit`` (``#delimit`` rewriting), ``split`` (commands and prefixes),
``commands`` (names and abbreviations), ``cursor`` (completion and inspection), ``console`` (code that would
wait for the console), ``magic_lines`` (``%magic`` lines at the top of a cell), ``operands`` (arguments,
options and the files a command writes) and ``macros`` (macros code defines for itself). The last two are
the parser of the agent policy; its deny-list and decisions live in the bridge (``mcp_bridge.policy_rules``).

Public API
----------
``is_complete(code, delimiter="cr") -> (status, indent)``
    Jupyter ``is_complete`` semantics: ``"complete" | "incomplete" | "invalid"``. Incomplete on an open
    ``{``, ``/* */``, trailing ``///``, ``program``/``mata``/``python`` without ``end``, or a statement
    without its ``;`` under ``#delimit ;``; invalid on an unmatched ``}`` or an unterminated string.
``translate(code, delimiter="cr") -> Translation``, ``translate_delimit(code, delimiter) -> (code, delim)``
    Rewrite a cell written under ``#delimit cr`` or ``;`` into newline-delimited code for pystata, with the
    delimiter in force afterwards, ``Translation.line_map`` / ``original_line(n)`` for error lines and
    ``Translation.unterminated`` (a last ``;``-mode statement sent without its ``;``).
``split_commands(code, delimiter="cr") -> list[Command]``
    Logical commands (``text``, ``line``, ``end_line``, ``depth``, ``parent``).
``strip_prefixes(cmd) -> (prefixes, rest)``
    ``quietly``/``noisily``/``capture`` (any abbreviation), ``by``/``bysort``/``version``/``frame ...:``.
``resolve_command(word) -> str | None``, ``COMMANDS``, ``complete_command(prefix)``
    Command names and Stata's abbreviation rule.
``completion_context(code, cursor_pos, delimiter="cr") -> CompletionContext``
    ``kind`` in command/variable/local/global/path/none, the ``prefix`` typed and its ``start`` offset.
``word_at(code, cursor_pos) -> str``, ``command_at(code, cursor_pos, delimiter="cr") -> str | None``
    For inspect/help: the identifier and the (resolved) command under the cursor.
``stata_code_of(cell) -> str``
    The Stata code a notebook cell makes the kernel run, line for line (magic lines become their code or blank).
``scan(code, delimiter) -> ScanResult``
    The underlying scanner (``Statement`` list plus end-of-input state). ``normalize_delimiter(d)`` maps
    ``"cr"``/``";"``/``"semicolon"`` to ``CR``/``SEMI`` and rejects anything else.

Lexical decisions (where the Stata manuals are silent, we follow observed Stata behaviour as collected on
Statalist, "understanding Stata's comment hierarchy"):

* ``//`` and ``///`` start comments only at line start or after a blank (``"http://x"`` and ``use http://...``
  are not comments); ``//`` ends at the newline and ignores a ``///`` after it.
* ``/* */`` nests, may span lines and joins them; it is recognised inside ``*`` comments too; ``*/*`` closes
  and reopens. In ``Statement.text`` a block comment becomes one blank.
* ``*`` comments only as the first character of a statement; ``///`` continues them under ``cr``; under
  ``#delimit ;`` they run to the next ``;``.
* Strings (simple and compound) never span physical lines: an unterminated one is an error (``invalid``).
  A backtick without a closing ``'`` later on its line is a literal character.
* ``#delimit ;|cr`` (``#d`` ... ``#delimit``, bare ``#delimit`` = ``cr``) is a directive only alone on its
  line (an optional ``//`` comment may follow), not after ``///``. Under ``;`` a directive ends any unfinished
  statement.
"""

from .commands import COMMANDS, complete_command, resolve_command
from .complete import is_complete
from .cursor import CompletionContext, command_at, completion_context, word_at
from .delimit import Translation, translate, translate_delimit
from .lexer import CR, SEMI, ScanResult, Statement, normalize_delimiter, scan
from .magic_lines import stata_code_of
from .split import Command, split_commands, strip_prefixes

__all__ = [
    "COMMANDS",
    "CR",
    "SEMI",
    "Command",
    "CompletionContext",
    "ScanResult",
    "Statement",
    "Translation",
    "command_at",
    "complete_command",
    "completion_context",
    "is_complete",
    "normalize_delimiter",
    "resolve_command",
    "scan",
    "split_commands",
    "stata_code_of",
    "strip_prefixes",
    "translate",
    "translate_delimit",
    "word_at",
]
