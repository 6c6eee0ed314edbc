"""Sections 3 and 5 for kernels: per-cell overhead of ``display 1``, streaming of a slow loop, cold start.

All kernels run at the same time and the ``display 1`` batches are interleaved round-robin, so noise
from other work on the machine hits every kernel alike; ratios are taken within this one run.
Per-cell time: execute_request sent -> both its idle status and its execute_reply received.
"""

from __future__ import annotations

import time
from typing import Any

from .. import peers
from ..context import BenchContext, say
from ..emitlog import EmitLog, latencies_ms, main_run
from ..kernelclient import KernelDef, KernelSession
from ..spread import SLEEP_MS, STEPS, describe
from ..stats import summary
from ..workloads import latency_probe, stepped_loop

BATCH = 10


def _start(ctx: BenchContext, kernel: KernelDef) -> tuple[KernelSession | None, dict[str, Any]]:
    row: dict[str, Any] = {"kernel": kernel.name, "label": kernel.label}
    log = ctx.path(f"emit-{kernel.name}.log")
    session = KernelSession(kernel, ctx.path("kernels-overhead"), ctx.env(log), ctx.code_root)
    try:
        session.start(timeout=120)
        first = session.run("display 1", timeout=120)
        row["ready_s"] = round(session.ready_seconds, 3)
        row["first_cell_s"] = round(first.seconds, 3)
        if first.status != "ok":
            raise RuntimeError(f"display 1 failed: {first.error}")
        for _ in range(20):  # warm-up
            session.run("display 1")
    except Exception as exc:  # a peer that cannot run is reported, never given a number
        row["error"] = f"{type(exc).__name__}: {exc}"
        session.stop()
        return None, row
    return session, row


def _piece_latency(ctx: BenchContext, session: KernelSession, lines: int) -> dict[str, Any]:
    """Emitted piece -> iopub stream for any kernel on the simulated pystata (same method as section 1)."""
    log = EmitLog(ctx.path(f"emit-{session.kernel.name}.log"))
    log.mark()
    cell = session.run(latency_probe(lines))
    samples, missing = latencies_ms(main_run(log.pieces_since_mark()), cell.cumulative_arrivals())
    return {**summary(samples), "pieces_not_in_cell": missing}


def _pump_cost(session: KernelSession) -> str:
    """What polling Stata's buffer costs our kernel (its ``%status`` line), after a 2 s silent sleep."""
    session.run("sleep 2000")
    status = session.run("%status").text
    return next((line.strip() for line in status.splitlines() if line.startswith("output pump")), "not reported")


def _tail_in_cell(session: KernelSession) -> bool:
    """pystata leaves a run's last piece in Stata's buffer when ``run`` returns; is it drained in time?"""
    return "tail probe" in session.run('display "tail probe"').text


def _prepare_peers(ctx: BenchContext, rows: list[dict[str, Any]]) -> list[KernelDef]:
    """Our kernel and the references, plus each peer whose venv could be made (else an error row)."""
    kernels = [peers.ours(), peers.floor(), peers.echo()]
    if ctx.smoke:
        return kernels
    for venv, label in ((peers.NBSTATA, "nbstata 0.8.7 (PyPI)"), (peers.PYSTATA_KERNEL, "pystata-kernel 0.3.2 (PyPI)")):
        say(f"kernels: preparing venv {venv.root}")
        try:
            peers.ensure_venv(venv, ctx.stata_dir, ctx.edition, ctx.path("venv-install.log"))
        except Exception as exc:
            rows.append({"kernel": f"bench-{venv.name}", "label": label,
                         "error": f"venv setup failed ({exc}); see {ctx.path('venv-install.log')}"})
            continue
        kernels.append(peers.peer(venv, label))
    return kernels


def run(ctx: BenchContext) -> dict[str, Any]:
    cells = 50 if ctx.smoke else 1000
    sessions: list[tuple[KernelSession, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    try:
        for kernel in _prepare_peers(ctx, rows):
            say(f"kernels: starting {kernel.label}")
            session, row = _start(ctx, kernel)
            rows.append(row)
            if session is not None:
                sessions.append((session, row))
        samples: dict[str, list[float]] = {s.kernel.name: [] for s, _ in sessions}
        say(f"kernels: {cells} x display 1 per kernel, interleaved in batches of {BATCH}")
        for _ in range(cells // BATCH):
            for session, _row in sessions:
                for _ in range(BATCH):
                    started = time.perf_counter()
                    session.run("display 1")
                    samples[session.kernel.name].append((time.perf_counter() - started) * 1000)
        for session, row in sessions:
            row["display_1_ms"] = summary(samples[session.kernel.name])
        say(f"kernels: slow loop ({STEPS} steps, sleep {SLEEP_MS} ms) per kernel")
        for session, row in sessions:
            if session.kernel.name == "bench-echo":
                continue
            cell = session.run(stepped_loop(STEPS, SLEEP_MS))
            row["slow_loop"] = describe(cell.sent_ns, cell.done_ns, cell.streams)
            row["piece_latency_ms"] = _piece_latency(ctx, session, 60 if ctx.smoke else 300)
            row["tail_in_cell"] = _tail_in_cell(session)
            if session.kernel.name == "bench-stata-live":
                row["output_pump"] = _pump_cost(session)
    finally:
        for session, _row in sessions:
            session.stop()
    floor = next((r for r in rows if r["kernel"] == "bench-floor" and "display_1_ms" in r), None)
    if floor is not None:
        for row in rows:
            if "display_1_ms" in row:
                row["p50_vs_floor"] = round(row["display_1_ms"]["p50"] / floor["display_1_ms"]["p50"], 3)
                row["mean_vs_floor"] = round(row["display_1_ms"]["mean"] / floor["display_1_ms"]["mean"], 3)
    return {"cells_per_kernel": cells, "rows": rows}
