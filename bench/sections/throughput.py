"""Section 2: 1/10/50 MB of sequence-marked output through the kernel and the bridge (stdio and HTTP).

MB/s is flood bytes over the time from request to the end of the run as the client sees it. Bytes
lost are checked against the exact text ``_sim_flood`` writes; for MCP, text the relay left out of progress
with a marker counting it (the client fell behind its window) is reported as skipped, not lost. RSS growth
= peak VmRSS during the run minus VmRSS before it, sampled every 20 ms from /proc. The figures are printed next to the
committed run's (bench/results.json) so a change in memory or speed shows at once.
"""

from __future__ import annotations

import json
from typing import Any

from .. import peers
from ..context import BenchContext, say
from ..kernelclient import KernelSession
from ..mcpclient import bridge, connect, run_async
from ..paths import RESULTS_JSON
from ..procs import PeakRss, find_descendant
from ..workloads import flood, flood_bytes_lost, flood_progress_accounting

MB = 1_000_000


def _sizes(ctx: BenchContext) -> list[int]:
    return [1] if ctx.smoke else [1, 10, 50]


def _kernel(ctx: BenchContext) -> list[dict[str, Any]]:
    rows = []
    with KernelSession(peers.ours(), ctx.path("kernels-flood"), ctx.env(), ctx.code_root) as session:
        session.run("display 1")
        assert session.pid is not None
        for mb in _sizes(ctx):
            say(f"throughput: kernel, {mb} MB")
            with PeakRss(session.pid) as rss:
                cell = session.run(flood(mb * MB), timeout=600)
            rows.append({
                "rss_samples": rss.samples, "mb": mb, "seconds": round(cell.seconds, 3),
                "mb_per_s": round(mb / cell.seconds, 1),
                "messages": len(cell.streams), "messages_per_s": round(len(cell.streams) / cell.seconds, 1),
                "bytes_lost": flood_bytes_lost(cell.text, mb * MB), "kernel_rss_growth_mb": rss.growth,
                "status": cell.status,
            })
    return rows


async def _mcp(ctx: BenchContext, transport: str) -> list[dict[str, Any]]:
    rows = []
    async with connect(bridge(transport), transport, ctx.env(), ctx.code_root) as conn:
        await conn.call("display 1")
        if conn.pid is None:
            raise RuntimeError("could not find the bridge process")
        kernel_pid = find_descendant(conn.pid, "stata_kernel")
        if kernel_pid is None:
            raise RuntimeError("could not find the bridge's kernel process")
        for mb in _sizes(ctx):
            say(f"throughput: MCP {transport}, {mb} MB")
            with PeakRss(conn.pid) as bridge_rss, PeakRss(kernel_pid) as kernel_rss:
                call = await conn.call(flood(mb * MB))
            n = len(call.progress)
            lost, skipped = flood_progress_accounting(call.text, mb * MB)
            rows.append({
                "mb": mb, "seconds": round(call.seconds, 3), "mb_per_s": round(mb / call.seconds, 1),
                "notifications": n, "notifications_per_s": round(n / call.seconds, 1),
                "bytes_lost": lost, "progress_skipped": skipped,
                "bridge_rss_growth_mb": bridge_rss.growth, "kernel_rss_growth_mb": kernel_rss.growth,
                "rss_samples": bridge_rss.samples, "is_error": call.is_error,
            })
    return rows


def run(ctx: BenchContext) -> dict[str, Any]:
    result: dict[str, Any] = {"kernel": _kernel(ctx)}
    for transport in ("stdio",) if ctx.smoke else ("stdio", "http"):  # smoke: HTTP is covered by latency
        result[f"mcp_{transport}"] = run_async(_mcp, ctx, transport)
    _side_by_side(result)
    return result


_COLUMNS = (("mb_per_s", "MB/s"), ("bytes_lost", "lost"), ("progress_skipped", "skipped"),
            ("kernel_rss_growth_mb", "kernel +MB"),
            ("bridge_rss_growth_mb", "bridge +MB"))


def _side_by_side(now: dict[str, Any]) -> None:
    """Print this run's flood figures next to the committed run's (``before → now``)."""
    try:
        before = json.loads(RESULTS_JSON.read_text()).get("throughput") or {}
    except (OSError, ValueError):
        before = {}
    say("throughput, committed run → this run: " + ", ".join(label for _, label in _COLUMNS))
    for path, rows in now.items():
        old = {r["mb"]: r for r in before.get(path, [])}
        for row in rows:
            prev = old.get(row["mb"], {})
            cells = [f"{label} {prev.get(key, '–')} → {row.get(key, '–')}" for key, label in _COLUMNS]
            say(f"  {path} {row['mb']} MB: " + "; ".join(cells))
