"""Jupyter kernels under test, started from temporary kernelspecs and driven over real ZMQ.

The client's iopub socket has no receive high-water mark (RCVHWM=0): a flood must not be dropped
by the measuring side. Arrival times are ``time.time_ns()`` taken as each message is received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from .emitlog import cumulative


@dataclass(frozen=True)
class KernelDef:
    """How to start one kernel: its argv (with ``{connection_file}``) and extra environment."""

    name: str
    label: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    interrupt_mode: str = "signal"


@dataclass
class CellRun:
    """One execute request as the client saw it."""

    sent_ns: int
    done_ns: int = 0
    status: str = ""
    streams: list[tuple[int, str]] = field(default_factory=list)  # (arrival time_ns, text), stdout+stderr
    error: str | None = None

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.streams)

    @property
    def seconds(self) -> float:
        return (self.done_ns - self.sent_ns) / 1e9

    def cumulative_arrivals(self) -> list[tuple[int, int]]:
        return cumulative(self.streams)


def write_kernelspec(root: Path, kernel: KernelDef) -> Path:
    spec_dir = root / "kernels" / kernel.name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": list(kernel.argv), "display_name": kernel.label, "language": "stata",
            "interrupt_mode": kernel.interrupt_mode}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root / "kernels"


class KernelSession:
    """A started kernel and a lean client on raw ZMQ sockets; ``run`` executes one cell and times it.

    jupyter_client's blocking client spins an event loop per received message (~0.3 ms each, several
    per cell); that would add the same constant to every kernel and hide their differences. It is
    only used to wait for the kernel to be ready.
    """

    def __init__(self, kernel: KernelDef, root: Path, env: Mapping[str, str], cwd: Path | None = None) -> None:
        self.kernel = kernel
        self._cwd = cwd
        self._kernels_dir = write_kernelspec(root, kernel)
        self._env = {**env, **kernel.env}
        self._context = zmq.Context()
        self._context.setsockopt(zmq.RCVHWM, 0)
        self.km: KernelManager | None = None
        self._session: Session | None = None
        self._shell: zmq.Socket[bytes] | None = None
        self._iopub: zmq.Socket[bytes] | None = None
        self._poller = zmq.Poller()
        self.ready_seconds = 0.0

    def start(self, timeout: float = 120) -> None:
        ksm = KernelSpecManager(kernel_dirs=[str(self._kernels_dir)])
        started = time.perf_counter()
        self.km = KernelManager(kernel_name=self.kernel.name, kernel_spec_manager=ksm, context=self._context)
        self.km.start_kernel(env=self._env, cwd=str(self._cwd) if self._cwd else None)
        kc: BlockingKernelClient = self.km.client(context=self._context)
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
        finally:
            kc.stop_channels()
        self.ready_seconds = time.perf_counter() - started
        info = self.km.get_connection_info()
        self._session = Session(key=info["key"], signature_scheme=info["signature_scheme"])
        url = f"{info['transport']}://{info['ip']}:"
        self._shell = self._context.socket(zmq.DEALER)
        self._shell.connect(url + str(info["shell_port"]))
        self._iopub = self._context.socket(zmq.SUB)
        self._iopub.setsockopt(zmq.RCVHWM, 0)
        self._iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self._iopub.connect(url + str(info["iopub_port"]))
        self._poller.register(self._shell, zmq.POLLIN)
        self._poller.register(self._iopub, zmq.POLLIN)
        self._wait_subscribed(timeout)

    def _wait_subscribed(self, timeout: float) -> None:
        """A SUB socket misses what is published before its subscription lands: probe until it has."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self._send("kernel_info_request", {})
            end = time.monotonic() + 1.0
            got_iopub = got_reply = False
            while time.monotonic() < end and not (got_iopub and got_reply):
                for sock, msg in self._receive(100):
                    if msg["parent_header"].get("msg_id") == msg_id:
                        got_iopub |= sock is self._iopub
                        got_reply |= sock is self._shell
            if got_iopub and got_reply:
                return
        raise TimeoutError("the kernel's iopub channel never answered")

    def _send(self, msg_type: str, content: dict[str, Any]) -> str:
        assert self._session is not None and self._shell is not None
        msg = self._session.msg(msg_type, content)
        self._session.send(self._shell, msg)
        return str(msg["header"]["msg_id"])

    def _receive(self, timeout_ms: int) -> list[tuple[Any, dict[str, Any]]]:
        assert self._session is not None
        out = []
        for sock, _ in self._poller.poll(timeout_ms):
            while True:
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK, copy=True)
                except zmq.Again:
                    break
                _, parts = self._session.feed_identities(frames, copy=True)
                out.append((sock, self._session.deserialize(parts, content=True, copy=True)))
        return out

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def stop(self) -> None:
        for sock in (self._shell, self._iopub):
            if sock is not None:
                sock.close(linger=0)
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self._context.destroy(linger=0)

    def __enter__(self) -> KernelSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connection_file(self) -> str:
        """Where the kernel's ports and key are written: another client (the bridge) can attach to it."""
        assert self.km is not None
        return str(self.km.connection_file)

    def run(self, code: str, timeout: float = 300, user_expressions: Mapping[str, str] | None = None) -> CellRun:
        """Execute and collect until both the idle status and the shell reply arrived."""
        content = {"code": code, "silent": False, "store_history": False,
                   "user_expressions": dict(user_expressions or {}),
                   "allow_stdin": False, "stop_on_error": False}
        cell = CellRun(sent_ns=time.time_ns())
        msg_id = self._send("execute_request", content)
        deadline = time.monotonic() + timeout
        idle = False
        reply: dict[str, Any] | None = None
        while not (idle and reply is not None):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the kernel did not finish the cell in time")
            for sock, msg in self._receive(int(min(remaining, 1.0) * 1000) + 1):
                now = time.time_ns()
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if sock is self._shell:
                    reply = msg
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    cell.streams.append((now, msg["content"]["text"]))
                elif kind == "error":
                    cell.error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        cell.done_ns = time.time_ns()
        cell.status = reply["content"].get("status", "")
        if cell.status == "error" and cell.error is None:
            cell.error = f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
        return cell
