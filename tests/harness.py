"""Starting real stata-live kernels for tests, over real ZMQ, from a temporary kernelspec.

jupyter_client 8 ignores ``kernel_cmd``, so every test kernel comes from a kernelspec written to a temp
directory (argv = this Python), with the environment (STATA_DIR...) given at start.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

TEST_KERNEL_NAME = "stata-live-test"


def simulator_dir() -> str:
    out = subprocess.run([sys.executable, "-m", "stata_kernel", "simulator-dir"], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def write_kernelspec(root: Path, name: str = TEST_KERNEL_NAME) -> Path:
    """A kernelspec like the shipped one, but running this interpreter; returns the kernels dir."""
    kernels = root / "kernels"
    spec_dir = kernels / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "stata_kernel", "-f", "{connection_file}"],
        "display_name": "Stata (live, test)",
        "language": "stata",
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return kernels


def kernel_env(stata_dir: str | None, home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STATA_DIR", "STATA_EDITION")}
    if stata_dir is not None:
        env["STATA_DIR"] = stata_dir
    if home is not None:  # isolate config-file discovery from the developer's own config
        env["HOME"] = str(home)
        env["XDG_CONFIG_HOME"] = str(home / ".config")
        env.pop("STATA_LIVE_CONFIG", None)
    env.update(extra)
    return env


def start_kernel(kernels_dir: Path, env: dict[str, str], name: str = TEST_KERNEL_NAME,
                 timeout: float = 60) -> tuple[KernelManager, BlockingKernelClient]:
    ksm = KernelSpecManager(kernel_dirs=[str(kernels_dir)])
    km = KernelManager(kernel_name=name, kernel_spec_manager=ksm)
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=timeout)
    return km, kc


def stop_kernel(km: KernelManager, kc: BlockingKernelClient) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@dataclass
class Arrival:
    time: float
    msg: dict[str, Any]

    @property
    def msg_type(self) -> str:
        return self.msg["header"]["msg_type"]


@dataclass
class Execution:
    msg_id: str
    sent_at: float
    reply: dict[str, Any] | None = None
    reply_at: float = 0.0
    iopub: list[Arrival] = field(default_factory=list)

    @property
    def streams(self) -> list[Arrival]:
        return [a for a in self.iopub if a.msg_type == "stream"]

    @property
    def text(self) -> str:
        return "".join(a.msg["content"]["text"] for a in self.streams if a.msg["content"]["name"] == "stdout")

    def of_type(self, msg_type: str) -> list[dict[str, Any]]:
        return [a.msg for a in self.iopub if a.msg_type == msg_type]

    @property
    def status(self) -> str:
        assert self.reply is not None
        return self.reply["content"]["status"]


def collect(kc: BlockingKernelClient, msg_id: str, sent_at: float, timeout: float = 60) -> Execution:
    """Gather every iopub message of one request until its idle status, and its shell reply."""
    run = Execution(msg_id, sent_at)
    deadline = time.monotonic() + timeout
    idle = False
    while not idle:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout}s")
        try:
            msg = kc.get_iopub_msg(timeout=remaining)
        except queue.Empty as exc:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout}s") from exc
        now = time.monotonic()
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        run.iopub.append(Arrival(now, msg))
        if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    while run.reply is None:
        reply = kc.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            run.reply = reply
            run.reply_at = time.monotonic()
    return run


def execute(kc: BlockingKernelClient, code: str, timeout: float = 60, **kwargs: Any) -> Execution:
    sent_at = time.monotonic()
    msg_id = kc.execute(code, **kwargs)
    return collect(kc, msg_id, sent_at, timeout)
