"""The Jupyter kernel: a thin adapter that turns engine events into iopub messages.

No pystata here (that is ``engine.pystata_backend``); no Jupyter names below this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ipykernel.kernelbase import Kernel
from traitlets import Float, Integer, Unicode

from . import DISPLAY_NAME, __version__, _compat, interrupts, magics, user_expressions
from .completion import NameCache, cannot_change_names, complete, might_touch_macros
from .echo import EchoFilter, PromptTrimmer
from .engine.factory import engine_for
from .errors import StataError, StataLiveError
from .execution import Execution, InvalidCode, as_interactive_line, memo_short
from .graphs import GraphExporter, might_make_graphs
from .help_lookup import HelpCache
from .inspection import help_text
from .publishing import Publisher, error_content, session_of
from .run_output import RunOutput
from .session import StataSession
from .settings import KernelSettings
from .syntax import is_complete, translate_delimit

# Requests answered at once even while a cell runs: they never wait on Stata.
_CONCURRENT_REQUESTS = frozenset({"is_complete_request", "kernel_info_request", "complete_request",
                                  "inspect_request"})
# Completion while idle may refresh stale names on the (idle) worker, but never waits longer than this.
_IDLE_REFRESH_TIMEOUT = 0.5
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
    # ipykernel sleeps this long after every execute so that output printed to sys.stdout reaches the frontend
    # before the reply; this kernel's output is handed to iopub before the reply (_stream_sent), never printed.
    _execute_sleep = Float(0.0).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        stata_dir, edition = self.stata_dir, self.stata_edition
        self.stata = StataSession(lambda: engine_for(stata_dir, edition))
        self.delimiter = "cr"
        self.settings = KernelSettings(graph_width=self.graph_width)
        self.graphs = GraphExporter(self.settings)
        self.names = NameCache()
        self.help = HelpCache()
        self.publish = Publisher(self)
        self._translate_delimit = memo_short(translate_delimit)
        self._might_make_graphs = memo_short(might_make_graphs)
        self._might_touch_macros = memo_short(might_touch_macros)
        self._cannot_change_names = memo_short(cannot_change_names)
        self._executing = False
        self._interrupt_requested = False
        self._execute_header: dict[str, Any] = {}
        self._idle_interrupt: dict[str, Any] = {}  # last interrupt that found nothing to break
        self._concurrent_requests = 0  # > 0 while answering a request beside a running cell
        # Waits, off the event loop, for a send still in progress on another thread (rare; see _stream_sent).
        self._iopub_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iopub-wait")

    def start(self) -> None:
        super().start()
        for stream in (sys.stdout, sys.stderr):
            _compat.flush_only_when_written(stream)
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
        lock = _compat.main_lock(self)
        if subshell_id is None and lock is not None and lock.locked() and self.session is not None:
            try:
                _, frames = self.session.feed_identities(msg, copy=False)
                header = self.session.deserialize(frames, content=False, copy=False)["header"]
            except Exception:
                header = {}
            if header.get("msg_type") in _CONCURRENT_REQUESTS:
                saved = _compat.shell_parent(self)
                self._concurrent_requests += 1
                try:
                    await self.dispatch_shell(msg, subshell_id=subshell_id, concurrent=True)
                finally:
                    self._concurrent_requests -= 1
                    _compat.restore_shell_parent(self, saved)
                return
        await super().shell_main(subshell_id, msg)

    # -------------------------------------------------------------------------------- execution

    async def _stream_sent(self, output: RunOutput) -> None:
        """Wait until every stream piece of this request has been handed to iopub (it precedes what follows).

        Writers send synchronously and the engine's pump has left the run when it returns, so this waits
        only when another thread is still mid-send.
        """
        if output.in_flight:
            await asyncio.wrap_future(self._iopub_sender.submit(output.wait_sent))

    def _error_reply(self, parent: dict[str, Any], exc: BaseException, tail: str, silent: bool) -> dict[str, Any]:
        content = error_content(parent, exc, tail)
        if not silent:
            self.publish.error(parent, content)
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
        run = Execution(self, self.get_parent("shell"), silent)
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
        # Deciding whether names may have changed parses the cell again: done right after the reply is sent
        # (callbacks run before the next request is read), not before it.
        asyncio.get_running_loop().call_soon(self._refresh_names_soon, code)
        reply["user_expressions"] = await self._user_expressions(user_expressions) if user_expressions else {}
        return reply

    async def _execute_cell(self, code: str, run: Execution) -> None:
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

    async def _run_stata(self, run: Execution, code: str, *, quietly: bool = False,
                         echo: bool | None = None) -> None:
        """Run Stata code of a cell: ``#delimit`` translation, streaming (echo filtered or not), graphs."""
        stata_code, delimiter_after = self._translate_delimit(code, self.delimiter)
        if not stata_code.strip():
            self.delimiter = delimiter_after
            return
        keep_echo = self.settings.echo if echo is None else echo
        multi_line = len(stata_code.strip("\r\n").splitlines()) > 1  # only multi-line code is echoed
        if not multi_line:
            stata_code = as_interactive_line(stata_code)
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
                self.publish.stderr(run.parent, f"Graphs of this cell will not be shown: {exc}\n")
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
            self.publish.stderr(parent, f"Graphs made by this cell could not be listed: {exc}\n")
            return
        for graph in graphs:
            self.publish.graph(parent, graph)

    async def _user_expressions(self, expressions: dict[str, str]) -> dict[str, Any]:
        return await user_expressions.evaluate(self.stata, expressions)

    # ----------------------------------------------------------------------------- interrupts

    async def interrupt_request(self, stream: Any, ident: Any, parent: Any) -> None:  # type: ignore[override]
        """Break the running Stata code (kernelspec interrupt_mode "message"); never signal ourselves."""
        if self._sent_before_current_cell(parent):
            self.log.info("interrupt_request: sent while idle, before the running cell; ignored")
            session_of(self).send(stream, "interrupt_reply", {"status": "ok"}, parent, ident=ident)
            return
        sent = self._interrupt()
        if not sent:  # maybe it overtook the execute request it was meant for: see do_execute
            self._idle_interrupt = parent.get("header", {}) if isinstance(parent, dict) else {}
        self.log.info("interrupt_request: %s", "break sent to Stata" if sent else "nothing to break")
        session_of(self).send(stream, "interrupt_reply", {"status": "ok"}, parent, ident=ident)

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
    def busy(self) -> bool:
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
        if not self.busy and self.names.stale and self.stata.info is not None:
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
        text = await help_text(self, code, cursor_pos)
        if not text:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    def stata_dir_found(self) -> str | None:
        info = self.stata.info
        return info.stata_dir if info is not None else None

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

