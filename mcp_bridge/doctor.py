"""``python -m mcp_bridge doctor``: check a setup end to end and say what to fix.

    python -m mcp_bridge doctor [--stata-dir DIR] [--kernel-name stata-live] [--timeout 90]

Checks, in order, each building on the one before: Stata is found (real or the simulated one), the
kernelspec the bridge starts is installed, and then, through a real bridge started over stdio with the
official MCP client exactly as an MCP client would, that the kernel starts and answers ``display 1``,
and that output streams: progress notifications of a short loop with pauses arrive while it runs, well
before the result. Prints a checklist (with the fix for each failure) and exits 0 when all pass, else 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import anyio

from .relay import HEARTBEAT_PREFIX
from .stata_location import NotLocated, locate_stata

STREAM_CODE = 'forvalues i = 1/3 {\n    display "doctor tick `i\'"\n    sleep 300\n}\n'
STREAM_MARKER = "doctor tick 1"  # the first line the loop prints
STREAM_LEAD_S = 0.45  # the first tick must precede the result by at least half the loop's 0.9 s of pauses


@dataclass
class Check:
    name: str
    status: str  # "ok", "FAIL", "skip"
    detail: str = ""
    fix: str = ""


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.status == "ok" for c in self.checks)

    def print(self, out: TextIO) -> None:
        print("stata-live doctor", file=out)
        for c in self.checks:
            first, *rest = (c.detail or "").splitlines() or [""]
            print(f"  [{c.status:^4}] {c.name}" + (f": {first}" if first else ""), file=out)
            for line in rest:
                print(f"         {line}", file=out)
            for k, line in enumerate(c.fix.splitlines()):
                print(f"         {'fix: ' if k == 0 else '     '}{line}", file=out)
        failed = sum(c.status == "FAIL" for c in self.checks)
        print("All checks passed." if self.ok else f"{failed} check(s) failed; see the fixes above.", file=out)


def check_stata(stata_dir: str | None) -> tuple[Check, str | None]:
    """Find Stata the way the kernel does (it is asked); report where from and whether it is the simulated one."""
    try:
        found = locate_stata(stata_dir)
    except NotLocated as exc:
        if exc.kind == "not_found":
            places = "\n".join(f"  - {p}" for p in exc.searched)
            return Check("Stata installation", "FAIL", "not found; looked at:\n" + places,
                         "set STATA_DIR to the Stata directory that holds utilities/pystata (or pass --stata-dir); "
                         "for a demo use the simulated Stata:\nexport STATA_DIR=\"$(python -m stata_kernel "
                         "simulator-dir)\""), None
        if exc.kind == "bad_edition":
            return Check("Stata installation", "FAIL", exc.message,
                         "set STATA_EDITION to mp, se or be, or unset it"), None
        return Check("Stata installation", "FAIL", exc.message,
                     "reinstall this package with its kernel (stata_kernel) for this Python"), None
    kind = "SIMULATED Stata (for demos and tests, not real results)" if found.simulated else "real Stata"
    detail = f"{found.stata_dir} (edition {found.edition}, from {found.source}): {kind}"
    return Check("Stata installation", "ok", detail), found.stata_dir


def check_kernelspec(name: str) -> Check:
    """The bridge starts kernels by kernelspec; a missing or stale one is the commonest setup failure."""
    fix = f"install it for this Python: {sys.executable} -m stata_kernel install --sys-prefix (or --user)"
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError as exc:
        return Check(f"kernelspec '{name}'", "FAIL", f"jupyter_client is missing ({exc})",
                     "reinstall this package with its dependencies")
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return Check(f"kernelspec '{name}'", "FAIL", "not installed", fix)
    python = spec.argv[0] if spec.argv else ""
    if python and os.path.isabs(python) and not os.path.exists(python):
        return Check(f"kernelspec '{name}'", "FAIL", f"{spec.resource_dir} runs {python}, which no longer exists",
                     fix + " --force")
    return Check(f"kernelspec '{name}'", "ok", f"{spec.resource_dir} (runs {' '.join(spec.argv[:3])})")


async def check_bridge(stata_dir: str | None, kernel_name: str, timeout: float) -> list[Check]:
    """Kernel start, round trip and streaming, through a real bridge over stdio and the official client."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = dict(os.environ)
    if stata_dir:
        env["STATA_DIR"] = stata_dir
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "mcp_bridge", "--kernel-name", kernel_name, "--heartbeat", "2"],
                                   env=env, cwd=os.getcwd())
    checks: list[Check] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errlog:
        try:
            with anyio.fail_after(timeout):
                async with Client(stdio_client(params, errlog=errlog)) as client:
                    tools = {t.name for t in (await client.list_tools()).tools}
                    if "stata_run" not in tools:
                        return [Check("bridge over stdio", "FAIL", f"no stata_run tool (tools: {sorted(tools)})",
                                      "reinstall this package; another mcp_bridge shadows it")]
                    checks.append(Check("bridge over stdio", "ok", f"MCP handshake done, {len(tools)} tools"))
                    checks += await _kernel_checks(client, errlog)
                    if checks[-1].status != "ok":
                        checks.append(Check("streaming", "skip", "needs a working round trip"))
                        return checks
                    checks.append(await _streaming(client))
        except TimeoutError:
            checks.append(Check("bridge", "FAIL", f"no answer within {timeout:g} s" + _tail(errlog),
                                "a slow first start? rerun with --timeout 300; else see the log lines above"))
        except Exception as exc:  # the doctor reports every failure instead of crashing
            checks.append(Check("bridge", "FAIL", f"{type(exc).__name__}: {exc}" + _tail(errlog),
                                f"run `{sys.executable} -m mcp_bridge` by hand and read its log"))
    return checks


async def _kernel_checks(client: Any, errlog: TextIO) -> list[Check]:
    """Kernel start and a ``display 1`` round trip, told apart by the answer to the first run."""
    result = await client.call_tool("stata_run", {"code": "display 1"})
    text = "".join(getattr(block, "text", "") for block in result.content).strip()
    lowered = text.lower()
    if result.is_error and ("kernel is unavailable" in lowered or text.endswith("Error executing tool stata_run")):
        return [Check("kernel start", "FAIL", text[:600] + _tail(errlog),
                      "the kernel process failed to start: see the message and log above; "
                      f"`{sys.executable} -m stata_kernel install --sys-prefix --force` repairs a stale kernelspec"),
                Check("round trip", "skip", "needs a kernel")]
    start = Check("kernel start", "ok", "the bridge started the kernel and it answered")
    if result.is_error or "1" not in text:
        fix = "the kernel runs but Stata could not run code; the message names the cause"
        if "not found" in lowered or "unavailable" in lowered or "initialise" in lowered:
            fix = "check the Stata installation (STATA_DIR, STATA_EDITION) and its licence"
        return [start, Check("round trip", "FAIL", f"`display 1` answered: {text[:600]}", fix)]
    return [start, Check("round trip", "ok", "`display 1` printed 1")]


def first_arrival(arrivals: Sequence[tuple[float, str]], needle: str) -> float | None:
    """When ``needle`` had wholly arrived, reading the notifications' output joined in order.

    The relay sends output as Stata writes it, so one notification may end in the middle of a line
    (``doctor ti`` then ``ck 1``); looking for the line inside single messages misses it. Heartbeats
    are not output and are left out of the join.
    """
    joined = ""
    for at, message in arrivals:
        if message.startswith(HEARTBEAT_PREFIX):
            continue
        seen = max(0, len(joined) - len(needle) + 1)  # earlier text cannot complete a new match
        joined += message
        if needle in joined[seen:]:
            return at
    return None


async def _streaming(client: Any, code: str = STREAM_CODE, marker: str = STREAM_MARKER) -> Check:
    start = time.monotonic()
    arrivals: list[tuple[float, str]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        arrivals.append((time.monotonic() - start, message or ""))

    result = await client.call_tool("stata_run", {"code": code}, progress_callback=on_progress)
    done = time.monotonic() - start
    first = first_arrival(arrivals, marker)
    if result.is_error:
        return Check("streaming", "FAIL", "the loop failed: " + "".join(getattr(b, "text", "") for b in
                                                                        result.content)[:400],
                     "see the error; the simulated or real Stata must support forvalues and sleep")
    if first is None:
        return Check("streaming", "FAIL", f"no progress notification carried the output ({len(arrivals)} arrived)",
                     "the client must send a progressToken; with a proxy in between, make sure it passes "
                     "notifications/progress through")
    if done - first < STREAM_LEAD_S:
        return Check("streaming", "FAIL",
                     f"output arrived only at the end ({first:.2f} s of {done:.2f} s): it is buffered somewhere",
                     "run the bridge directly (no buffering proxy) and make sure the kernel is stata-live")
    return Check("streaming", "ok", f"first output after {first:.2f} s, result after {done:.2f} s "
                 f"({len(arrivals)} progress notifications)")


def _tail(errlog: TextIO, lines: int = 12) -> str:
    """The bridge's log lines worth showing: its ERROR records if any (the cause), else the last lines."""
    try:
        errlog.seek(0)
        text = errlog.read().strip().splitlines()
    except (OSError, ValueError):
        return ""
    errors = [line for line in text if " ERROR " in line or " CRITICAL " in line]
    shown = errors[-5:] if errors else text[-lines:]
    return ("\nbridge log:\n" + "\n".join("    " + line for line in shown)) if shown else ""


def run(stata_dir: str | None, kernel_name: str, timeout: float) -> Report:
    stata, found_dir = check_stata(stata_dir)
    checks = [stata, check_kernelspec(kernel_name)]
    if any(c.status != "ok" for c in checks):
        checks.append(Check("kernel start, round trip, streaming", "skip", "fix the problems above first"))
        return Report(checks)
    checks += anyio.run(check_bridge, found_dir, kernel_name, timeout)
    return Report(checks)


def main(argv: Sequence[str], *, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mcp_bridge doctor",
                                     description="Check Stata discovery, the kernelspec, kernel start, a round "
                                     "trip and streaming; print what to fix.")
    parser.add_argument("--stata-dir", default=None, help="check this Stata installation (default: as found)")
    parser.add_argument("--kernel-name", default="stata-live", help="kernelspec the bridge starts")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds allowed for the bridge checks")
    args = parser.parse_args(list(argv))
    report = run(args.stata_dir, args.kernel_name, args.timeout)
    report.print(sys.stdout if out is None else out)
    return 0 if report.ok else 1


__all__ = ["Check", "Report", "main", "run"]
