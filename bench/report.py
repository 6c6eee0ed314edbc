"""The results as a markdown table (stdout and bench/RESULTS.md) and the goals met or missed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Goal = tuple[str, str, bool | None]  # (goal, measured, met; None = not measured)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return lines


def _latency(res: dict[str, Any]) -> list[str]:
    names = {"kernel": "kernel: iopub `stream`", "mcp_stdio": "MCP progress, stdio",
             "mcp_http": "MCP progress, Streamable HTTP",
             "mcp_log_stdio": "MCP log messages (client set only a log level), stdio",
             "mcp_log_http": "MCP log messages (client set only a log level), Streamable HTTP",
             "mcp_log_legacy_stdio": "MCP log messages, handshake era (logging/setLevel), stdio",
             "mcp_log_legacy_http": "MCP log messages, handshake era (logging/setLevel), Streamable HTTP"}
    rows = [[names[k], res[k]["n"], res[k]["p50"], res[k]["p99"], res[k]["max"], res[k].get("first_piece_ms"),
             res[k]["pieces_never_arrived"]] for k in names if k in res]
    return [f"**Emitted piece → client** (ms; {res['workload']}; first piece: worst run's first piece)", "",
            *_table(["path", "pieces", "p50", "p99", "max", "first piece", "never arrived"], rows)]


def _throughput(res: dict[str, Any]) -> list[str]:
    rows = [["kernel", r["mb"], r["seconds"], r["mb_per_s"], r["messages"], r["messages_per_s"], r["bytes_lost"],
             "–", r["kernel_rss_growth_mb"], "–"] for r in res.get("kernel", [])]
    for key, name in (("mcp_stdio", "MCP stdio"), ("mcp_http", "MCP HTTP")):
        rows += [[name, r["mb"], r["seconds"], r["mb_per_s"], r["notifications"], r["notifications_per_s"],
                  r["bytes_lost"], r.get("progress_skipped", "–"), r["kernel_rss_growth_mb"],
                  r["bridge_rss_growth_mb"]] for r in res.get(key, [])]
    return ["**Throughput and memory** (`_sim_flood`, sequence-checked; *skipped*: characters progress left out "
            "with a marker counting them because the client fell behind the bridge's window, by design; *lost*: "
            "neither received nor counted)", "",
            *_table(["path", "MB", "s", "MB/s", "messages", "messages/s", "bytes lost", "progress skipped",
                     "kernel RSS +MB", "bridge RSS +MB"], rows)]


def _kernels(res: dict[str, Any]) -> list[str]:
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([r["label"], f"could not run: {r['error'][:160]}", *[""] * 8])
            continue
        d, loop = r.get("display_1_ms", {}), r.get("slow_loop", {})
        tail = r.get("tail_in_cell")
        late = "–" if tail is None else ("yes" if tail else "**no**: shown with the next cell")
        rows.append([r["label"], d.get("p50"), d.get("mean"), d.get("p99"), r.get("p50_vs_floor"),
                     loop.get("first_output_s"), loop.get("spread_s"), loop.get("verdict", "–"),
                     late, r.get("ready_s")])
    pump = next((r["output_pump"] for r in res["rows"] if r.get("output_pump")), None)
    pump_lines = [f"stata-live's {pump}", ""] if pump else []
    return [f"**Kernels**: `display 1` per cell ({res['cells_per_kernel']} cells each, interleaved; ms); "
            "slow loop (5 × `display` + `sleep 400`): first output and spread (s); "
            "whether a cell's last output (pystata's tail race: `display \"tail probe\"`) "
            "arrives with that cell; cold start (s)", "",
            *_table(["kernel", "p50", "mean", "p99", "p50 / floor", "first output", "spread", "slow loop",
                     "tail in cell", "ready"], rows), "", *pump_lines]


def _mcp(res: dict[str, Any]) -> list[str]:
    rows = []
    for r in res["rows"]:
        if "error" in r:
            rows.append([r["server"], f"could not run: {r['error'][:160]}", "", "", "", "", "", ""])
            continue
        d, loop = r["display_1_ms"], r["slow_loop"]
        rows.append([r["server"], d["p50"], d["mean"], d["p99"], loop["first_output_s"], loop["spread_s"],
                     loop["verdict"], r["start_to_first_result_s"]])
    lines = [f"**MCP servers**: `stata_run(\"display 1\")` ({res['calls_per_server']} calls; ms), slow loop "
             "(first progress after, spread; s), start → first completed call (s)", "",
             *_table(["server", "p50", "mean", "p99", "first progress", "spread", "slow loop", "start → result"],
                     rows)]
    return lines + _breakdown(res.get("breakdown"))


_PARTS = (("mcp_call", "`stata_run(\"display 1\")` over stdio, the bridge attached to the kernel below"),
          ("mcp_no_op", "SDK + transport: a call the bridge answers at once (unknown tool)"),
          ("kernel_bare", "bare jupyter_client-style execute round trip to the same kernel"),
          ("kernel_with_expressions", "the same with the bridge's r()/e()/describe() expressions"),
          ("seed_call", "seed baseline call (its `stata.run` costs ≥ 15 ms, as real pystata's)"))


def _breakdown(res: dict[str, Any] | None) -> list[str]:
    if not res or "parts_ms" not in res:
        return []
    parts = res["parts_ms"]
    rows = [[what, parts[key]["p50"], parts[key]["p99"]] for key, what in _PARTS if key in parts]
    rows.append(["bridge and results (the call minus the SDK and the kernel with expressions)",
                 res.get("bridge_and_results_p50_ms"), ""])
    return ["", f"**One MCP call broken down** ({res['calls_per_part']} of each, interleaved in one run; ms)", "",
            *_table(["part", "p50", "p99"], rows)]


def _gateway(res: dict[str, Any]) -> list[str]:
    if "skipped" in res:
        return [f"**Bridge on a Kernel Gateway**: skipped ({res['skipped']})"]
    lat, loop, intr = res["latency_ms"], res["slow_loop"], res["interrupt_ms"]
    rows = [["emitted piece → progress (ms)", lat["n"], lat["p50"], lat["p99"], lat["max"]],
            ["`stata_interrupt` → run stopped (ms)", intr["n"], intr["p50"], intr["p99"], intr["max"]]]
    return [f"**Bridge on a Kernel Gateway** (`--server-url`, stdio; {res['workload']}): slow loop first progress "
            f"{_fmt(loop['first_output_s'], 3)} s after the call, spread {_fmt(loop['spread_s'])} s "
            f"({loop['verdict']}); first call after connecting {_fmt(res['first_call_s'])} s (the bridge starts "
            "its kernel while the client connects)",
            "", *_table(["what", "n", "p50", "p99", "max"], rows)]


def _row(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, Any] | None:
    return next((r for r in rows if r.get(key) == value and "error" not in r), None)


def goals(results: dict[str, Any]) -> list[Goal]:
    out: list[Goal] = []
    add: Callable[[str, Any, bool | None], None] = lambda g, v, ok: out.append((g, _fmt(v), ok))  # noqa: E731
    lat = results.get("latency")
    if lat:
        k, s, h = lat["kernel"], lat["mcp_stdio"], lat["mcp_http"]
        add("kernel p50 ≤ 2 ms", k["p50"], k["p50"] is not None and k["p50"] <= 2)
        add("kernel p99 ≤ 25 ms", k["p99"], k["p99"] is not None and k["p99"] <= 25)
        for name, r in (("stdio", s), ("HTTP", h)):
            add(f"MCP {name} p50 ≤ 5 ms", r["p50"], r["p50"] is not None and r["p50"] <= 5)
            add(f"MCP {name} p99 ≤ 25 ms", r["p99"], r["p99"] is not None and r["p99"] <= 25)
        for name, key in (("stdio", "mcp_log_stdio"), ("HTTP", "mcp_log_http"),
                          ("stdio, logging/setLevel", "mcp_log_legacy_stdio"),
                          ("HTTP, logging/setLevel", "mcp_log_legacy_http")):
            r = lat.get(key)
            if r is not None:
                first = r.get("first_piece_ms")
                add(f"MCP log-level-only client {name}: first tick ≤ 50 ms", first, first is not None and first <= 50)
                add(f"MCP log-level-only client {name}: p99 ≤ 50 ms", r["p99"], r["p99"] is not None and r["p99"] <= 50)
    tp = results.get("throughput")
    if tp:
        biggest = tp["kernel"][-1]
        add(f"kernel ≥ 50 MB/s ({biggest['mb']} MB)", biggest["mb_per_s"], biggest["mb_per_s"] >= 50)
        all_rows = tp["kernel"] + tp["mcp_stdio"] + tp.get("mcp_http", [])
        lost = sum(r["bytes_lost"] for r in all_rows)
        add("bytes lost = 0 (all sizes, kernel and MCP)", lost, lost == 0)
        growth = max([r.get("kernel_rss_growth_mb", 0) for r in all_rows]
                     + [r.get("bridge_rss_growth_mb", 0) for r in all_rows])
        add("RSS growth ≤ 50 MB (kernel and bridge)", growth, growth <= 50)
        flood = tp["mcp_stdio"][-1]
        add(f"≤ 20 notifications/s under flood ({flood['mb']} MB)", flood["notifications_per_s"],
            flood["notifications_per_s"] <= 20)
    kr = results.get("kernels")
    if kr:
        ours = _row(kr["rows"], "kernel", "bench-stata-live")
        if ours:
            ratio = ours.get("p50_vs_floor")
            add("kernel display 1 p50 ≤ 1.15 × floor", ratio, None if ratio is None else ratio <= 1.15)
            peers = [r for r in kr["rows"] if r["kernel"] in ("bench-nbstata", "bench-pystata-kernel")]
            if peers and all("display_1_ms" in r for r in peers):
                best = min(r["display_1_ms"]["p50"] for r in peers)
                add("kernel display 1 p50 below every peer", f"{ours['display_1_ms']['p50']} vs {best}",
                    ours["display_1_ms"]["p50"] < best)
            else:
                add("kernel display 1 p50 below every peer", "peers not measured", None)
    mr = results.get("mcp")
    if mr:
        stdio = _row(mr["rows"], "server", "stata-live bridge (stdio)")
        if stdio:
            add("stata_run(display 1) p50 ≤ 10 ms (stdio)", stdio["display_1_ms"]["p50"],
                stdio["display_1_ms"]["p50"] <= 10)
            add("bridge start → first completed call ≤ 3 s", stdio["start_to_first_result_s"],
                stdio["start_to_first_result_s"] <= 3)
        parts = (mr.get("breakdown") or {}).get("parts_ms") or {}
        if {"mcp_call", "seed_call", "kernel_bare"} <= parts.keys():
            goal = parts["seed_call"]["p50"] + 1.1 * parts["kernel_bare"]["p50"]
            call = parts["mcp_call"]["p50"]
            add(f"stata_run p50 ≤ seed-style call + 1.1 × bare kernel round trip ({_fmt(goal)}; the seed call "
                "pays pystata's 15 ms, so this reading is loose)", call, call <= goal)
        if {"mcp_call", "mcp_no_op", "kernel_bare"} <= parts.keys():
            goal = parts["mcp_no_op"]["p50"] + 1.1 * parts["kernel_bare"]["p50"]
            call = parts["mcp_call"]["p50"]
            add(f"stata_run p50 ≤ no-op MCP call + 1.1 × bare kernel round trip ({_fmt(goal)}; the strict reading)",
                call, call <= goal)
    if tp:
        for name, key in (("stdio", "mcp_stdio"), ("HTTP", "mcp_http")):
            row = next((r for r in tp.get(key, []) if r["mb"] == 50), None)
            if row is not None:
                add(f"50 MB flood over {name}: bridge RSS ≤ 50 MB", row.get("bridge_rss_growth_mb"),
                    (row.get("bridge_rss_growth_mb") or 0) <= 50)
                add(f"50 MB flood over {name}: kernel RSS ≤ 30 MB", row.get("kernel_rss_growth_mb"),
                    (row.get("kernel_rss_growth_mb") or 0) <= 30)
                add(f"50 MB flood over {name}: ≥ 30 MB/s", row["mb_per_s"], row["mb_per_s"] >= 30)
    if kr:
        ours = _row(kr["rows"], "kernel", "bench-stata-live")
        ratio = ours.get("p50_vs_floor") if ours else None
        add("kernel display 1 p50 ≤ 1.05 × floor", ratio, None if ratio is None else ratio <= 1.05)
    gw = results.get("gateway")
    if gw and "skipped" not in gw:
        first = gw["slow_loop"]["first_output_s"]
        add("Kernel Gateway: first tick ≤ 1.5 s after the call", first, first is not None and first <= 1.5)
        worst = gw["interrupt_ms"]["max"]
        add("Kernel Gateway: interrupt ≤ 200 ms", worst, worst is not None and worst <= 200)
    return out


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = results.get("load", {})
    peak = max((v or 0.0) for v in load.values()) if load else None
    lines = [
        f"Measured {m['date']} on {m['nproc']} cores, {m['memory_gib']} GiB ({m['cpu']}), Python {m['python']}, "
        f"code at {m['code_under_test'][:12]}; 1-min load average {_fmt(load.get('before'))} before, "
        f"{_fmt(peak)} at most, {_fmt(load.get('after'))} after. All on the simulated Stata; ratios are "
        "within this run.",
        "",
    ]
    if (peak or 0) > 1.0:
        lines += ["*The machine was shared with other work during this run: absolute times are noisy, the "
                  "ratios (same run, interleaved) less so.*", ""]
    sections = (("latency", _latency), ("throughput", _throughput), ("kernels", _kernels), ("mcp", _mcp),
                ("gateway", _gateway))
    for key, render in sections:
        if key in results:
            lines += [*render(results[key]), ""]
        elif key in results.get("errors", {}):
            lines += [f"**{key}**: failed: {results['errors'][key]}", ""]
    lines += ["**Goals**", "", *_table(["goal", "measured", "met"],
                                       [[g, v, {True: "yes", False: "**no**", None: "–"}[ok]]
                                        for g, v, ok in goals(results)])]
    if results.get("notes"):
        lines += ["", *[f"- {n}" for n in results["notes"]]]
    return "\n".join(lines) + "\n"
