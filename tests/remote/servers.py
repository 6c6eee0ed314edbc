"""A real Jupyter Server and a real Jupyter Kernel Gateway for the tests, and a TCP proxy that can cut
their connections.

Each server runs as a subprocess on a free loopback port with a token, the stata-live kernelspec in a
temporary prefix (``JUPYTER_PATH``) and ``STATA_DIR`` pointing at the simulated Stata in its
environment: kernels inherit it, the bridge never sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx

from tests.bridge.helpers import ROOT

KERNEL_NAME = "stata-live"
_RUNNING_AT = re.compile(r"(http://127\.0\.0\.1:(\d+))/")
_GATEWAY_AT = re.compile(r"Kernel Gateway \S+ is available at (http://127\.0\.0\.1:\d+)")
_GATEWAY_KERNEL = re.compile(r"Kernel (started|shutdown): ([0-9a-f-]{36})")


def write_kernelspec(data_dir: Path, name: str = KERNEL_NAME) -> None:
    """The shipped kernelspec, with this interpreter as argv[0] (the kernel needs our venv)."""
    spec_dir = data_dir / "kernels" / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = json.loads((ROOT / "stata_kernel" / "kernelspec" / "kernel.json").read_text())
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


class _ServerProcess:
    """A server subprocess whose stderr is read line by line: ``url`` is set from the line that
    ``announces`` it (group 1); subclasses read more from the log in ``_on_line``."""

    token: str

    def _start(self, command: list[str], env: dict[str, str], cwd: Path, announces: re.Pattern[str],
               what: str) -> None:
        self.lines: list[str] = []
        self.url = ""
        self._announces = announces
        self._changed = threading.Condition()
        self.process = subprocess.Popen(command, env=env, cwd=str(cwd), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._drain, daemon=True).start()
        with self._changed:
            self._changed.wait_for(lambda: self.url or self.process.poll() is not None, 60)
        if not self.url:
            self.stop()
            raise RuntimeError(f"{what} did not start:\n" + "".join(self.lines))

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line)
                if match := self._announces.search(line):
                    self.url = self.url or match.group(1)
                self._on_line(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _on_line(self, line: str) -> None:
        """Called with each log line (under the lock)."""

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"token {token or self.token}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kw)

    @contextlib.contextmanager
    def kernel(self) -> Iterator[str]:
        """A kernel started here by someone else (a notebook, another tool); shut down afterwards."""
        response = self.api("POST", "/api/kernels", json={"name": KERNEL_NAME})
        response.raise_for_status()
        kernel_id = str(response.json()["id"])
        try:
            yield kernel_id
        finally:
            self.api("DELETE", f"/api/kernels/{kernel_id}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class JupyterServer(_ServerProcess):
    """``jupyter server`` on 127.0.0.1 with a token; ``stop()`` shuts it and its kernels down."""

    def __init__(
        self, root: Path, stata_dir: str, token: str, *extra: str, env: dict[str, str] | None = None
    ) -> None:
        self.token = token
        work = root / "work"
        work.mkdir(exist_ok=True)
        self._start(
            [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
             "--ServerApp.port=0", f"--ServerApp.root_dir={work}", f"--IdentityProvider.token={token}",
             "--ServerApp.shutdown_no_activity_timeout=0", "--allow-root", *extra],
            server_env(root, stata_dir, env), work, _RUNNING_AT, "jupyter server",
        )

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def kernels(self) -> list[dict[str, Any]]:
        response = self.api("GET", "/api/kernels")
        response.raise_for_status()
        return list(response.json())


def server_env(root: Path, stata_dir: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A server's environment: its own Jupyter dirs under ``root``, the kernelspec, the simulated Stata."""
    data = root / "share" / "jupyter"
    write_kernelspec(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "STATA_", "KG_"))}
    env.update({
        "JUPYTER_PATH": str(data),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTER_DATA_DIR": str(root / "data"),
        "HOME": str(root),
        "STATA_DIR": stata_dir,
    })
    env.update(extra or {})
    return env


class KernelGateway(_ServerProcess):
    """``jupyter kernelgateway`` (``jupyter_websocket`` mode, its defaults: kernels not listable) on
    127.0.0.1 with an auth token. Its log says which kernels it started and shut down."""

    def __init__(self, root: Path, stata_dir: str, token: str, *extra: str) -> None:
        self.token = token
        self._kernels: dict[str, str] = {}  # kernel id -> "started" | "shutdown"
        work = root / "work"
        work.mkdir(exist_ok=True)
        # The gateway has no "pick a free port" (port 0 is reported as 0): take one that is free now;
        # if someone grabs it meanwhile the gateway tries the next ones and logs where it listens.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._start(
            [sys.executable, "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1",
             f"--KernelGatewayApp.port={port}", f"--KernelGatewayApp.auth_token={token}", *extra],
            server_env(root, stata_dir), work, _GATEWAY_AT, "jupyter kernelgateway",
        )

    def _on_line(self, line: str) -> None:
        if match := _GATEWAY_KERNEL.search(line):
            self._kernels[match.group(2)] = match.group(1)

    def started(self) -> set[str]:
        """Kernels the gateway started and has not shut down, as its log tells (it lists none)."""
        with self._changed:
            return {k for k, state in self._kernels.items() if state == "started"}

    async def wait_new_kernel(self, before: set[str], timeout: float = 30) -> str:
        """The one kernel started since ``before`` was taken, once the gateway has logged it."""
        def new() -> set[str]:
            with self._changed:
                self._changed.wait_for(lambda: bool(self.started() - before), timeout)
                return self.started() - before

        (kernel_id,) = await anyio.to_thread.run_sync(new)
        return kernel_id

    async def wait_shutdown(self, kernel_id: str, timeout: float = 30) -> None:
        """Until the gateway logs the kernel's shutdown (the bridge's DELETE finishes there)."""
        def shut() -> bool:
            with self._changed:
                return bool(self._changed.wait_for(lambda: self._kernels.get(kernel_id) == "shutdown", timeout))

        assert await anyio.to_thread.run_sync(shut), f"kernel {kernel_id} was not shut down"


class DropProxy:
    """Forwards 127.0.0.1:port to a target port; ``drop()`` cuts every open connection at once.

    That is what a flaky network does to the bridge's websocket: the bridge must reconnect by
    itself. ``hold()`` makes new connections wait (refused by closing them) until ``release()``.
    """

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._held = False
        self.accepted = 0
        self._accepted_changed = threading.Condition(self._lock)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._commands: list[str] = []
        self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drop(self) -> None:
        self._command("drop")

    def hold(self) -> None:
        with self._lock:
            self._held = True

    def release(self) -> None:
        with self._lock:
            self._held = False

    def wait_accepted(self, count: int, timeout: float = 60) -> bool:
        """Wait until at least ``count`` connections were accepted (and forwarded) in total."""
        with self._accepted_changed:
            return self._accepted_changed.wait_for(lambda: self.accepted >= count, timeout)

    def close(self) -> None:
        self._running = False
        self._command("stop")
        self._thread.join(10)

    def _command(self, command: str) -> None:
        with self._lock:
            self._commands.append(command)
        self._wake_w.send(b"x")

    def _loop(self) -> None:
        while self._running:
            for key, _ in self._selector.select():
                sock = key.fileobj
                if sock is self._listener:
                    self._accept()
                elif sock is self._wake_r:
                    self._wake_r.recv(4096)
                    with self._lock:
                        commands, self._commands = self._commands, []
                    if commands:
                        self._close_all()
                else:
                    self._pump(sock)  # type: ignore[arg-type]
        self._close_all()
        self._selector.close()
        self._listener.close()

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        with self._lock:
            held = self._held
        if held:
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self._target))
        for sock in (client, upstream):
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ)
        self._pairs[client] = upstream
        self._pairs[upstream] = client
        with self._accepted_changed:
            self.accepted += 1
            self._accepted_changed.notify_all()

    def _pump(self, sock: socket.socket) -> None:
        peer = self._pairs.get(sock)
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data or peer is None:
            self._close_pair(sock)
            return
        try:
            peer.setblocking(True)
            peer.sendall(data)
            peer.setblocking(False)
        except OSError:
            self._close_pair(sock)

    def _close_pair(self, sock: socket.socket) -> None:
        peer = self._pairs.pop(sock, None)
        for each in (sock, peer):
            if each is None:
                continue
            self._pairs.pop(each, None)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(each)
            each.close()

    def _close_all(self) -> None:
        for sock in list(self._pairs):
            self._close_pair(sock)


def kernel_pid(server: JupyterServer, kernel_id: str) -> int:
    """The process of one kernel of the server (its command line names its connection file)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(kernel_id.encode() in arg for arg in args) and b"stata_kernel" in b" ".join(args):
            return int(cmdline.parent.name)
    raise LookupError(f"no process for kernel {kernel_id}")


async def wait_until_gone(server: JupyterServer, kernel_ids: set[str], timeout: float = 30) -> None:
    """Wait until none of ``kernel_ids`` is listed (a shutdown finishes on the server after the
    bridge sent it); polls the server's list, which is where that condition lives."""
    with anyio.fail_after(timeout):
        while kernel_ids & {k["id"] for k in server.kernels()}:
            await anyio.sleep(0.1)
