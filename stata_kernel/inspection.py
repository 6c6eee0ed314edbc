"""What ``inspect_request`` (Shift-Tab, ``?``) asks help for: the command or magic under the cursor."""

from __future__ import annotations

from .syntax import command_at, resolve_command, word_at


def inspect_topic(code: str, cursor_pos: int, delimiter: str) -> tuple[str, bool] | None:
    """(topic, is_magic) for the cursor: the command word under it, else its statement's command."""
    line_start = code.rfind("\n", 0, cursor_pos) + 1
    line = code[line_start:].split("\n", 1)[0]
    if line.lstrip().startswith("%"):
        name = line.lstrip().lstrip("%").split(None, 1)
        return (name[0], True) if name else None
    word = word_at(code, cursor_pos)
    resolved = resolve_command(word) if word else None
    if resolved:
        return resolved, False
    command = command_at(code, cursor_pos, delimiter)
    if command:
        return command, False
    return (word, False) if word else None
