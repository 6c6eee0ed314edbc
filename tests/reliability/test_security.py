"""Who can reach the bridge: loopback by default; elsewhere only with the bearer token, checked on
every request of both HTTP transports; DNS rebinding (foreign Host/Origin) refused on loopback; the
owned kernel's connection file private (0600). (``--allow-dir`` is in test_bad_input's do-file table.)"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bridge.helpers import HttpBridge, text_of

from . import proc
from .rawmcp import ACCEPT, RawSession

TOKEN = "reliability-s3cret"


@pytest.fixture(scope="module")
def loopback_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge(env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture(scope="module", params=["http", "sse"])
def exposed_bridge(request: pytest.FixtureRequest, bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    """Bound to every interface, so a token is required (given through the environment)."""
    env = {**bridge_env, "STATA_MCP_AUTH_TOKEN": TOKEN}
    bridge = HttpBridge("--host", "0.0.0.0", env=env, transport=request.param)
    try:
        yield bridge
    finally:
        bridge.stop()


def test_http_binds_loopback_by_default(loopback_bridge: HttpBridge) -> None:
    assert loopback_bridge.url.startswith("http://127.0.0.1:")
    listening = Path("/proc/net/tcp").read_text()
    port = f"{int(loopback_bridge.url.rsplit(':', 1)[1].split('/')[0]):04X}"
    local = [line.split()[1] for line in listening.splitlines()[1:] if line.split()[3] == "0A"]
    assert f"0100007F:{port}" in local and f"00000000:{port}" not in local


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
async def test_every_request_without_the_right_token_is_refused(exposed_bridge: HttpBridge,
                                                                authorization: str | None) -> None:
    headers = {"Accept": ACCEPT, "Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    base = exposed_bridge.base_url
    requests = [("POST", exposed_bridge.url), ("GET", exposed_bridge.url), ("DELETE", exposed_bridge.url),
                ("POST", f"{base}/messages/?session_id=00000000000000000000000000000000"), ("GET", f"{base}/")]
    async with httpx.AsyncClient(timeout=10) as http:
        for method, url in requests:
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}) if method == "POST" else None
            response = await http.request(method, url, headers=headers, content=body)
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.headers.get("www-authenticate", "").startswith("Bearer")


async def test_the_right_token_works_on_every_request(exposed_bridge: HttpBridge) -> None:
    async with exposed_bridge.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        result = await client.call_tool("stata_run", {"code": 'display "authorised"'})
        listing = await client.read_resource("stata://runs")
    assert "authorised" in text_of(result) and listing.contents


@pytest.mark.parametrize(("header", "value"), [("Host", "evil.example"), ("Host", "evil.example:80"),
                                                ("Origin", "http://evil.example"), ("Origin", "null")])
async def test_dns_rebinding_is_refused(loopback_bridge: HttpBridge, header: str, value: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        session = RawSession(http, loopback_bridge.url)
        await session.initialize()  # a legitimate session exists
        body = {"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                "params": {"name": "stata_run", "arguments": {"code": 'display "pwned"'}}}
        response = await http.post(loopback_bridge.url, json=body, headers=session.request_headers(**{header: value}))
        fresh = await http.post(loopback_bridge.url, headers={"Accept": ACCEPT, header: value}, json={
            "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}})
    assert response.status_code in (400, 403, 421), response.status_code
    assert fresh.status_code in (400, 403, 421), fresh.status_code
    assert "pwned" not in response.text


async def test_the_owned_kernel_connection_file_is_private(loopback_bridge: HttpBridge, figures) -> None:
    async with loopback_bridge.client() as client:  # the kernel is up once a run went through
        assert "1" in text_of(await client.call_tool("stata_run", {"code": "display 1"}))
    descendants = proc.descendants(loopback_bridge.process.pid)
    kernels = sorted(proc.kernels_of(loopback_bridge.process.pid))
    assert len(kernels) == 1, {pid: proc.cmdline(pid) for pid in descendants}
    argv = Path(f"/proc/{kernels[0]}/cmdline").read_bytes().split(b"\0")
    connection_file = Path(argv[argv.index(b"-f") + 1].decode())
    mode = stat.S_IMODE(connection_file.stat().st_mode)
    figures["connection_file_mode"] = oct(mode)
    assert mode == 0o600, oct(mode)
    info = json.loads(connection_file.read_text())
    assert info["ip"] == "127.0.0.1" and info["key"]  # loopback ports, messages signed


@pytest.mark.parametrize("transport", ["http", "sse"])
async def test_dns_rebinding_is_refused_on_any_loopback_address(bridge_env: dict[str, str], transport: str) -> None:
    """127.0.0.2 is loopback too (no token required), so it needs the same Host/Origin checks."""
    bridge = HttpBridge("--host", "127.0.0.2", env=bridge_env, transport=transport)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            if transport == "http":
                evil = await http.post(bridge.url, headers={"Accept": ACCEPT, "Host": "evil.example"}, json={
                    "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                        "protocolVersion": "2025-11-25", "capabilities": {},
                        "clientInfo": {"name": "x", "version": "0"}}})
            else:
                async with http.stream("GET", bridge.url, headers={"Host": "evil.example"}) as evil:
                    pass
        assert evil.status_code in (400, 403, 421), evil.status_code
        async with bridge.client() as client:  # the legitimate address still works
            assert "7" in text_of(await client.call_tool("stata_run", {"code": "display 7"}))
    finally:
        bridge.stop()
