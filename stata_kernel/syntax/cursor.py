"""What is being typed at the cursor: completion context, the word and the command under the cursor.

Answered from the text alone so the kernel can reply while Stata is busy (names come from its caches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .commands import resolve_command
from .lexer import BLOCK_COMMENT, COMPOUND, CR, LINE_COMMENT, STAR_COMMENT, STRING, scan
from .split import strip_prefixes

COMMAND = "command"
VARIABLE = "variable"
LOCAL = "local"
GLOBAL = "global"
PATH = "path"
NONE = "none"

# Commands whose arguments (before any comma) are file or directory names.
PATH_COMMANDS = frozenset(
    {
        "use", "do", "run", "include", "cd", "chdir", "save", "saveold", "insheet", "erase", "rm", "copy",
        "type", "mkdir", "rmdir", "dir", "ls", "doedit", "translate", "adopath", "infile", "infix", "append",
        "filefilter",
    }
)  # fmt: skip
# Commands whose path argument follows a subcommand word (None: after any subcommand).
PATH_SUBCOMMANDS: dict[str, frozenset[str] | None] = {
    "import": None,
    "export": None,
    "graph": frozenset({"export", "use", "save"}),
    "log": frozenset({"using"}),
    "cmdlog": frozenset({"using"}),
    "estimates": frozenset({"use", "save"}),
    "putexcel": frozenset({"set"}),
    "putdocx": frozenset({"save"}),
    "putpdf": frozenset({"save"}),
}

_PATH_STOP = frozenset(" \t\r\n\f\v\"'`,;(){}")
_FIRST_WORD = re.compile(r"\s*(!|[A-Za-z_][A-Za-z0-9_]*)")
_WORD_CHARS = re.compile(r"[A-Za-z0-9_]")


@dataclass(frozen=True, slots=True)
class CompletionContext:
    """``kind`` of name expected at the cursor, the ``prefix`` typed so far and where it ``start``s."""

    kind: str
    prefix: str
    start: int
    command: str | None = None


def _path_position(words: list[str], head_ends_in_blank: bool) -> bool:
    """Is the word being typed (after ``words``, already complete) a path argument?"""
    if not words:
        return False
    if words[-1] == "using" and head_ends_in_blank:
        return True
    cmd = resolve_command(words[0]) or words[0]
    if cmd in PATH_COMMANDS:
        return True
    subs = PATH_SUBCOMMANDS.get(cmd, frozenset())
    if len(words) >= 2:
        if subs is None:
            return True
        return bool(subs) and words[1] in subs
    return False


def completion_context(code: str, cursor_pos: int, delimiter: str = CR) -> CompletionContext:
    """Classify the cursor position for completion.

    * after `` ` `` → ``local``; after ``$`` or ``${`` → ``global`` (also inside strings);
    * in a comment → ``none``;
    * inside quotes, for a command that takes a file (``use``, ``do``, ``save``, ``cd``, ``import delimited``,
      ``graph export``, ``... using``) → ``path`` with the quoted text so far, otherwise ``none``;
    * first word of a statement (after prefixes such as ``quietly`` or ``by x:``) → ``command``;
    * an unquoted path argument of those commands → ``path``; any other word → ``variable``.
    """
    cursor_pos = max(0, min(cursor_pos, len(code)))
    before = code[:cursor_pos]
    result = scan(before, delimiter)
    if result.state in (LINE_COMMENT, BLOCK_COMMENT, STAR_COMMENT):
        return CompletionContext(NONE, "", cursor_pos)

    name_start = cursor_pos
    while name_start > 0 and _WORD_CHARS.match(before[name_start - 1]):
        name_start -= 1
    name = before[name_start:]
    if name_start > 0 and before[name_start - 1] == "`":
        return CompletionContext(LOCAL, name, name_start)
    if name_start > 0 and before[name_start - 1] == "$":
        return CompletionContext(GLOBAL, name, name_start)
    if name_start > 1 and before[name_start - 2 : name_start] == "${":
        return CompletionContext(GLOBAL, name, name_start)

    if result.state in (STRING, COMPOUND):
        quote = result.context_start
        start = quote + (2 if result.state == COMPOUND else 1)
        _, rest = strip_prefixes(_pending(before[:quote], delimiter))
        words = rest.split(",")[0].split()
        cmd = resolve_command(words[0]) if words else None
        if _path_position(words, True):
            return CompletionContext(PATH, before[start:], start, cmd)
        return CompletionContext(NONE, "", cursor_pos, cmd)

    _, rest = strip_prefixes(_pending(before[:name_start], delimiter))
    if rest.strip() in ("", "}"):
        return CompletionContext(COMMAND, name, name_start)
    words = rest.split()
    cmd = resolve_command(words[0]) if words else None

    path_start = cursor_pos
    while path_start > 0 and before[path_start - 1] not in _PATH_STOP:
        path_start -= 1
    path_tail = before[path_start:]
    _, prest = strip_prefixes(_pending(before[:path_start], delimiter))
    after_blank = path_start > 0 and before[path_start - 1].isspace()
    if "," not in prest and _path_position(prest.split(), after_blank):
        return CompletionContext(PATH, path_tail, path_start, cmd)
    if len(words) == 1 and cmd in PATH_SUBCOMMANDS:
        return CompletionContext(NONE, name, name_start, cmd)
    return CompletionContext(VARIABLE, name, name_start, cmd)


def _pending(code: str, delimiter: str) -> str:
    """Text of the statement still open at the end of ``code`` ('' at a statement boundary)."""
    statements = scan(code, delimiter).statements
    if statements and statements[-1].kind == "command" and not statements[-1].terminated:
        return statements[-1].text
    return ""


def word_at(code: str, cursor_pos: int) -> str:
    """The identifier under (or just before) the cursor, for inspection; '' if none."""
    cursor_pos = max(0, min(cursor_pos, len(code)))
    left = cursor_pos
    while left > 0 and _WORD_CHARS.match(code[left - 1]):
        left -= 1
    right = cursor_pos
    while right < len(code) and _WORD_CHARS.match(code[right]):
        right += 1
    return code[left:right]


def command_at(code: str, cursor_pos: int, delimiter: str = CR) -> str | None:
    """The command of the statement under the cursor, resolved through abbreviations and prefixes.

    Unknown command words (user-written commands) are returned as typed; None when the cursor is not on a
    statement (blank line, comment).
    """
    for s in reversed(scan(code, delimiter).statements):
        if s.kind != "command" or s.start > cursor_pos:
            continue
        if cursor_pos > s.end and code[s.end : cursor_pos].strip(" \t"):
            return None
        _, rest = strip_prefixes(s.text)
        m = _FIRST_WORD.match(rest)
        if m is None:
            return None
        word = m.group(1)
        return resolve_command(word) or word
    return None


__all__ = [
    "COMMAND",
    "GLOBAL",
    "LOCAL",
    "NONE",
    "PATH",
    "VARIABLE",
    "CompletionContext",
    "command_at",
    "completion_context",
    "word_at",
]
