"""What the kernel publishes on iopub itself, at once, with the request as parent: stream pieces (through a
:class:`Coalescer`), stderr notes, graphs and errors. ipykernel's own OutStream would hold them up to 200 ms.

The error content carries the facts the bridge reads as data (``syntax.wire``).
"""

from __future__ import annotations

import base64
from typing import Any

from ipykernel.kernelbase import Kernel
from jupyter_client.session import Session

from . import _compat, magics
from .errors import StataError
from .graphs import ExportedGraph, media_type
from .streaming import Coalescer
from .syntax import wire
from .syntax.delimit import cell_line

# One stream message carries at most this much: a flood read from Stata in multi-megabyte pieces goes out in
# pieces this size, so serialising one message never holds several copies of megabytes at once (kernel memory),
# and frontends render it in steps.
MAX_STREAM_CHARS = 1_000_000


def session_of(kernel: Kernel) -> Session:
    """The kernel's message session (set by the kernel app before any message is handled)."""
    session = kernel.session
    if session is None:
        raise RuntimeError("the kernel has no message session yet")
    return session


class Publisher:
    """iopub messages of one kernel."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def _send(self, msg_type: str, content: dict[str, Any], parent: dict[str, Any], topic: str | None = None) -> None:
        kernel = self._kernel
        session_of(kernel).send(kernel.iopub_socket, msg_type, content, parent=parent,
                                ident=_compat.topic(kernel, topic or msg_type))

    def stream(self, parent: dict[str, Any]) -> Coalescer:
        """A run's stdout: each piece sent on the writer's thread (the pump, the worker or the event loop)."""
        kernel = self._kernel
        session, socket, topic = session_of(kernel), kernel.iopub_socket, _compat.topic(kernel, "stream")

        def send(text: str) -> None:
            for start in range(0, len(text), MAX_STREAM_CHARS):
                session.send(socket, "stream", {"name": "stdout", "text": text[start : start + MAX_STREAM_CHARS]},
                             parent=parent, ident=topic)

        return Coalescer(send)

    def stderr(self, parent: dict[str, Any], text: str) -> None:
        self._send("stream", {"name": "stderr", "text": text}, parent)

    def display(self, parent: dict[str, Any], data: dict[str, Any], metadata: dict[str, Any]) -> None:
        self._send("display_data", {"data": data, "metadata": metadata, "transient": {}}, parent)

    def graph(self, parent: dict[str, Any], graph: ExportedGraph) -> None:
        if graph.errors:
            self.stderr(parent, "".join(f"Graph {graph.name} could not be exported as {fmt}: {why}\n"
                                        for fmt, why in graph.errors.items()))
        if not graph.images:
            return
        data: dict[str, Any] = {"text/plain": f"<Stata graph {graph.name}>"}
        for fmt, content in graph.images.items():
            if fmt == "svg":
                data[media_type(fmt)] = content.decode("utf-8", "replace")
            else:
                data[media_type(fmt)] = base64.b64encode(content).decode("ascii")
        self.display(parent, data, {wire.LEGACY_GRAPH: graph.name,
                                    wire.STATA: {wire.GRAPH: graph.name, wire.FORMATS: list(graph.images)}})

    def error(self, parent: dict[str, Any], content: dict[str, Any]) -> None:
        self._send("error", content, parent)


def error_content(parent: dict[str, Any], exc: BaseException, tail: str) -> dict[str, Any]:
    """``ename``/``evalue``/``traceback`` and, for a Stata error, its facts as data (``syntax.wire``)."""
    ename = type(exc).__name__
    evalue = str(exc)
    traceback: list[str]
    if isinstance(exc, StataError):
        # Stata already wrote its message (and often r(N);) to the output: show only what is missing.
        shown = [line for line in (exc.message, f"r({exc.rc});") if line and line.strip() not in tail]
        traceback = [f"\x1b[0;31m{line}\x1b[0m" for line in shown]
    else:
        traceback = [f"\x1b[0;31m{ename}: {evalue}\x1b[0m"]
    content: dict[str, Any] = {"ename": ename, "evalue": evalue, "traceback": traceback}
    if isinstance(exc, StataError):  # the facts as data, so the bridge need not parse them back
        line: int | None = None
        if exc.line is not None and exc.code is not None:  # exc.line is in the code Stata ran: map it
            cell = str(parent.get("content", {}).get("code", ""))
            body = magics.parse_cell(cell).code
            found = cell_line(body, exc.code, exc.line) if cell.endswith(body) else None
            line = None if found is None else found + cell[: len(cell) - len(body)].count("\n")
        content[wire.STATA] = {wire.RC: exc.rc, wire.KIND: ename, wire.MESSAGE: exc.message,
                               wire.LINE: line, wire.COMMAND: exc.command if line is not None else None}
    return content
