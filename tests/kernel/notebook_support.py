"""Helpers for the notebook-feature tests: shell requests answered by msg_id, long runs to talk over.

Everything is event-driven: a reply is matched by its parent msg_id, a run ends at its idle status.
"""

from __future__ import annotations

import base64
import queue
import struct
import time
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient

from tests.harness import Execution, collect

# Long enough that requests sent during it are certainly answered before it ends on its own.
LONG_RUN = "sleep 20000"


def shell_reply(kc: BlockingKernelClient, msg_id: str, timeout: float = 30) -> tuple[dict[str, Any], list[str]]:
    """The reply to ``msg_id``, and the msg_types of other shell replies that arrived before it."""
    before: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg, before
        before.append(msg["header"]["msg_type"])


def complete(kc: BlockingKernelClient, code: str, pos: int | None = None) -> dict[str, Any]:
    reply, _ = shell_reply(kc, kc.complete(code, len(code) if pos is None else pos))
    return reply["content"]


def inspect(kc: BlockingKernelClient, code: str, pos: int | None = None) -> dict[str, Any]:
    reply, _ = shell_reply(kc, kc.inspect(code, len(code) if pos is None else pos))
    return reply["content"]


def is_complete(kc: BlockingKernelClient, code: str) -> dict[str, Any]:
    reply, _ = shell_reply(kc, kc.is_complete(code))
    return reply["content"]


def start_long_run(kc: BlockingKernelClient, code: str = LONG_RUN) -> tuple[str, float]:
    """Send an execute and return once the kernel has started on it (its execute_input is out)."""
    sent_at = time.monotonic()
    msg_id = kc.execute(code)
    deadline = sent_at + 30
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty as exc:
            raise TimeoutError("the long run never started") from exc
        if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == "execute_input":
            return msg_id, sent_at


def interrupt_and_collect(km: Any, kc: BlockingKernelClient, msg_id: str, sent_at: float) -> Execution:
    km.interrupt_kernel()
    return collect(kc, msg_id, sent_at)


def displays(run: Execution) -> list[dict[str, Any]]:
    return [m["content"] for m in run.of_type("display_data")]


def stderr_text(run: Execution) -> str:
    return "".join(a.msg["content"]["text"] for a in run.streams if a.msg["content"]["name"] == "stderr")


def png_size(b64: str) -> tuple[int, int]:
    data = base64.b64decode(b64)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
