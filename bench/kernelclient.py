"""Jupyter kernels under test, started from temporary kernelspecs and driven over real ZMQ.

The client's iopub socket has no receive high-water mark (RCVHWM=0): a flood must not be dropped
by the measuring side. Arrival times are ``time.time_ns()`` taken as each message is received.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager


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
        total = 0
        out = []
        for t, text in self.streams:
            total += len(text)
            out.append((t, total))
        return out


def write_kernelspec(root: Path, kernel: KernelDef) -> Path:
    spec_dir = root / "kernels" / kernel.name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": list(kernel.argv), "display_name": kernel.label, "language": "stata",
            "interrupt_mode": kernel.interrupt_mode}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root / "kernels"


class KernelSession:
    """A started kernel and a blocking client; ``run`` executes one cell and times its messages."""

    def __init__(self, kernel: KernelDef, root: Path, env: Mapping[str, str], cwd: Path | None = None) -> None:
        self.kernel = kernel
        self._cwd = cwd
        self._kernels_dir = write_kernelspec(root, kernel)
        self._env = {**env, **kernel.env}
        self._context = zmq.Context()
        self._context.setsockopt(zmq.RCVHWM, 0)
        self.km: KernelManager | None = None
        self.kc: BlockingKernelClient | None = None
        self.ready_seconds = 0.0

    def start(self, timeout: float = 120) -> None:
        ksm = KernelSpecManager(kernel_dirs=[str(self._kernels_dir)])
        started = time.perf_counter()
        self.km = KernelManager(kernel_name=self.kernel.name, kernel_spec_manager=ksm, context=self._context)
        self.km.start_kernel(env=self._env, cwd=str(self._cwd) if self._cwd else None)
        self.kc = self.km.client(context=self._context)
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)
        self.ready_seconds = time.perf_counter() - started

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self._context.term()

    def __enter__(self) -> KernelSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self, code: str, timeout: float = 300) -> CellRun:
        """Execute and collect until both the idle status and the shell reply arrived."""
        assert self.kc is not None
        kc = self.kc
        cell = CellRun(sent_ns=time.time_ns())
        msg_id = kc.execute(code, store_history=False)
        deadline = time.monotonic() + timeout
        idle = False
        reply: dict[str, Any] | None = None
        while not idle:
            msg = self._next(kc.get_iopub_msg, deadline)
            now = time.time_ns()
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                cell.streams.append((now, msg["content"]["text"]))
            elif kind == "error":
                cell.error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        while reply is None:
            msg = self._next(kc.get_shell_msg, deadline)
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg
        cell.done_ns = time.time_ns()
        cell.status = reply["content"].get("status", "")
        if cell.status == "error" and cell.error is None:
            cell.error = f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
        return cell

    @staticmethod
    def _next(get: Any, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the kernel did not finish the cell in time")
        try:
            return get(timeout=remaining)
        except queue.Empty as exc:
            raise TimeoutError("the kernel did not finish the cell in time") from exc
