"""Command line (names fixed by the interface contract, docs/architecture.md) -> ``BridgeConfig``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from urllib.parse import urlparse

from .config import (
    DEFAULT_EVENT_STORE_BYTES,
    DEFAULT_HEARTBEAT_S,
    DEFAULT_LOG_WINDOW_CHARS,
    DEFAULT_MAX_CODE_BYTES,
    DEFAULT_PROGRESS_WINDOW_CHARS,
    STREAM_VIA,
    BridgeConfig,
    ConfigError,
    Transport,
)
from .kernel import ServerTarget
from .kernel.pool import DEFAULT_IDLE_TIMEOUT, DEFAULT_SIZE, DEFAULT_WARM

_TRANSPORTS: dict[str, Transport] = {
    "stdio": "stdio", "http": "http", "streamable-http": "http", "sse": "sse",
}
# Options whose value is a secret: random tokens start with "-" one time in 64 (base64url), which argparse
# would read as an option ("expected one argument").
_SECRETS = ("--token", "--auth-token")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stata-live-mcp",
        description="MCP server that runs Stata through a stata-live Jupyter kernel and streams its "
        "output to the client as progress notifications while the code runs.",
    )
    parser.add_argument("--transport", choices=sorted(_TRANSPORTS), default="stdio",
                        help="stdio (default); http = Streamable HTTP at /mcp (alias streamable-http); "
                        "sse = legacy SSE at /sse with messages at /messages/")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000; 0 picks a free one)")
    parser.add_argument("--auth-token", default=None,
                        help="bearer token every HTTP request must carry (default: $STATA_MCP_AUTH_TOKEN); "
                        "required when --host is not a loopback address")
    kernel = parser.add_argument_group("kernel")
    kernel.add_argument("--kernel-name", default="stata-live",
                        help="kernelspec of the kernel the bridge starts (default stata-live)")
    kernel.add_argument("--connection-file", default=None,
                        help="attach to a running kernel (e.g. a notebook's) instead of starting one")
    kernel.add_argument("--server-url", default=None, help="use a kernel on this Jupyter Server")
    kernel.add_argument("--token", default=None, help="Jupyter Server token (default: $JUPYTER_TOKEN)")
    kernel.add_argument("--kernel-id", default=None, help="existing kernel on the Jupyter Server")
    _add_pool_arguments(parser)
    parser.add_argument("--heartbeat", type=float, default=DEFAULT_HEARTBEAT_S,
                        help="seconds of silence before a heartbeat progress message (default 5)")
    parser.add_argument("--stream-via", choices=STREAM_VIA, default="auto",
                        help="which notifications carry output while code runs: progress, log "
                        "(notifications/message, logger 'stata', level info, for clients that set a log level), "
                        "both, or auto (default: progress when the request has a progressToken, else log "
                        "messages when the client asked for them at level info or below)")
    parser.add_argument("--max-code-bytes", type=int, default=DEFAULT_MAX_CODE_BYTES,
                        help="largest code accepted by stata_run, in UTF-8 bytes (default 1 MiB)")
    memory = parser.add_argument_group("memory under floods")
    memory.add_argument("--log-window-chars", type=int, default=None, metavar="N",
                        help="characters of output kept per run in its log: the first and the latest halves "
                        f"(default {DEFAULT_LOG_WINDOW_CHARS:,}; env STATA_MCP_LOG_WINDOW_CHARS)")
    memory.add_argument("--progress-window-chars", type=int, default=None, metavar="N",
                        help="characters held for progress while a slow client reads; past it the middle is "
                        f"skipped with a marker (default {DEFAULT_PROGRESS_WINDOW_CHARS:,}; "
                        "env STATA_MCP_PROGRESS_WINDOW_CHARS)")
    memory.add_argument("--event-store-bytes", type=int, default=None, metavar="N",
                        help="Streamable HTTP resumption store size "
                        f"(default {DEFAULT_EVENT_STORE_BYTES:,}; env STATA_MCP_EVENT_STORE_BYTES)")
    agents = parser.add_argument_group("agent policy")
    agents.add_argument("--policy", choices=["on", "off"], default="on",
                        help="refuse agent-run code with shell escapes, file deletion, or writes/cd outside the "
                        "allowed directories (default on)")
    agents.add_argument("--allow-dir", action="append", default=[], metavar="DIR",
                        help="directory where agent-run code may write, cd and run do-files from (repeatable; "
                        "default: the working directory)")
    agents.add_argument("--allow-command", action="append", default=[], metavar="NAME",
                        help="take a command off the policy's deny-list, e.g. shell, python, erase, ssc "
                        "(repeatable)")
    agents.add_argument("--audit-log", default=None, metavar="PATH",
                        help="append one JSON line per tool call to PATH ('auto': the user's state directory, "
                        "e.g. ~/.local/state/stata-live/audit.jsonl); default off")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], help="stderr log level")
    return parser


def _add_pool_arguments(parser: argparse.ArgumentParser) -> None:
    pool = parser.add_argument_group("kernel per session (HTTP transports)")
    pool.add_argument("--kernel-per-session", action="store_true",
                      help="give each MCP session its own kernel (locally or on --server-url) from a pool")
    pool.add_argument("--pool-size", type=int, default=DEFAULT_SIZE,
                      help=f"most kernels at once; sessions beyond are refused (default {DEFAULT_SIZE})")
    pool.add_argument("--pool-warm", type=int, default=DEFAULT_WARM,
                      help=f"kernels kept started ahead of new sessions (default {DEFAULT_WARM})")
    pool.add_argument("--pool-idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT,
                      help="seconds without a call after which a session's kernel is shut down "
                      f"(default {DEFAULT_IDLE_TIMEOUT:g})")


def parse_config(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> BridgeConfig:
    """Parse and validate; raises ``ConfigError`` with a message meant for the user."""
    env = os.environ if env is None else env
    parser = build_parser()
    args = parser.parse_args(_joined_secrets(parser, sys.argv[1:] if argv is None else argv))
    server = None
    if args.server_url is not None:
        parsed = urlparse(args.server_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"--server-url must be an http(s) URL, got {args.server_url!r}")
        server = ServerTarget(
            url=args.server_url.rstrip("/"),
            token=args.token or env.get("JUPYTER_TOKEN") or None,
            kernel_id=args.kernel_id,
            kernel_name=args.kernel_name,
        )
    elif args.kernel_id is not None or args.token is not None:
        raise ConfigError("--kernel-id and --token only apply with --server-url")
    return BridgeConfig(
        transport=_TRANSPORTS[args.transport],
        host=args.host,
        port=args.port,
        auth_token=args.auth_token or env.get("STATA_MCP_AUTH_TOKEN") or None,
        kernel_name=args.kernel_name,
        connection_file=args.connection_file,
        server=server,
        heartbeat_s=args.heartbeat,
        stream_via=args.stream_via,
        max_code_bytes=args.max_code_bytes,
        log_level=args.log_level,
        policy=args.policy == "on",
        allowed_dirs=tuple(os.path.realpath(os.path.expanduser(d)) for d in args.allow_dir),
        allowed_commands=tuple(args.allow_command),
        audit_log=args.audit_log,
        kernel_per_session=args.kernel_per_session,
        pool_size=args.pool_size,
        pool_warm=args.pool_warm,
        pool_idle_s=args.pool_idle_timeout,
        log_window_chars=_int_option(args.log_window_chars, env, "STATA_MCP_LOG_WINDOW_CHARS",
                                     DEFAULT_LOG_WINDOW_CHARS),
        progress_window_chars=_int_option(args.progress_window_chars, env, "STATA_MCP_PROGRESS_WINDOW_CHARS",
                                          DEFAULT_PROGRESS_WINDOW_CHARS),
        event_store_bytes=_int_option(args.event_store_bytes, env, "STATA_MCP_EVENT_STORE_BYTES",
                                      DEFAULT_EVENT_STORE_BYTES),
    )


def _joined_secrets(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``--token -x...`` as ``--token=-x...``: a secret's value is taken as given, whatever its first
    character, unless it is one of the bridge's own options (then the value is missing, as argparse says)."""
    known = {name for action in parser._actions for name in action.option_strings}
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        value = args[i + 1] if i + 1 < len(args) else None
        if arg in _SECRETS and value is not None and value.startswith("-") and value.split("=")[0] not in known:
            out.append(f"{arg}={value}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _int_option(given: int | None, env: Mapping[str, str], name: str, default: int) -> int:
    """The command line's value, else the environment's, else the default."""
    if given is not None:
        return given
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw.replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
