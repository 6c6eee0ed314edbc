"""Stata source text: lexing, completeness, ``#delimit``, commands, completion context and agent policy.

Pure standard-library Python with no Jupyter or pystata imports, shared by the kernel and the MCP bridge.
Modules, one job each: ``lexer`` (the single scanner everything else uses), ``complete`` (is_complete),
``delimit`` (``#delimit`` rewriting), ``split`` (commands and prefixes), ``commands`` (names and
abbreviations), ``cursor`` (completion and inspection), ``policy`` (what agents may not run).

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
``check_policy(code, *, delimiter="cr", allowed_dirs=None, cwd=None, deny=None) -> list[Violation]``
    The agent command policy (``Violation``: ``command``, ``text``, ``line``, ``reason``); see ``policy``.
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
from .policy import DEFAULT_DENY, Violation, check_policy
from .split import Command, split_commands, strip_prefixes

__all__ = [
    "COMMANDS",
    "CR",
    "DEFAULT_DENY",
    "SEMI",
    "Command",
    "CompletionContext",
    "ScanResult",
    "Statement",
    "Translation",
    "Violation",
    "check_policy",
    "command_at",
    "complete_command",
    "completion_context",
    "is_complete",
    "normalize_delimiter",
    "resolve_command",
    "scan",
    "split_commands",
    "strip_prefixes",
    "translate",
    "translate_delimit",
    "word_at",
]
