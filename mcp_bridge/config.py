"""The bridge's settings, validated once, passed explicitly to whatever needs them."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Literal

from .kernel import ServerTarget
from .kernel.pool import DEFAULT_IDLE_TIMEOUT, DEFAULT_SIZE, DEFAULT_WARM

Transport = Literal["stdio", "http", "sse"]
StreamVia = Literal["progress", "log", "both", "auto"]
STREAM_VIA: tuple[StreamVia, ...] = ("progress", "log", "both", "auto")

DEFAULT_MAX_CODE_BYTES = 1024 * 1024
DEFAULT_HEARTBEAT_S = 5.0
# Memory windows under floods (issue 14): a run's log (head + tail, mcp_bridge.logwindow), the text
# queued for progress while a notification is in flight (mcp_bridge.relay), the HTTP event store.
DEFAULT_LOG_WINDOW_CHARS = 4_000_000
DEFAULT_PROGRESS_WINDOW_CHARS = 8_000_000
DEFAULT_EVENT_STORE_BYTES = 8 * 1024 * 1024


class ConfigError(ValueError):
    """The command line or environment asks for something inconsistent."""


@dataclass(frozen=True)
class BridgeConfig:
    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    auth_token: str | None = None
    kernel_name: str = "stata-live"
    connection_file: str | None = None
    server: ServerTarget | None = None
    heartbeat_s: float = DEFAULT_HEARTBEAT_S
    # Which notifications carry a run's output (mcp_bridge.tools.streams): progress, log messages, both,
    # or auto (progress when the request has a progressToken, else log messages if the client opted in).
    stream_via: StreamVia = "auto"
    max_code_bytes: int = DEFAULT_MAX_CODE_BYTES
    log_level: str = "INFO"
    # Agent command policy (mcp_bridge.policy) and audit log (mcp_bridge.audit).
    policy: bool = True
    allowed_dirs: tuple[str, ...] = ()  # empty: the working directory
    allowed_commands: tuple[str, ...] = ()  # taken off the policy's deny-list
    audit_log: str | None = None
    # --kernel-per-session (mcp_bridge.kernel.pool): each MCP session its own kernel, from a pool.
    kernel_per_session: bool = False
    pool_size: int = DEFAULT_SIZE
    pool_warm: int = DEFAULT_WARM
    pool_idle_s: float = DEFAULT_IDLE_TIMEOUT
    log_window_chars: int = DEFAULT_LOG_WINDOW_CHARS
    progress_window_chars: int = DEFAULT_PROGRESS_WINDOW_CHARS
    event_store_bytes: int = DEFAULT_EVENT_STORE_BYTES

    def __post_init__(self) -> None:
        self._check_pool()
        for directory in self.allowed_dirs:
            if not os.path.isdir(directory):
                raise ConfigError(f"--allow-dir {directory!r} is not an existing directory")
        if self.heartbeat_s <= 0:
            raise ConfigError("--heartbeat must be a positive number of seconds")
        if self.max_code_bytes <= 0:
            raise ConfigError("--max-code-bytes must be positive")
        if self.log_window_chars < 2 or self.progress_window_chars < 2:
            raise ConfigError("--log-window-chars and --progress-window-chars must be at least 2")
        if self.event_store_bytes < 1:
            raise ConfigError("--event-store-bytes must be positive")
        if not 0 <= self.port <= 65535:
            raise ConfigError("--port must be between 0 and 65535")
        if self.server is not None and self.connection_file is not None:
            raise ConfigError("--server-url and --connection-file are alternatives; give one")
        if self.transport != "stdio" and not is_loopback(self.host) and not self.auth_token:
            raise ConfigError(
                f"Refusing to serve on non-loopback host {self.host!r} without authentication: set "
                "--auth-token or STATA_MCP_AUTH_TOKEN (clients then send 'Authorization: Bearer TOKEN')."
            )


    def _check_pool(self) -> None:
        if not self.kernel_per_session:
            return
        if self.connection_file is not None or (self.server is not None and self.server.kernel_id):
            raise ConfigError(
                "--kernel-per-session starts kernels; it cannot be combined with --connection-file or --kernel-id"
            )
        if self.pool_size < 1:
            raise ConfigError("--pool-size must be at least 1")
        if not 0 <= self.pool_warm <= self.pool_size:
            raise ConfigError("--pool-warm must be between 0 and --pool-size")
        if self.pool_idle_s <= 0:
            raise ConfigError("--pool-idle-timeout must be a positive number of seconds")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
