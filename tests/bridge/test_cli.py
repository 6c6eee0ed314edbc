"""Command-line contract, HTTP authentication and clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from mcp_bridge.cli import parse_config

from .helpers import HttpBridge, bridge_command, child_pids, text_of


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(bridge_command(*args), capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_non_loopback_http_without_a_token_is_refused() -> None:
    done = run_cli("--transport", "http", "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "--auth-token" in done.stderr and done.stdout == ""


def test_a_server_url_must_be_http() -> None:
    done = run_cli("--server-url", "ftp://localhost:8888", "--token", "t")
    assert done.returncode == 2
    assert "--server-url must be an http(s) URL" in done.stderr


@pytest.mark.parametrize("secret", ["-Xk3_q", "--Xk3", "-"])
def test_a_token_may_start_with_a_dash(secret: str) -> None:
    # base64url tokens (secrets.token_urlsafe) start with "-" one time in 64; argparse alone reads one as an option.
    config = parse_config(["--server-url", "http://127.0.0.1:8888", "--token", secret, "--auth-token", secret,
                           "--kernel-id", "k"], env={})
    assert config.server is not None
    assert (config.server.token, config.auth_token, config.server.kernel_id) == (secret, secret, "k")


def test_a_token_followed_by_an_option_is_still_missing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_config(["--server-url", "http://127.0.0.1:8888", "--token", "--kernel-id", "k"], env={})
    assert exit_info.value.code == 2 and "--token: expected one argument" in capsys.readouterr().err


def test_kernel_id_needs_a_server_url() -> None:
    done = run_cli("--kernel-id", "abc")
    assert done.returncode == 2 and "--server-url" in done.stderr


async def test_http_requires_the_bearer_token_when_set(bridge_env: dict[str, str]) -> None:
    bridge = HttpBridge(env={**bridge_env, "STATA_MCP_AUTH_TOKEN": "s3cret"}, transport="http")
    try:
        async with httpx.AsyncClient() as http:
            refused = await http.post(bridge.url, json={})
        assert refused.status_code == 401
        async with bridge.client(headers={"Authorization": "Bearer s3cret"}) as client:
            result = await client.call_tool("stata_run", {"code": 'display "authorised"'})
        assert "authorised" in text_of(result)
    finally:
        bridge.stop()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list child processes")
@pytest.mark.parametrize("how", ["sigterm", "stdin-close"])
def test_shutdown_leaves_no_kernel_behind(bridge_env: dict[str, str], how: str) -> None:
    if how == "sigterm":
        bridge = HttpBridge(env=bridge_env, transport="http")
        process = bridge.process
        assert bridge.kernel_connected.wait(60)
    else:
        process = subprocess.Popen(bridge_command(), env=bridge_env, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        for line in process.stderr:
            if "connected to" in line:
                break
    kernels = child_pids(process.pid)
    assert kernels, "the bridge started no kernel"
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
    else:
        assert process.stdin is not None
        process.stdin.close()
    assert process.wait(30) == 0
    for pid in kernels:
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "zombie" in status.read_text().lower()
