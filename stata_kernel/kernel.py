"""The Jupyter kernel: a thin adapter that turns engine events into iopub messages.

No pystata here (that is ``engine.pystata_backend``); no Jupyter names below this module.
"""

from __future__ import annotations

import base64
import contextlib
import signal
import threading
from typing import Any

from ipykernel.kernelbase import Kernel
from traitlets import Integer, Unicode

from . import DISPLAY_NAME, __version__
from .engine.factory import engine_for
from .errors import StataError, StataLiveError
from .graphs import ExportedGraph, GraphExporter, might_make_graphs
from .session import StataSession
from .streaming import Coalescer
from .syntax import is_complete, translate_delimit

# Requests answered at once even while a cell runs: they never wait on Stata.
_CONCURRENT_REQUESTS = frozenset({"is_complete_request", "kernel_info_request", "complete_request",
                                  "inspect_request"})
_TAIL_CHARS = 4096


class InvalidCode(StataLiveError):
    """Code the kernel refuses to send to Stata."""


class _RunOutput:
    """Forwards a run's output to the frontend and remembers its end (to avoid repeating an error)."""

    def __init__(self, coalescer: Coalescer | None) -> None:
        self._coalescer = coalescer
        self._tail = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        with self._lock:
            self._tail = (self._tail + text)[-_TAIL_CHARS:]
        if self._coalescer is not None:
            self._coalescer.write(text)

    @property
    def tail(self) -> str:
        return self._tail


class StataKernel(Kernel):
    implementation = "stata-live"
    implementation_version = __version__
    language = "stata"
    language_version = ""
    language_info = {
        "name": "stata",
        "mimetype": "text/x-stata",
        "file_extension": ".do",
        "pygments_lexer": "stata",
        "codemirror_mode": "stata",
    }
    help_links = [{"text": "Stata documentation", "url": "https://www.stata.com/features/documentation/"}]

    stata_dir = Unicode(None, allow_none=True, help="Stata installation directory").tag(config=True)
    stata_edition = Unicode(None, allow_none=True, help="Stata edition: mp, se or be").tag(config=True)
    max_code_bytes = Integer(4_000_000, help="Largest cell, in UTF-8 bytes, sent to Stata").tag(config=True)
    graph_width = Integer(600, help="Width in pixels of PNG graphs shown inline").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        stata_dir, edition = self.stata_dir, self.stata_edition
        self.stata = StataSession(lambda: engine_for(stata_dir, edition))
        self.delimiter = "cr"
        self.graphs = GraphExporter(width_px=self.graph_width)

    def start(self) -> None:
        super().start()
        # Backup for frontends that still send SIGINT: break the run instead of dying. Registered on the
        # event loop so the signal wakes it even when delivered while the main thread waits in select().
        loop = getattr(self.io_loop, "asyncio_loop", None)
        try:
            loop.add_signal_handler(signal.SIGINT, self._on_sigint_from_loop)  # type: ignore[union-attr]
        except (AttributeError, NotImplementedError, RuntimeError, ValueError):
            with contextlib.suppress(ValueError):  # only possible on the main thread
                signal.signal(signal.SIGINT, self._on_sigint)

    # ----------------------------------------------------------------------------------- metadata

    @property
    def banner(self) -> str:  # type: ignore[override]
        info = self.stata.info
        head = f"{DISPLAY_NAME} {__version__}: Stata output streams while your code runs."
        if info is not None:
            kind = "SIMULATED Stata (stata-live simulator, not a real Stata)" if info.simulated else "Stata"
            version = f" {info.version}" if info.version else ""
            return f"{head}\n{kind}{version} {info.edition.upper()} at {info.stata_dir}"
        reason = self.stata.unavailable_reason
        return f"{head}\n{reason}" if reason else f"{head}\nStata is starting..."

    @property
    def kernel_info(self) -> dict[str, Any]:  # type: ignore[override]
        info = dict(super().kernel_info)
        info["supported_features"] = []  # no debugger, no subshells: do not advertise them
        return info

    # ------------------------------------------------------------------------------ concurrency

    async def shell_main(self, subshell_id: str | None, msg: Any) -> None:
        """Answer is_complete/complete/inspect/kernel_info even while a cell runs.

        ipykernel serialises shell requests behind one lock; these never touch Stata, and jupyter
        console gives up on is_complete for good after one slow reply.
        """
        lock = getattr(self, "_main_asyncio_lock", None)
        if subshell_id is None and lock is not None and lock.locked() and self.session is not None:
            try:
                _, frames = self.session.feed_identities(msg, copy=False)
                header = self.session.deserialize(frames, content=False, copy=False)["header"]
            except Exception:
                header = {}
            if header.get("msg_type") in _CONCURRENT_REQUESTS:
                shell_parent = self.get_parent("shell")
                shell_ident = self._get_shell_context_var(self._shell_parent_ident)
                try:
                    await self.dispatch_shell(msg, subshell_id=subshell_id, concurrent=True)
                finally:
                    self.set_parent(shell_ident, shell_parent, channel="shell")
                return
        await super().shell_main(subshell_id, msg)

    # -------------------------------------------------------------------------------- execution

    def _send_stream(self, parent: dict[str, Any]) -> Coalescer:
        topic = self._topic("stream")

        def send(text: str) -> None:
            self.session.send(
                self.iopub_socket, "stream", {"name": "stdout", "text": text}, parent=parent, ident=topic
            )

        return Coalescer(send)

    def _error_reply(self, parent: dict[str, Any], exc: BaseException, tail: str, silent: bool) -> dict[str, Any]:
        ename = type(exc).__name__
        evalue = str(exc)
        traceback: list[str]
        if isinstance(exc, StataError):
            # Stata already wrote its message (and often r(N);) to the output: show only what is missing.
            shown = [line for line in (exc.message, f"r({exc.rc});") if line and line.strip() not in tail]
            traceback = [f"\x1b[0;31m{line}\x1b[0m" for line in shown]
        else:
            traceback = [f"\x1b[0;31m{ename}: {evalue}\x1b[0m"]
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.session.send(self.iopub_socket, "error", content, parent=parent, ident=self._topic("error"))
        return {"status": "error", "execution_count": self.execution_count, **content}

    def _check_code(self, code: str) -> None:
        if "\x00" in code:
            raise InvalidCode("the code contains NUL bytes (\\x00); Stata cannot read them. Nothing was run.")
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > self.max_code_bytes:
            raise InvalidCode(
                f"the code is {size:,} bytes, over this kernel's limit of {self.max_code_bytes:,} bytes "
                "(StataKernel.max_code_bytes). Nothing was run; put large code in a do-file and `do` it."
            )

    async def do_execute(  # type: ignore[override]
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool = False,
        *,
        cell_meta: Any = None,
        cell_id: Any = None,
    ) -> dict[str, Any]:
        parent = self.get_parent("shell")
        coalescer = None if silent else self._send_stream(parent)
        output = _RunOutput(coalescer)
        try:
            self._check_code(code)
            stata_code, delimiter_after = translate_delimit(code, self.delimiter)
            if stata_code.strip():
                graphs_wanted = might_make_graphs(stata_code) and not silent
                if graphs_wanted:
                    await self.stata.call(self.graphs.start_listing)
                try:
                    await self.stata.run(stata_code, output.write)
                finally:
                    self.delimiter = delimiter_after
                    if graphs_wanted:
                        await self._show_graphs(parent)
            else:
                self.delimiter = delimiter_after
        except (StataLiveError, ValueError) as exc:
            reply = self._error_reply(parent, exc, output.tail, silent)
        else:
            reply = {"status": "ok", "execution_count": self.execution_count, "payload": []}
        reply["user_expressions"] = await self._user_expressions(user_expressions or {})
        return reply

    async def _show_graphs(self, parent: dict[str, Any]) -> None:
        try:
            graphs = await self.stata.call(self.graphs.collect)
        except StataLiveError as exc:
            self.log.warning("listing graphs failed: %s", exc)
            return
        for graph in graphs:
            self._publish_graph(parent, graph)

    def _publish_graph(self, parent: dict[str, Any], graph: ExportedGraph) -> None:
        data: dict[str, Any] = {"text/plain": f"<Stata graph {graph.name}>"}
        if graph.png is not None:
            data["image/png"] = base64.b64encode(graph.png).decode("ascii")
        if graph.svg is not None:
            data["image/svg+xml"] = graph.svg
        if graph.errors and graph.png is None and graph.svg is None:
            text = f"Graph {graph.name} could not be exported: " + "; ".join(graph.errors)
            self.session.send(self.iopub_socket, "stream", {"name": "stderr", "text": text + "\n"},
                              parent=parent, ident=self._topic("stream"))
            return
        content = {"data": data, "metadata": {"stata_graph": graph.name}, "transient": {}}
        self.session.send(self.iopub_socket, "display_data", content, parent=parent,
                          ident=self._topic("display_data"))

    async def _user_expressions(self, expressions: dict[str, str]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for name, expression in expressions.items():
            expr = expression.strip()
            try:
                if expr in ("r()", "e()", "s()"):
                    kind = expr[0]
                    value: Any = await self.stata.call(lambda engine, k=kind: engine.stored_results(k))
                elif expr == "describe()":
                    value = (await self.stata.call(lambda engine: engine.dataset())).to_json()
                else:
                    raise InvalidCode(f"unsupported expression {expression!r}: use r(), e(), s() or describe()")
            except (StataLiveError, RuntimeError, NotImplementedError) as exc:
                results[name] = {"status": "error", "ename": type(exc).__name__, "evalue": str(exc),
                                 "traceback": []}
                continue
            results[name] = {"status": "ok", "data": {"application/json": value, "text/plain": repr(value)},
                             "metadata": {}}
        return results

    # ----------------------------------------------------------------------------- interrupts

    async def interrupt_request(self, stream: Any, ident: Any, parent: Any) -> None:  # type: ignore[override]
        """Break the running Stata code (kernelspec interrupt_mode "message"); never signal ourselves."""
        sent = self.stata.interrupt()
        self.log.info("interrupt_request: %s", "break sent to Stata" if sent else "nothing to break")
        self.session.send(stream, "interrupt_reply", {"status": "ok"}, parent, ident=ident)

    def pre_handler_hook(self) -> None:
        """ipykernel makes SIGINT raise KeyboardInterrupt around each request; ours breaks Stata instead."""

    def post_handler_hook(self) -> None:
        """Nothing to restore: see :meth:`pre_handler_hook`."""

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.stata.interrupt()

    def _on_sigint_from_loop(self) -> None:
        sent = self.stata.interrupt()
        self.log.info("SIGINT: %s", "break sent to Stata" if sent else "nothing to break")

    # --------------------------------------------------------------------------- other requests

    async def do_is_complete(self, code: str) -> dict[str, Any]:  # type: ignore[override]
        status, indent = is_complete(code, self.delimiter)
        reply: dict[str, Any] = {"status": status}
        if status == "incomplete":
            reply["indent"] = indent
        return reply

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:  # type: ignore[override]
        self.stata.interrupt()
        self.stata.close()
        return {"status": "ok", "restart": restart}
