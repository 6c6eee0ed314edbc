"""``python -m mcp_bridge install``: register this bridge with an MCP client, without hand-editing JSON/TOML.

    python -m mcp_bridge install --client claude-code|claude-desktop|cursor|codex|vscode|gemini [--dry-run]
        [--name stata] [--stata-dir DIR] [--scope user|project|local] [--project-dir DIR]
        [--config FILE] [--force] [extra bridge arguments, e.g. --allow-dir DIR --audit-log auto]

The entry runs *this* Python (``sys.executable -m mcp_bridge``), so the client gets the interpreter that
has the package, with ``STATA_DIR`` in its environment (from ``--stata-dir`` or found the way the kernel
finds Stata). Where each client keeps its servers (from the clients' documentation):

* Claude Code: ``.mcp.json`` in the project (``--scope project``, the default; ``mcpServers`` with
  ``"type": "stdio"``); ``--scope user|local`` runs ``claude mcp add --scope ...`` (``--dry-run`` prints it).
* Claude Desktop: ``claude_desktop_config.json`` under ``~/Library/Application Support/Claude`` (macOS),
  ``%APPDATA%\\Claude`` (Windows), ``$XDG_CONFIG_HOME/Claude`` (Linux builds); ``mcpServers``.
* Cursor: ``~/.cursor/mcp.json`` (``--scope project``: ``.cursor/mcp.json``); ``mcpServers``.
* Codex: ``$CODEX_HOME/config.toml``, default ``~/.codex/config.toml`` (``--scope project``:
  ``.codex/config.toml``, read in trusted projects); a ``[mcp_servers.NAME]`` table.
* VS Code: ``.vscode/mcp.json`` in the project (``--scope project``, the default) or the user profile's
  ``mcp.json``: ``$XDG_CONFIG_HOME/Code/User`` (Linux, default ``~/.config``), ``~/Library/Application
  Support/Code/User`` (macOS), ``%APPDATA%\\Code\\User`` (Windows); top-level ``servers`` with
  ``"type": "stdio"`` (another profile or VS Code Insiders: ``--config FILE``).
* Gemini CLI: ``~/.gemini/settings.json`` (``--scope project``: ``.gemini/settings.json``); ``mcpServers``.

Existing files are merged, never clobbered: other servers and settings stay, an entry of the same name is
replaced, the old file is copied to ``FILE.bak-<time>`` first, and the new one is written atomically. A
file that does not parse is left alone (fix or move it first). The edits are textual and minimal, so
comments, order and formatting survive: VS Code and Gemini CLI files may hold comments (JSONC, edited by
``mcp_bridge.jsonc``), Codex's TOML is edited with tomlkit, and in Codex's table keys of its own such as
``tool_timeout_sec`` stay. Comments *inside* the old entry would be lost with it: that needs ``--force``.
Installing the same entry again changes nothing.
The file formats and the safe writing live in :mod:`mcp_bridge.client_files`; where Stata is comes from
the kernel's own ``python -m stata_kernel locate`` (:mod:`mcp_bridge.stata_location`).

Clients other than Claude Code start servers from a directory of their own choosing (often ``/``), which
would make the default ``--allow-dir`` (the working directory) meaningless; unless the extra arguments
say otherwise (``--allow-dir`` or ``--policy off``), the entry pins ``--allow-dir`` to the directory
``install`` runs in.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from .client_files import (
    InstallError,
    JsonFormat,
    ServerEntry,
    merge_json,
    merge_toml,
    toml_table,
    write_config,
)
from .stata_location import NotLocated, locate_stata

CLIENTS = ("claude-code", "claude-desktop", "cursor", "codex", "vscode", "gemini")
_SCOPES = {
    "claude-code": ("project", "local", "user"),
    "claude-desktop": ("user",),
    "cursor": ("user", "project"),
    "codex": ("user", "project"),
    "vscode": ("project", "user"),
    "gemini": ("user", "project"),
}


JSON_FORMATS = {
    "claude-code": JsonFormat(typed=True),
    "claude-desktop": JsonFormat(),
    "cursor": JsonFormat(),
    "vscode": JsonFormat(key="servers", typed=True, comments=True),
    "gemini": JsonFormat(comments=True),
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# ----------------------------------------------------------------------------------------------------------
# where


def config_path(
    client: str,
    scope: str,
    *,
    project_dir: Path,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Path | None:
    """The file that holds the client's servers for ``scope`` (None: the client's own CLI keeps it)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if client == "claude-code":
        return project_dir / ".mcp.json" if scope == "project" else None
    if client == "claude-desktop":
        if platform == "darwin":
            return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
        if platform == "win32":
            appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
            return appdata / "Claude" / "claude_desktop_config.json"
        return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "Claude" / "claude_desktop_config.json"
    if client == "cursor":
        return project_dir / ".cursor" / "mcp.json" if scope == "project" else home / ".cursor" / "mcp.json"
    if client == "codex":
        if scope == "project":
            return project_dir / ".codex" / "config.toml"
        return Path(env.get("CODEX_HOME") or home / ".codex") / "config.toml"
    if client == "vscode":
        if scope == "project":
            return project_dir / ".vscode" / "mcp.json"
        if platform == "darwin":
            return home / "Library" / "Application Support" / "Code" / "User" / "mcp.json"
        if platform == "win32":
            appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
            return appdata / "Code" / "User" / "mcp.json"
        return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "Code" / "User" / "mcp.json"
    if client == "gemini":
        return (project_dir if scope == "project" else home) / ".gemini" / "settings.json"
    raise InstallError(f"unknown client {client!r}: use one of {', '.join(CLIENTS)}")


# ----------------------------------------------------------------------------------------------------------
# what


def build_entry(
    client: str,
    name: str,
    *,
    stata_dir: str | None,
    extra: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
) -> ServerEntry:
    """The server entry: this Python running the bridge with ``extra`` arguments and ``STATA_DIR``."""
    env = os.environ if env is None else env
    if not _NAME.match(name):
        raise InstallError(f"--name {name!r}: use letters, digits, '-' and '_' (at most 64)")
    args = ["-m", "mcp_bridge", *extra]
    if client != "claude-code" and not _has_option(extra, "--allow-dir") and not _policy_off(extra):
        args += ["--allow-dir", str(cwd)]
    server_env: dict[str, str] = {}
    if not _has_option(extra, "--server-url"):  # a remote kernel needs no local Stata
        server_env["STATA_DIR"] = _stata_dir(stata_dir, env)
        if env.get("STATA_EDITION"):
            server_env["STATA_EDITION"] = env["STATA_EDITION"]
    return ServerEntry(name=name, command=python or sys.executable, args=args, env=server_env)


def _stata_dir(option: str | None, env: Mapping[str, str]) -> str:
    """The installation the kernel finds (asked of ``python -m stata_kernel locate``), resolved."""
    try:
        return str(Path(locate_stata(option, env=env).stata_dir).resolve())
    except NotLocated as exc:
        raise InstallError(
            f"{exc}\nGive the installation with --stata-dir DIR (for a demo: --stata-dir "
            "\"$(python -m stata_kernel simulator-dir)\")."
        ) from exc


def _has_option(args: Sequence[str], option: str) -> bool:
    return any(a == option or a.startswith(option + "=") for a in args)


def _policy_off(args: Sequence[str]) -> bool:
    for i, a in enumerate(args):
        if a == "--policy=off" or (a == "--policy" and i + 1 < len(args) and args[i + 1] == "off"):
            return True
    return False


# ----------------------------------------------------------------------------------------------------------
# writing


def claude_add_command(entry: ServerEntry, scope: str) -> list[str]:
    """``claude mcp add`` for the entry (options before the name, the server command after ``--``)."""
    cmd = ["claude", "mcp", "add", "--transport", "stdio", "--scope", scope]
    for key, value in entry.env.items():
        cmd += ["-e", f"{key}={value}"]
    return [*cmd, entry.name, "--", entry.command, *entry.args]


def install(
    client: str,
    entry: ServerEntry,
    *,
    scope: str,
    path: Path | None,
    dry_run: bool,
    out: TextIO,
    err: TextIO,
    force: bool = False,
) -> int:
    """Write (or print) the entry for ``client``; returns the exit code."""
    if path is None:  # claude-code user/local scope: only its CLI knows where that lives
        command = claude_add_command(entry, scope)
        if dry_run:
            print(shlex.join(command), file=out)
            return 0
        if shutil.which("claude") is None:
            print("stata-live-mcp install: the `claude` command is not on PATH; run this yourself:\n  "
                  + shlex.join(command), file=err)
            return 1
        return subprocess.run(command, check=False).returncode
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    if client == "codex":
        new_text, snippet = merge_toml(existing, entry, force=force), toml_table(entry)
    else:
        fmt = JSON_FORMATS[client]
        new_text = merge_json(existing, entry, fmt, force=force)
        snippet = json.dumps({fmt.key: {entry.name: entry.as_json(typed=fmt.typed)}}, indent=2, ensure_ascii=False)
    if dry_run:
        print(f"# {client}: would add server {entry.name!r} to {path} (dry run: nothing written)", file=err)
        print(snippet.rstrip("\n"), file=out)
        if existing is not None:
            diff = difflib.unified_diff(existing.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                        str(path), f"{path} (after install)")
            print("# the change to the existing file:\n" + ("".join(diff).rstrip("\n") or "# (none: already there)"),
                  file=err)
        if client == "claude-code":
            print("# or, with Claude Code's own CLI:\n#   " + shlex.join(claude_add_command(entry, scope)), file=err)
        return 0
    if new_text == existing:
        print(f"{client}: server {entry.name!r} in {path} is already up to date (nothing written)", file=out)
        return 0
    backup = write_config(path, new_text)
    print(f"{client}: server {entry.name!r} written to {path}" + (f" (previous file kept as {backup})"
                                                                   if backup else ""), file=out)
    print(_restart_hint(client), file=out)
    return 0


def _kernelspec_installed(client: str, extra: Sequence[str]) -> bool:
    """Whether the kernelspec the bridge will start exists (clients start it without our JUPYTER_PATH)."""
    name = "stata-live"
    for i, a in enumerate(extra):
        if a == "--kernel-name" and i + 1 < len(extra):
            name = extra[i + 1]
        elif a.startswith("--kernel-name="):
            name = a.split("=", 1)[1]
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return False
    except Exception:  # a broken Jupyter setup: doctor reports it in detail
        return False
    return True


def _restart_hint(client: str) -> str:
    return {
        "claude-code": "Claude Code asks to approve project servers on its next start (check with /mcp).",
        "claude-desktop": "Quit and reopen Claude Desktop to load it.",
        "cursor": "Restart Cursor, then check Settings > MCP that the server is enabled.",
        "codex": "Start Codex and type /mcp to see it.",
        "vscode": "In VS Code run 'MCP: List Servers' from the Command Palette to start it (trust it when asked).",
        "gemini": "Start Gemini CLI and type /mcp to see it.",
    }[client]


# ----------------------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mcp_bridge install",
        description="Add the stata-live MCP bridge to an MCP client's configuration (merging, with a backup). "
        "Unknown arguments are passed to the bridge, e.g. --allow-dir DIR --audit-log auto.",
    )
    parser.add_argument("--client", required=True, choices=CLIENTS)
    parser.add_argument("--dry-run", action="store_true", help="print the entry instead of writing it")
    parser.add_argument("--name", default="stata", help="server name in the client (default: stata)")
    parser.add_argument("--stata-dir", default=None,
                        help="Stata installation for STATA_DIR (default: found like the kernel finds it)")
    parser.add_argument("--scope", default=None,
                        help="claude-code: project (default, .mcp.json), local or user (via `claude mcp add`); "
                        "cursor/codex/gemini: user (default) or project; vscode: project (default, "
                        ".vscode/mcp.json) or user (the user profile's mcp.json)")
    parser.add_argument("--project-dir", default=None, help="project for --scope project (default: here)")
    parser.add_argument("--config", default=None, help="write this file instead of the client's usual one")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing entry even when comments inside it would be lost")
    return parser


def main(argv: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    argv = list(argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    args, unknown = build_parser().parse_known_args(argv)
    extra = unknown + extra
    scope = args.scope or _SCOPES[args.client][0]
    try:
        if scope not in _SCOPES[args.client]:
            raise InstallError(f"--scope {scope} is not one of {', '.join(_SCOPES[args.client])} for {args.client}")
        project = Path(args.project_dir or os.getcwd()).resolve()
        entry = build_entry(args.client, args.name, stata_dir=args.stata_dir, extra=extra, cwd=Path.cwd())
        path = Path(args.config).expanduser() if args.config else config_path(args.client, scope,
                                                                                project_dir=project)
        code = install(args.client, entry, scope=scope, path=path, dry_run=args.dry_run, out=out, err=err,
                       force=args.force)
        if code == 0 and "STATA_DIR" in entry.env and not _kernelspec_installed(args.client, extra):
            print("note: the kernelspec 'stata-live' the bridge starts is not installed for this Python; run "
                  f"`{shlex.quote(sys.executable)} -m stata_kernel install --sys-prefix` "
                  "(`python -m mcp_bridge doctor` checks the whole setup).", file=err)
        return code
    except (InstallError, OSError) as exc:
        print(f"stata-live-mcp install: error: {exc}", file=err)
        return 1


__all__ = ["CLIENTS", "JSON_FORMATS", "InstallError", "JsonFormat", "ServerEntry", "build_entry", "config_path",
           "main", "merge_json", "merge_toml", "toml_table"]
