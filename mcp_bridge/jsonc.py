"""Small, format-preserving edits of JSON files that may hold comments and trailing commas (JSONC).

VS Code's ``mcp.json`` and Gemini CLI's ``settings.json`` are JSONC: users comment out servers and leave
notes. The standard library's ``json`` would drop all of that on a rewrite, so ``install`` edits the text
instead: it parses the file into spans, replaces or inserts the one member it owns and leaves every other
byte (comments, order, indentation, trailing commas) as it was. Each edit is checked by parsing the result:
it must equal the old document with just that member set.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_LITERAL = re.compile(r"[^\s{}\[\]:,\"/]+")


class JsoncError(ValueError):
    """The text is not JSON with comments, or the edit cannot be made without losing something."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "{", "}", "[", "]", ":", ",", "string", "literal", "comment"
    start: int
    end: int


@dataclass
class Node:
    """A value's span; objects also list their members and where their closing brace is."""

    kind: str  # "object", "array", "scalar"
    start: int
    end: int
    members: list[Member] = field(default_factory=list)


@dataclass
class Member:
    key: str
    key_start: int
    value: Node
    comma_end: int | None  # end of the comma that follows the value, if any (trailing commas included)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\ufeff":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(_Token("comment", i, end))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise JsoncError(f"unterminated /* comment at offset {i}")
            out.append(_Token("comment", i, end + 2))
            i = end + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise JsoncError(f"unterminated string at offset {i}")
            out.append(_Token("string", i, j + 1))
            i = j + 1
        elif c in "{}[]:,":
            out.append(_Token(c, i, i + 1))
            i += 1
        else:
            m = _LITERAL.match(text, i)
            if m is None:
                raise JsoncError(f"unexpected {c!r} at offset {i}")
            out.append(_Token("literal", i, m.end()))
            i = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [t for t in _tokens(text) if t.kind != "comment"]
        self.pos = 0

    def _next(self, *expected: str) -> _Token:
        if self.pos >= len(self.tokens):
            raise JsoncError("unexpected end of file")
        token = self.tokens[self.pos]
        if expected and token.kind not in expected:
            raise JsoncError(f"expected {' or '.join(expected)} at offset {token.start}, found {token.kind!r}")
        self.pos += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def value(self) -> Node:
        token = self._next("{", "[", "string", "literal")
        if token.kind in ("string", "literal"):
            return Node("scalar", token.start, token.end)
        if token.kind == "[":
            while self._peek() != "]":
                self.value()
                if self._peek() != "]":
                    self._next(",")
            return Node("array", token.start, self._next("]").end)
        node = Node("object", token.start, token.end)
        while self._peek() != "}":
            key = self._next("string")
            self._next(":")
            value = self.value()
            comma_end = self._next(",").end if self._peek() == "," else None
            node.members.append(Member(json.loads(self.text[key.start:key.end]), key.start, value, comma_end))
            if comma_end is None and self._peek() != "}":
                self._next("}")  # raises: members must be separated by commas
        node.end = self._next("}").end
        return node


def parse(text: str) -> Node:
    """The spans of the document's top-level value."""
    parser = _Parser(text)
    root = parser.value()
    if parser.pos != len(parser.tokens):
        raise JsoncError(f"unexpected text after the top-level value at offset {parser.tokens[parser.pos].start}")
    return root


def strip(text: str) -> str:
    """Plain JSON: comments and trailing commas removed (offsets of everything else unchanged in order)."""
    tokens = _tokens(text)
    drop = [t for t in tokens if t.kind == "comment"]
    significant = [t for t in tokens if t.kind != "comment"]
    drop += [t for t, after in itertools.pairwise(significant) if t.kind == "," and after.kind in ("}", "]")]
    out, last = [], 0
    for t in sorted(drop, key=lambda t: t.start):
        out.append(text[last:t.start])
        out.append(" " * (t.end - t.start) if "\n" not in text[t.start:t.end] else "\n")
        last = t.end
    out.append(text[last:])
    return "".join(out).lstrip("\ufeff")


def loads(text: str) -> Any:
    """Parse JSON with comments and trailing commas."""
    try:
        return json.loads(strip(text))
    except json.JSONDecodeError as exc:
        raise JsoncError(str(exc)) from exc


def has_comments(text: str, start: int = 0, end: int | None = None) -> bool:
    end = len(text) if end is None else end
    return any(t.kind == "comment" and start <= t.start < end for t in _tokens(text))


def set_member(text: str, path: Sequence[str], value: Any, *, replace_comments: bool = False) -> str:
    """``text`` with the member at ``path`` (object keys from the top) set to ``value``; nothing else changes.

    A member that already exists has its value replaced in place. Comments inside that old value would be
    lost with it: that is refused unless ``replace_comments``. A missing member is added at the end of its
    object, indented like its siblings; missing objects on the way are created.
    """
    if not path:
        raise ValueError("an empty path")
    if not text.strip():
        nested: Any = value
        for key in reversed(path):
            nested = {key: nested}
        return json.dumps(nested, indent=2, ensure_ascii=False) + "\n"
    root = parse(text)
    before = loads(text)
    if root.kind != "object":
        raise JsoncError("the top-level value is not an object")
    unit = _indent_unit(text, root)
    node = root
    for depth, key in enumerate(path):
        member = next((m for m in reversed(node.members) if m.key == key), None)  # the last one wins in JSON
        if member is None:
            rest: Any = value
            for inner in reversed(path[depth + 1:]):
                rest = {inner: rest}
            new = _insert(text, node, key, rest, unit)
            break
        if depth == len(path) - 1:
            old = member.value
            if not replace_comments and has_comments(text, old.start, old.end):
                raise JsoncError(f"the existing {'.'.join(path)!r} holds comments that replacing it would drop")
            rendered = _render(value, unit, _line_indent(text, member.key_start))
            new = text[:old.start] + rendered + text[old.end:]
            break
        if member.value.kind != "object":
            raise JsoncError(f"{'.'.join(path[:depth + 1])!r} in the existing file is not an object")
        node = member.value
    expected = before
    cursor = expected
    for key in path[:-1]:
        cursor = cursor.setdefault(key, {})
    cursor[path[-1]] = value
    if loads(new) != expected:  # a safety net: never write a file that means anything else
        raise JsoncError("the edited file would not parse back as intended; edit it by hand")
    return new


def _insert(text: str, node: Node, key: str, value: Any, unit: str) -> str:
    close = node.end - 1  # the closing brace
    if node.members:
        last = node.members[-1]
        indent = _line_indent(text, last.key_start)
        if text[text.rfind("\n", 0, last.key_start) + 1:last.key_start].strip():  # {"a": 1} on one line
            indent += unit
        after = last.comma_end if last.comma_end is not None else last.value.end
        at = _end_of_line_if_only_comments(text, after, close)
        member = "\n" + indent + json.dumps(key, ensure_ascii=False) + ": " + _render(value, unit, indent)
        head = text[:last.value.end] + ("" if last.comma_end is not None else ",")
        return head + text[last.value.end:at] + member + text[at:]
    outer = _line_indent(text, node.start)
    indent = outer + unit
    member = "\n" + indent + json.dumps(key, ensure_ascii=False) + ": " + _render(value, unit, indent)
    inside = text[node.start + 1:close]
    if inside.strip():  # only comments in the object: keep them after the new member
        return text[:node.start + 1] + member + text[node.start + 1:]
    return text[:node.start + 1] + member + "\n" + outer + text[close:]


def _end_of_line_if_only_comments(text: str, pos: int, limit: int) -> int:
    """Past a comment that ends the line at ``pos`` (it describes what precedes it), else ``pos``."""
    newline = text.find("\n", pos, limit)
    if newline < 0:
        return pos
    rest = text[pos:newline]
    stripped = rest.strip()
    if not stripped or (stripped.startswith("//")) or (stripped.startswith("/*") and stripped.endswith("*/")
                                                       and "*/" not in stripped[2:-2]):
        return newline
    return pos


def _line_indent(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    prefix = text[start:pos]
    return prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def _indent_unit(text: str, root: Node) -> str:
    """The file's indentation step, from its first member (two spaces for a one-line file)."""
    if root.members:
        start = text.rfind("\n", 0, root.members[0].key_start) + 1
        if start > root.start:
            indent = _line_indent(text, root.members[0].key_start)
            if indent:
                return indent
    return "  "


def _render(value: Any, unit: str, indent: str) -> str:
    return json.dumps(value, indent=unit, ensure_ascii=False).replace("\n", "\n" + indent)


__all__ = ["JsoncError", "has_comments", "loads", "parse", "set_member", "strip"]
