"""The Jupyter kernel: a thin adapter that turns engine events into iopub messages.

No pystata here (that is ``engine.pystata_backend``); no Jupyter names below this module.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ipykernel.kernelbase import Kernel
from traitlets import Integer, Unicode

from . import DISPLAY_NAME, __version__, interrupts, magics, user_expressions
from .completion import NameCache, cannot_change_names, complete, might_touch_macros
from .echo import EchoFilter, PromptTrimmer
from .engine import Engine
from .engine.factory import engine_for
from .errors import StataError, StataLiveError
from .graphs import ExportedGraph, GraphExporter, media_type, might_make_graphs
from .help_lookup import HelpCache
from .inspection import inspect_topic
from .run_output import RunOutput
from .session import StataSession
from .settings import KernelSettings
from .streaming import Coalescer
from .syntax import is_complete, resolve_command, scan, translate_delimit, wire
from .syntax.delimit import cell_line

T = TypeVar("T")

# Requests answered at once even while a cell runs: they never wait on Stata.
_CONCURRENT_REQUESTS = frozenset({"is_complete_request", "kernel_info_request", "complete_request",
                                  "inspect_request"})
# Completion while idle may refresh stale names on the (idle) worker, but never waits longer than this.
_IDLE_REFRESH_TIMEOUT = 0.5
_STARTING_HELP_TIMEOUT = 5.0
# Per-cell text checks (delimiter translation, graph and name checks) are pure: a kernel remembers them for
# short cells, which are re-run often; long cells are checked afresh so the memo never holds much text.
_MEMO_CELLS = 128
_MEMO_CHARS = 4096


def _memo_short(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(code, *args)`` remembered for the last few short ``code`` strings."""
    cached = functools.lru_cache(maxsize=_MEMO_CELLS)(fn)

    def call(code: str, *args: Any) -> T:
        return cached(code, *args) if len(code) <= _MEMO_CHARS else fn(code, *args)

    return call


def _as_interactive_line(code: str) -> str:
    """pystata runs one-line code like Stata's Command window, where ``//``, ``/* */`` and ``///``
    are errors; a one-line cell is written like a do-file line, so drop its comments ('' if only one)."""
    if "/" not in code:
        return code
    commands = [s.text.strip() for s in scan(code, "cr").statements if s.kind == "command"]
    return " ".join(c for c in commands if c)


class InvalidCode(StataLiveError):
    """Code the kernel refuses to send to Stata."""


class _Execution:
    """One execute request: where its output goes, and what magics may do (a :class:`magics.MagicHost`)."""

    def __init__(self, kernel: StataKernel, parent: dict[str, Any], silent: bool) -> None:
        self.kernel = kernel
        self.parent = parent
        self.silent = silent
        self.output = RunOutput(None if silent else kernel._send_stream(parent))
        self.payload: list[dict[str, Any]] = []  # pager payloads for the execute_reply (help pages)

    @property
    def settings(self) -> KernelSettings:
        return self.kernel.settings

    async def run_code(self, code: str, *, quietly: bool = False, echo: bool | None = None) -> None:
        await self.kernel._run_stata(self, code, quietly=quietly, echo=echo)

    async def on_worker(self, fn: Callable[[Engine], T]) -> T:
        return await self.kernel.stata.call(fn)

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        if not self.silent:
            self.kernel._send_display(self.parent, data, metadata or {})

    def print(self, text: str) -> None:
        self.output.write(text)

    def status_lines(self) -> list[str]:
        return self.kernel._status_lines()

    async def help_for(self, topic: str) -> str | None:
        resolved = resolve_command(topic) or topic
        kernel = self.kernel
        entry = await kernel.stata.call(lambda engine: kernel.help.lookup(engine, resolved, kernel._stata_dir()))
        return entry.shown() if entry.found else None

    def page(self, text: str) -> None:
        self.payload.append({"source": "page", "data": {"text/plain": text}, "start": 0})


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
        self.settings = KernelSettings(graph_width=self.graph_width)
        self.graphs = GraphExporter(self.settings)
        self.names = NameCache()
        self.help = HelpCache()
        self._translate_delimit = _memo_short(translate_delimit)
        self._might_make_graphs = _memo_short(might_make_graphs)
        self._might_touch_macros = _memo_short(might_touch_macros)
        self._cannot_change_names = _memo_short(cannot_change_names)
        self._executing = False
        self._interrupt_requested = False
        self._execute_header: dict[str, Any] = {}
        self._idle_interrupt: dict[str, Any] = {}  # last interrupt that found nothing to break
        self._concurrent_requests = 0  # > 0 while answering a request beside a running cell
        # Waits, off the event loop, for a send still in progress on another thread (rare; see _stream_sent).
        self._iopub_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iopub-wait")

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
                self._concurrent_requests += 1
                try:
                    await self.dispatch_shell(msg, subshell_id=subshell_id, concurrent=True)
                finally:
                    self._concurrent_requests -= 1
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

        return Coalescer(send)  # sent on the writer's thread: the pump, the worker or the event loop

    async def _stream_sent(self, output: RunOutput) -> None:
        """Wait until every stream piece of this request has been handed to iopub (it precedes what follows).

        Writers send synchronously and the engine's pump has left the run when it returns, so this waits
        only when another thread is still mid-send.
        """
        if output.in_flight:
            await asyncio.wrap_future(self._iopub_sender.submit(output.wait_sent))

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
        run = _Execution(self, self.get_parent("shell"), silent)
        self._execute_header = run.parent.get("header", {})
        self._executing = True
        # An interrupt its client sent after this request but that overtook it (control before shell).
        self._interrupt_requested = self._overtaken_by(self._idle_interrupt)
        self._idle_interrupt = {}
        try:
            self._check_code(code)
            await self._execute_cell(code, run)
        except (StataLiveError, ValueError) as exc:
            await self._stream_sent(run.output)
            reply = self._error_reply(run.parent, exc, run.output.tail, silent)
        else:
            await self._stream_sent(run.output)  # magics may have written after the last run: before the reply
            reply = {"status": "ok", "execution_count": self.execution_count, "payload": run.payload}
        finally:
            self._executing = False
            self._execute_header = {}
        self._refresh_names_soon(code)
        reply["user_expressions"] = await self._user_expressions(user_expressions) if user_expressions else {}
        return reply

    async def _execute_cell(self, code: str, run: _Execution) -> None:
        """A help query (``regress?``), or magics at the top of the cell and then its Stata code."""
        topic = magics.help_query(code)
        if topic is not None:
            await magics.show_help(topic, run)
            return
        cell = magics.parse_cell(code)
        magics.validate(cell)
        for call in cell.line_magics:
            await magics.run_line_magic(call, run)
        if cell.cell_magic is not None:
            await magics.run_cell_magic(cell.cell_magic, cell.code, run)
        else:
            await run.run_code(cell.code)

    async def _run_stata(self, run: _Execution, code: str, *, quietly: bool = False,
                         echo: bool | None = None) -> None:
        """Run Stata code of a cell: ``#delimit`` translation, streaming (echo filtered or not), graphs."""
        stata_code, delimiter_after = self._translate_delimit(code, self.delimiter)
        if not stata_code.strip():
            self.delimiter = delimiter_after
            return
        keep_echo = self.settings.echo if echo is None else echo
        multi_line = len(stata_code.strip("\r\n").splitlines()) > 1  # only multi-line code is echoed
        if not multi_line:
            stata_code = _as_interactive_line(stata_code)
            if not stata_code:
                self.delimiter = delimiter_after
                return
        on_output: Callable[[str], None] = run.output.write
        trimmer: EchoFilter | PromptTrimmer | None = None
        if multi_line:
            trimmer = PromptTrimmer(run.output.forward) if keep_echo else EchoFilter(run.output.forward)
            filtered = trimmer

            def on_output(text: str) -> None:
                run.output.remember(text)
                filtered.write(text)

        graphs_wanted = not run.silent and self._might_make_graphs(stata_code)
        if graphs_wanted:
            try:
                await self.stata.call(self.graphs.start_listing)
            except StataError as exc:  # no graph listing in this Stata: run the cell anyway
                self.log.warning("_gr_list on failed: %s", exc)
                self._send_stderr(run.parent, f"Graphs of this cell will not be shown: {exc}\n")
                graphs_wanted = False
        try:
            if self._interrupt_requested:
                raise StataError(1, "--Break--")
            await self.stata.run(stata_code, on_output, quietly=quietly)
        finally:
            self.delimiter = delimiter_after
            if trimmer is not None:
                trimmer.finish()
            await self._stream_sent(run.output)
            if graphs_wanted:
                await self._show_graphs(run.parent)

    async def _show_graphs(self, parent: dict[str, Any]) -> None:
        """Publish the cell's graphs; a failure here is reported, never allowed to mask the run's result."""
        try:
            graphs = await self.stata.call(self.graphs.collect)
        except Exception as exc:
            self.log.warning("listing graphs failed: %s", exc)
            self._send_stderr(parent, f"Graphs made by this cell could not be listed: {exc}\n")
            return
        for graph in graphs:
            self._publish_graph(parent, graph)

    def _send_stderr(self, parent: dict[str, Any], text: str) -> None:
        self.session.send(self.iopub_socket, "stream", {"name": "stderr", "text": text},
                          parent=parent, ident=self._topic("stream"))

    def _publish_graph(self, parent: dict[str, Any], graph: ExportedGraph) -> None:
        if graph.errors:
            self._send_stderr(parent, "".join(f"Graph {graph.name} could not be exported as {fmt}: {why}\n"
                                              for fmt, why in graph.errors.items()))
        if not graph.images:
            return
        data: dict[str, Any] = {"text/plain": f"<Stata graph {graph.name}>"}
        for fmt, content in graph.images.items():
            if fmt == "svg":
                data[media_type(fmt)] = content.decode("utf-8", "replace")
            else:
                data[media_type(fmt)] = base64.b64encode(content).decode("ascii")
        self._send_display(parent, data, {wire.LEGACY_GRAPH: graph.name,
                                          wire.STATA: {wire.GRAPH: graph.name, wire.FORMATS: list(graph.images)}})

    def _send_display(self, parent: dict[str, Any], data: dict[str, Any], metadata: dict[str, Any]) -> None:
        content = {"data": data, "metadata": metadata, "transient": {}}
        self.session.send(self.iopub_socket, "display_data", content, parent=parent,
                          ident=self._topic("display_data"))

    async def _user_expressions(self, expressions: dict[str, str]) -> dict[str, Any]:
        return await user_expressions.evaluate(self.stata, expressions)

    # ----------------------------------------------------------------------------- interrupts

    async def interrupt_request(self, stream: Any, ident: Any, parent: Any) -> None:  # type: ignore[override]
        """Break the running Stata code (kernelspec interrupt_mode "message"); never signal ourselves."""
        if self._sent_before_current_cell(parent):
            self.log.info("interrupt_request: sent while idle, before the running cell; ignored")
            self.session.send(stream, "interrupt_reply", {"status": "ok"}, parent, ident=ident)
            return
        sent = self._interrupt()
        if not sent:  # maybe it overtook the execute request it was meant for: see do_execute
            self._idle_interrupt = parent.get("header", {}) if isinstance(parent, dict) else {}
        self.log.info("interrupt_request: %s", "break sent to Stata" if sent else "nothing to break")
        self.session.send(stream, "interrupt_reply", {"status": "ok"}, parent, ident=ident)

    def pre_handler_hook(self) -> None:
        """ipykernel makes SIGINT raise KeyboardInterrupt around each request; ours breaks Stata instead."""

    def post_handler_hook(self) -> None:
        """Nothing to restore: see :meth:`pre_handler_hook`."""

    def _sent_before_current_cell(self, request: Any) -> bool:
        header = request.get("header", {}) if isinstance(request, dict) else {}
        return interrupts.sent_before(header, self._execute_header)

    def _overtaken_by(self, interrupt: dict[str, Any]) -> bool:
        return interrupts.sent_after(interrupt, self._execute_header)

    def _interrupt(self) -> bool:
        """Break Stata; a cell that has not reached Stata yet (magic, graph listing) stops before it does."""
        sent = self.stata.interrupt()
        if not sent and self._executing:
            self._interrupt_requested = True
            return True
        return sent

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self._interrupt()

    def _on_sigint_from_loop(self) -> None:
        sent = self._interrupt()
        self.log.info("SIGINT: %s", "break sent to Stata" if sent else "nothing to break")

    # --------------------------------------------------------------------------- other requests

    @property
    def _busy(self) -> bool:
        """A cell is executing: the Stata worker must not be asked for anything that could wait on it."""
        return self._executing or self._concurrent_requests > 0

    def _refresh_names_soon(self, code: str) -> None:
        """After a cell, reread variable names (sfi only) on the worker without delaying the reply;
        macro names (quiet Stata round trips) only when the cell may have changed them."""
        macros = self._might_touch_macros(code)
        if not macros and self._cannot_change_names(code, self.delimiter):
            return  # nothing the completion cache holds can have changed
        self.names.mark_stale(macros=True)
        self.stata.background(lambda engine: self.names.refresh(engine, macros=macros, after_cell=True))

    async def _refresh_names(self, *, macros: bool) -> None:
        try:
            await self.stata.call(lambda engine: self.names.refresh(engine, macros=macros))
        except (StataLiveError, RuntimeError) as exc:
            self.log.debug("refreshing completion names failed: %s", exc)

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:  # type: ignore[override]
        """Complete from cached names; only when no cell runs may stale names be reread first."""
        if not self._busy and self.names.stale and self.stata.info is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._refresh_names(macros=self.names.macros_stale),
                                       _IDLE_REFRESH_TIMEOUT)
        found = complete(code, cursor_pos, self.delimiter, self.names, magics.magic_names())
        types = [{"start": found.start, "end": found.end, "text": m, "type": found.kind} for m in found.matches]
        return {
            "status": "ok",
            "matches": found.matches,
            "cursor_start": found.start,
            "cursor_end": found.end,
            "metadata": {"_jupyter_types_experimental": types},
        }

    async def do_inspect(  # type: ignore[override]
        self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        """Stata's ``help`` text for the command at the cursor; while a cell runs, only cached help."""
        not_found = {"status": "ok", "found": False, "data": {}, "metadata": {}}
        target = inspect_topic(code, cursor_pos, self.delimiter)
        if target is None:
            return not_found
        topic, is_magic = target
        if is_magic:
            text = magics.magic_help(topic)
        else:
            entry = self.help.cached(topic)
            if entry is None and self._busy:
                text = (f"help {topic}: Stata is busy running a cell; "
                        "ask again when it finishes (help text is cached after the first lookup).")
            else:
                if entry is None:
                    # Only Stata's start-up can hold the idle worker up: wait for it, but not forever.
                    limit = None if self.stata.info is not None else _STARTING_HELP_TIMEOUT
                    try:
                        entry = await asyncio.wait_for(
                            self.stata.call(lambda engine: self.help.lookup(engine, topic, self._stata_dir())), limit)
                    except asyncio.TimeoutError:
                        entry = None
                    except (StataLiveError, RuntimeError) as exc:
                        self.log.debug("help lookup failed: %s", exc)
                        return not_found
                if entry is None:
                    text = f"help {topic}: Stata is still starting; ask again in a moment."
                else:
                    text = entry.shown() if entry.found else None
        if not text:
            return not_found
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    def _stata_dir(self) -> str | None:
        info = self.stata.info
        return info.stata_dir if info is not None else None

    def _status_lines(self) -> list[str]:
        info = self.stata.info
        if info is not None:
            kind = "SIMULATED Stata (not a real Stata)" if info.simulated else "Stata"
            stata = f"{kind} {info.version} {info.edition.upper()} at {info.stata_dir}".replace("  ", " ")
        else:
            reason = self.stata.unavailable_reason
            stata = f"Stata unavailable: {reason}" if reason else "Stata is starting"
        names = self.names
        settings = ", ".join(f"{n}={self.settings.shown(n)}" for n in self.settings.names())
        return [
            f"{DISPLAY_NAME} {__version__}",
            f"engine: {stata}",
            f"#delimit: {'cr' if self.delimiter == 'cr' else ';'}",
            f"runs: {self.stata.runs}, breaks sent: {self.stata.breaks_sent}, "
            f"cells that listed graphs: {self.graphs.listings}",
            *self.stata.output_stats(),
            f"working directory: {names.working_dir or '(unknown)'}",
            f"variables in memory: {len(names.variables)}"
            + (" (may be out of date)" if names.variables_stale else ""),
            f"settings: {settings}",
        ]

    async def do_is_complete(self, code: str) -> dict[str, Any]:  # type: ignore[override]
        """From the text alone. Leading magic lines are complete by themselves (no ``;`` needed under
        ``#delimit ;``); the Stata code after them decides."""
        try:
            stata_part = magics.parse_cell(code).code
        except magics.MagicError:
            return {"status": "complete"}  # run it, so the user sees the magic error
        status, indent = is_complete(stata_part, self.delimiter)
        reply: dict[str, Any] = {"status": status}
        if status == "incomplete":
            reply["indent"] = indent
        return reply

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:  # type: ignore[override]
        self.stata.interrupt()
        self.stata.close()
        self._iopub_sender.shutdown(wait=False)
        return {"status": "ok", "restart": restart}

