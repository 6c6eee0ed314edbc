"""``python -m mcp_bridge`` / ``stata-live-mcp``: parse options, start the kernel, serve.

Shutdown is clean on SIGINT/SIGTERM and when stdin closes (stdio): the kernel the bridge started
is shut down on the way out.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

import anyio

from .cli import parse_config
from .config import BridgeConfig, ConfigError
from .state import open_state

log = logging.getLogger("mcp_bridge")


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] in (["install"], ["doctor"]):  # setup subcommands (mcp_bridge.clients / .doctor)
        module = importlib.import_module(f"mcp_bridge.{'clients' if args[0] == 'install' else 'doctor'}")
        return int(module.main(args[1:]))
    try:
        config = parse_config(argv)
    except ConfigError as exc:
        print(f"stata-live-mcp: error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=config.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if config.transport == "stdio" and config.auth_token:
        log.info("--auth-token only applies to the HTTP transports; ignored on stdio")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(serve, config)
    except BaseException as exc:
        if not _only_broken_pipes(exc):
            raise
        # The stdio client vanished with our stdout: a normal end. Keep the interpreter's final flush quiet.
        log.info("the client closed the connection; bridge stopped")
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _only_broken_pipes(exc: BaseException) -> bool:
    """True for a BrokenPipeError, or an exception group made only of them (anyio task groups)."""
    if isinstance(exc, BrokenPipeError):
        return True
    inner = getattr(exc, "exceptions", None)  # an exception group (the backport's too, on Python 3.10)
    return isinstance(inner, tuple) and bool(inner) and all(_only_broken_pipes(e) for e in inner)


async def serve(config: BridgeConfig) -> None:
    async with open_state(config) as state:
        # The MCP stack takes about a second to import: do it while the kernel process boots.
        await anyio.to_thread.run_sync(importlib.import_module, "mcp_bridge.http")
        from .http import build_http_app, make_uvicorn
        from .server import build_server
        from .stdio import run_stdio

        server = build_server(config, state)
        async with anyio.create_task_group() as tg:
            if config.transport == "stdio":
                tg.start_soon(_stop_on_signals, tg.cancel_scope, None)
                await run_stdio(server)  # returns when stdin closes
            else:
                http_server = make_uvicorn(build_http_app(server, config), config)
                tg.start_soon(_stop_on_signals, tg.cancel_scope, http_server)
                await http_server.serve()
            tg.cancel_scope.cancel()
    log.info("bridge stopped")


async def _stop_on_signals(scope: anyio.CancelScope, http_server: object | None) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            log.info("received %s; shutting down", signal.Signals(signum).name)
            if http_server is not None and not getattr(http_server, "should_exit", True):
                http_server.should_exit = True  # type: ignore[attr-defined]
            else:
                scope.cancel()
            return


if __name__ == "__main__":
    sys.exit(main())
