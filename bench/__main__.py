"""``python -m bench``: run the sections, print the table, write bench/results.json and RESULTS.md.

    python -m bench                      # everything (about 5 minutes; creates .bench/ venvs first time)
    python -m bench --smoke              # quick check that the bench works (< 60 s), exit 1 if broken
    python -m bench --only latency mcp   # some sections (also: gateway, the bridge on a Kernel Gateway)
    python -m bench --tree work          # measure the working tree instead of the HEAD commit
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from . import machine, report
from .context import BenchContext, say
from .paths import RESULTS_JSON, RESULTS_MD, SCRATCH
from .sections import gateway, kernels, latency, mcp, throughput
from .smoke import problems

SECTIONS: dict[str, Callable[[BenchContext], dict[str, Any]]] = {
    "latency": latency.run,
    "throughput": throughput.run,
    "kernels": kernels.run,
    "mcp": mcp.run,
    "gateway": gateway.run,
}

NOTES = [
    "Latency: the simulator stamps a piece when it enters Stata's output buffer, so the figures include any "
    "polling of that buffer and everything a kernel does with the piece until it reaches the client.",
    "Peers run as they would on a real Stata (`import pystata; pystata.config.init(...)`; the simulator "
    "reproduces those import side effects; bench/baselines/pystata_compat.py stays a no-op shim for older "
    "simulators). nbstata runs with `echo = False`: its default (`echo = None`) needs `mata` and "
    "`program define`, which the simulator does not have.",
    "The ≤ 20 notifications/s flood goal conflicts with the bridge's 128 KiB cap per notification "
    "(50 MB needs ≥ 382 notifications).",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--smoke", action="store_true", help="quick run (< 60 s); exit 1 when something is broken")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run only these sections")
    parser.add_argument("--tree", choices=["head", "work"], default=None,
                        help="code to measure: the HEAD commit exported under .bench/ (default of a full run; "
                        "others may be mid-edit in the checkout) or the working tree (default of --smoke)")
    args = parser.parse_args(argv)
    tree = args.tree or ("work" if args.smoke else "head")
    ctx = BenchContext.create(smoke=args.smoke, worktree=tree == "work")
    results: dict[str, Any] = {"mode": "smoke" if args.smoke else "full",
                               "machine": machine.describe(ctx.code_label),
                               "load": {"before": machine.load()[0]}, "errors": {}}
    say(f"code under test: {ctx.code_label} ({ctx.code_root}); Stata: {ctx.stata_dir}")
    results["section_seconds"] = {}
    for name in args.only or list(SECTIONS):
        started = time.perf_counter()
        try:
            results[name] = SECTIONS[name](ctx)
        except Exception as exc:
            traceback.print_exc()
            results["errors"][name] = f"{type(exc).__name__}: {exc}"
        results["section_seconds"][name] = round(time.perf_counter() - started, 1)
        results["load"][f"after_{name}"] = machine.load()[0]
        say(f"{name}: {results['section_seconds'][name]} s, load {results['load'][f'after_{name}']:.2f}")
    results["load"]["after"] = machine.load()[0]
    results["goals"] = [{"goal": g, "measured": v, "met": ok} for g, v, ok in report.goals(results)]
    results["notes"] = NOTES
    text = report.markdown(results)
    print(text)
    if args.smoke:
        (SCRATCH / "results-smoke.json").write_text(json.dumps(results, indent=1))
        found = problems(results)
        for p in found:
            print(f"SMOKE FAILURE: {p}", file=sys.stderr)
        return 1 if found else 0
    if args.only:  # bench/results.json and RESULTS.md always hold a complete run
        partial = SCRATCH / "results-partial.json"
        partial.write_text(json.dumps(results, indent=1) + "\n")
        say(f"wrote {partial}")
    else:
        RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
        RESULTS_MD.write_text("## Benchmarks\n\nRun `.venv/bin/python -m bench` (`--smoke` for a quick check, "
                              "`--only SECTION` for one of latency, throughput, kernels, mcp).\n\n" + text)
        say(f"wrote {RESULTS_JSON} and {RESULTS_MD}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
