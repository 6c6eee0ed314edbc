"""What makes a smoke run fail: broken plumbing, lost output, no streaming — never a slow figure."""

from __future__ import annotations

from typing import Any


def problems(results: dict[str, Any]) -> list[str]:
    found = [f"section {name} failed: {err}" for name, err in results.get("errors", {}).items()]
    lat = results.get("latency", {})
    for path in ("kernel", "mcp_stdio", "mcp_http", "mcp_log_stdio", "mcp_log_http", "mcp_log_legacy_stdio",
                 "mcp_log_legacy_http"):
        r = lat.get(path)
        if r is not None and (not r["n"] or r["pieces_never_arrived"]):
            found.append(f"latency {path}: {r['n']} pieces matched, {r['pieces_never_arrived']} never arrived")
    tp = results.get("throughput", {})
    for row in tp.get("kernel", []) + tp.get("mcp_stdio", []) + tp.get("mcp_http", []):
        if row["bytes_lost"]:
            found.append(f"throughput {row['mb']} MB lost {row['bytes_lost']} bytes")
    for row in results.get("kernels", {}).get("rows", []):
        if "error" in row:
            found.append(f"kernel {row['kernel']}: {row['error']}")
        elif row["kernel"] == "bench-stata-live" and row.get("slow_loop", {}).get("verdict") != "streams":
            found.append("our kernel did not stream the slow loop")
    for row in results.get("mcp", {}).get("rows", []):
        if "error" in row:
            found.append(f"MCP {row['server']}: {row['error']}")
        elif "stata-live" in row["server"] and row["slow_loop"]["verdict"] != "streams":
            found.append(f"{row['server']} did not stream the slow loop")
    gw = results.get("gateway", {})
    if "latency_ms" in gw:
        if not gw["latency_ms"]["n"] or gw["latency_ms"]["pieces_never_arrived"]:
            found.append(f"gateway: {gw['latency_ms']['n']} pieces matched, "
                         f"{gw['latency_ms']['pieces_never_arrived']} never arrived")
        if gw["slow_loop"]["verdict"] != "streams":
            found.append("the bridge on a Kernel Gateway did not stream the slow loop")
    return found
