"""``python -m stata_kernel selftest``: prove the kernel works on *your* Stata.

The project's suite runs on a simulated Stata; people who have Stata run this instead. It starts a real
kernel process from a temporary kernelspec (this Python, ``interrupt_mode: message``), talks to it over
ZMQ as Jupyter does, and checks what Stata's releases differ in (docs/real-stata.md): errors come back
as errors, output streams while code runs, a break stops Stata, do-files keep their locals, Python inside
Stata prints into the cell, nothing waits for a console, stored results need no numpy, graphs export.
Every check prints PASS/FAIL with what it saw; the exit status is the number of failures.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

_SPEC_NAME = "stata-live-selftest"


@dataclass
class Reply:
    """One execute request as a frontend sees it: iopub messages with arrival times, then the reply."""

    sent: float
    status: str = ""
    content: dict[str, Any] = field(default_factory=dict)
    replied: float = 0.0
    streams: list[tuple[float, str]] = field(default_factory=list)
    displays: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.streams)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


class SelfTest:
    def __init__(self, client: BlockingKernelClient, interrupt: Callable[[], None], timeout: float) -> None:
        self.kc = client
        self.interrupt_kernel = interrupt  # KernelManager.interrupt_kernel: interrupt_request, as Jupyter sends
        self.timeout = timeout

    def execute(self, code: str, *, on_stream: Callable[[str], None] | None = None, **kwargs: Any) -> Reply:
        reply = Reply(sent=time.monotonic())
        msg_id = self.kc.execute(code, **kwargs)
        deadline = reply.sent + self.timeout
        idle = False
        while not idle:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty as exc:
                raise TimeoutError(f"no answer within {self.timeout:g} s to:\n{code}") from exc
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                reply.streams.append((time.monotonic(), content["text"]))
                if on_stream is not None:
                    on_stream(content["text"])
            elif kind in ("display_data", "execute_result"):
                reply.displays.append(content)
            elif kind == "error":
                reply.errors.append(content)
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        while not reply.status:
            msg = self.kc.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") == msg_id:
                reply.status, reply.content, reply.replied = msg["content"]["status"], msg["content"], time.monotonic()
        return reply

    # ------------------------------------------------------------------------------------------- checks

    def starts(self) -> Check:
        info = self.kc.kernel_info(reply=True, timeout=self.timeout)["content"]
        banner = info.get("banner", "")
        reply = self.execute("display c(stata_version)")
        ok = reply.status == "ok" and reply.text.strip() != ""
        return Check("starts", ok, f"Stata {reply.text.strip() or '?'}; banner: {banner.splitlines()[-1:]}")

    def streams_while_running(self) -> Check:
        code = 'forvalues i = 1/4 {\n    display "selftest tick `i\'"\n    sleep 400\n}'
        reply = self.execute(code)
        first = next((t for t, text in reply.streams if "tick 1" in text), None)
        if reply.status != "ok" or first is None:
            return Check("streams while running", False, f"status {reply.status}; output {reply.text!r}")
        ahead = reply.replied - first
        ok = ahead > 0.8 and all(f"tick {i}" in reply.text for i in range(1, 5))
        return Check("streams while running", ok,
                     f"'tick 1' arrived {ahead:.2f} s before the reply ({len(reply.streams)} stream messages)")

    def errors_are_errors(self) -> Check:
        reply = self.execute('display "before"\nselftest_no_such_command')
        evalue = reply.content.get("evalue", "")
        ok = reply.status == "error" and "r(199)" in evalue and "before" in reply.text
        return Check("errors are errors", ok, f"status {reply.status}; evalue {evalue!r}")

    def one_line_errors(self) -> Check:
        reply = self.execute("selftest_no_such_command")
        evalue = reply.content.get("evalue", "")
        ok = reply.status == "error" and "r(199)" in evalue
        return Check("one-line errors are errors", ok, f"status {reply.status}; evalue {evalue!r}")

    def interrupt(self) -> Check:
        started: list[float] = []

        def on_stream(text: str) -> None:
            if "selftest waiting" in text and not started:
                started.append(time.monotonic())
                self.interrupt_kernel()

        reply = self.execute('display "selftest waiting"\nsleep 20000\ndisplay "not reached"', on_stream=on_stream)
        after = self.execute("display 6*7")
        took = reply.replied - started[0] if started else float("nan")
        ok = (reply.status == "error" and "r(1)" in reply.content.get("evalue", "") and "not reached" not in reply.text
              and after.status == "ok" and "42" in after.text)
        return Check("interrupt", ok, f"break took {took:.2f} s; next cell {after.status} {after.text.strip()!r}")

    def dofile_locals_and_unicode(self) -> Check:
        reply = self.execute('local x = 21\ndisplay `x\' * 2\ndisplay "é€😀 ünïcödé"')
        ok = reply.status == "ok" and "42" in reply.text and "é€😀 ünïcödé" in reply.text
        return Check("do-file locals and unicode", ok, f"status {reply.status}; output {reply.text.strip()[-60:]!r}")

    def python_inside_stata(self) -> Check:
        reply = self.execute('python:\nprint("selftest " + "python")\nend\ndisplay "after python"')
        ok = reply.status == "ok" and "selftest python" in reply.text and "after python" in reply.text
        return Check("python inside Stata prints into the cell", ok,
                     f"status {reply.status}; {reply.text.strip()[-80:]!r}")

    def nothing_waits_for_a_console(self) -> Check:
        started = time.monotonic()
        paused = self.execute('pause on\npause selftest\ndisplay "after pause"\npause off')
        mata = self.execute("mata")
        took = time.monotonic() - started
        ok = (paused.status == "ok" and "after pause" in paused.text and mata.status == "error"
              and mata.content.get("ename") == "ConsoleRequired")
        return Check("nothing waits for a console", ok,
                     f"pause: {paused.status}; lone `mata`: {mata.content.get('ename')}; {took:.2f} s")

    def stored_results(self) -> Check:
        reply = self.execute("sysuse auto, clear\nsummarize price\nregress price mpg",
                             user_expressions={"r": "r()", "e": "e()"})
        found = reply.content.get("user_expressions", {})
        e = found.get("e", {}).get("data", {}).get("application/json", {})
        r = found.get("r", {}).get("data", {}).get("application/json", {})
        ok = reply.status == "ok" and e.get("N") == 74 and isinstance(r, dict)
        return Check("stored results (no numpy needed)", ok, f"e(N) = {e.get('N')!r}; {len(e)} e() results")

    def graphs(self) -> Check:
        reply = self.execute("sysuse auto, clear\nscatter price mpg")
        kinds = sorted({k for d in reply.displays for k in d.get("data", {}) if k.startswith("image/")})
        return Check("graphs", reply.status == "ok" and bool(kinds), f"status {reply.status}; formats {kinds}")

    def round_trip(self) -> Check:
        times = []
        for _ in range(20):
            reply = self.execute("display 1")
            times.append(reply.replied - reply.sent)
        p50 = statistics.median(times) * 1000
        return Check("round trip of `display 1`", p50 < 250, f"p50 {p50:.1f} ms over 20 cells")

    def all(self) -> list[Callable[[], Check]]:
        return [self.starts, self.streams_while_running, self.errors_are_errors, self.one_line_errors,
                self.interrupt, self.dofile_locals_and_unicode, self.python_inside_stata,
                self.nothing_waits_for_a_console, self.stored_results, self.graphs, self.round_trip]


def _kernelspec(root: Path) -> Path:
    spec_dir = root / "kernels" / _SPEC_NAME
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "stata_kernel", "-f", "{connection_file}"],
            "display_name": "Stata (live, selftest)", "language": "stata", "interrupt_mode": "message"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root / "kernels"


def run(stata_dir: str | None, edition: str | None, timeout: float, out: Any = sys.stdout,
        extra_env: dict[str, str] | None = None) -> list[Check]:
    env = {**os.environ, **(extra_env or {})}
    if stata_dir:
        env["STATA_DIR"] = stata_dir
    if edition:
        env["STATA_EDITION"] = edition
    results: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="stata-live-selftest-") as tmp:
        manager = KernelManager(kernel_name=_SPEC_NAME,
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(_kernelspec(Path(tmp)))]))
        manager.start_kernel(env=env, cwd=tmp)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout)
            test = SelfTest(client, manager.interrupt_kernel, timeout)
            for check in test.all():
                try:
                    result = check()
                except Exception as exc:  # one broken check must not hide the others
                    result = Check(check.__name__.replace("_", " "), False, f"{type(exc).__name__}: {exc}")
                results.append(result)
                print(f"{'PASS' if result.ok else 'FAIL'}  {result.name}: {result.detail}", file=out, flush=True)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} of {len(results)} checks passed", file=out, flush=True)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m stata_kernel selftest", description=__doc__.split("\n")[0])
    parser.add_argument("--stata-dir", help="Stata installation directory (default: the kernel's discovery)")
    parser.add_argument("--stata-edition", choices=["mp", "se", "be"])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for any one step (default 60)")
    args = parser.parse_args(argv)
    results = run(args.stata_dir, args.stata_edition, args.timeout)
    return min(sum(not r.ok for r in results), 100)
