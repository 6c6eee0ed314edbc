"""An MCP client's config file: the server entry, merged into JSON, JSONC or TOML by minimal edits, written safely.

The file-format half of ``python -m mcp_bridge install`` (:mod:`mcp_bridge.clients` knows the clients and
where their files live). Edits are textual and minimal so comments, order and formatting survive: JSONC
through :mod:`mcp_bridge.jsonc`, TOML through tomlkit; a file that does not parse is refused, never "fixed".
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .jsonc import JsoncError, set_member


@dataclass(frozen=True)
class JsonFormat:
    """How a JSON client lists its servers: under which key, typed entries or not, comments allowed or not."""

    key: str = "mcpServers"
    typed: bool = False  # entries carry "type": "stdio"
    comments: bool = False  # the client reads JSONC (comments, trailing commas), so the file may hold them


class InstallError(Exception):
    """Something the user must fix before the config can be written; the message says what."""


@dataclass(frozen=True)
class ServerEntry:
    """One MCP server as every client understands it: a command, its arguments and environment."""

    name: str
    command: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def as_json(self, *, typed: bool = False) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": "stdio"} if typed else {}
        entry |= {"command": self.command, "args": list(self.args)}
        if self.env:
            entry["env"] = dict(self.env)
        return entry


def merge_json(existing: str | None, entry: ServerEntry, fmt: JsonFormat | None = None, *,
               force: bool = False) -> str:
    """The config file's new text: ``<key>[name]`` set by a minimal textual edit, everything else kept."""
    fmt = fmt or JsonFormat()
    value = entry.as_json(typed=fmt.typed)
    if existing is None or not existing.strip():
        return json.dumps({fmt.key: {entry.name: value}}, indent=2, ensure_ascii=False) + "\n"
    if not fmt.comments:  # this client reads strict JSON: a file it cannot read is not ours to "fix"
        try:
            json.loads(existing)
        except json.JSONDecodeError as exc:
            raise InstallError(f"the existing file is not valid JSON ({exc}); fix or move it first") from exc
    try:
        return set_member(existing, [fmt.key, entry.name], value, replace_comments=force)
    except JsoncError as exc:
        what = "JSON (comments and trailing commas allowed)" if fmt.comments else "JSON"
        if "comments that replacing it would drop" in str(exc):
            raise InstallError(f"{exc}; edit it by hand, or run again with --force to replace it "
                               "(the old file is kept as a backup)") from exc
        if "is not an object" in str(exc):
            raise InstallError(f"{exc}; fix it first") from exc
        raise InstallError(f"the existing file is not valid {what} ({exc}); fix or move it first") from exc


def toml_table(entry: ServerEntry) -> str:
    """``[mcp_servers.NAME]`` with command, args and an inline env table, as Codex reads it."""
    return merge_toml(None, entry)


def merge_toml(existing: str | None, entry: ServerEntry, *, force: bool = False) -> str:
    """The config's new text, edited with tomlkit so comments, order and other tables stay as they were.

    An existing ``[mcp_servers.NAME]`` is updated in place: its command, args and env are set, keys of
    Codex's own (timeouts, ``enabled``...) and comments on other lines stay.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(existing or "")
    except TOMLKitError as exc:
        raise InstallError(f"the existing file is not valid TOML ({exc}); fix or move it first") from exc
    servers = doc.get("mcp_servers")
    if servers is None:
        servers = tomlkit.table(is_super_table=True)  # just the [mcp_servers.NAME] header
        doc["mcp_servers"] = servers
    if not isinstance(servers, dict):
        raise InstallError("'mcp_servers' in the existing file is not a table; fix it first")
    table = servers.get(entry.name)
    if table is None:
        table = tomlkit.table()
        _set_toml_entry(table, entry, force=True)
        table.add(tomlkit.nl())
        servers[entry.name] = table
    elif isinstance(table, dict):
        _set_toml_entry(table, entry, force=force)
    else:
        raise InstallError(f"mcp_servers.{entry.name} in the existing file is not a table; fix it first")
    new = tomlkit.dumps(doc)
    if not existing:
        new = new.lstrip("\n")
    got = _parse_toml(new).get("mcp_servers", {}).get(entry.name, {})
    want = entry.as_json()
    if {k: got.get(k) for k in ("command", "args", "env")} != {"command": want["command"], "args": want["args"],
                                                              "env": want.get("env")}:
        raise InstallError(f"the existing file defines mcp_servers.{entry.name} in a form this installer cannot "
                           "update; remove it and run install again")
    return new


def _set_toml_entry(table: Any, entry: ServerEntry, *, force: bool) -> None:
    """Set command, args and env in place (tomlkit keeps each key's position and line comment)."""
    import tomlkit
    from tomlkit.items import InlineTable

    values: dict[str, Any] = {"command": entry.command, "args": list(entry.args)}
    for key, value in values.items():
        old = table.get(key)
        if old is not None and old != value and not force and _toml_has_comment(old):
            raise InstallError(f"mcp_servers.{entry.name}.{key} holds comments that replacing it would drop; "
                               "edit it by hand, or run again with --force (the old file is kept as a backup)")
        if old != value:
            table[key] = value
    old_env = table.get("env")
    if not entry.env:
        if old_env is not None:
            del table["env"]
        return
    if isinstance(old_env, dict) and not isinstance(old_env, InlineTable):  # [mcp_servers.X.env]
        for key in [k for k in old_env if k not in entry.env]:
            del old_env[key]
        for key, value in entry.env.items():
            if old_env.get(key) != value:
                old_env[key] = value
        return
    if old_env != entry.env:
        inline = tomlkit.inline_table()
        inline.update(entry.env)
        table["env"] = inline


def _toml_has_comment(item: Any) -> bool:
    """Whether a value's text holds a ``#`` comment (a multi-line array with notes, say)."""
    text = item.as_string() if hasattr(item, "as_string") else ""
    i, quote = 0, ""
    while i < len(text):
        if quote:
            if text.startswith(quote, i):
                i, quote = i + len(quote), ""
                continue
            i += 2 if text[i] == "\\" and quote[0] == '"' else 1
            continue
        for q in ('"""', "'''", '"', "'"):
            if text.startswith(q, i):
                quote = q
                i += len(q)
                break
        else:
            if text[i] == "#":
                return True
            i += 1
    return False


def _parse_toml(text: str) -> dict[str, Any]:
    """An independent reading of the result (the standard library's parser where there is one)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomlkit

        return tomlkit.parse(text).unwrap()
    return tomllib.loads(text)


def write_config(path: Path, text: str) -> Path | None:
    """Back up ``path`` (when it exists), then replace it atomically with ``text``; return the backup."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.bak-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}")
        shutil.copy2(path, backup)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    if backup is not None:
        shutil.copymode(backup, tmp)
    os.replace(tmp, path)
    return backup


__all__ = ["InstallError", "JsonFormat", "ServerEntry", "merge_json", "merge_toml", "toml_table", "write_config"]
