"""Run simulator scenarios in fresh subprocesses (one Stata per process, like the real one).

A scenario is Python source executed after a prelude that puts ONLY ``<sim>/utilities`` on ``sys.path``
(``python -I``: no PYTHONPATH, no user site), initialises the simulated Stata and defines helpers:

* ``run(code, **kw)`` -> dict(streamed, tail, error, pieces, foreign_thread_pieces, main_thread_pieces)
* ``RESULT``: a dict the scenario fills; it comes back to the test as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SIM_DIR = Path(__file__).resolve().parents[2] / "stata_kernel" / "simulated_stata"

PRELUDE = r'''
import json, os, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["SIM_DIR"], "utilities"))
if os.environ.get("SIM_NO_INIT") != "1":
    from pystata import config
    config.init(os.environ.get("SIM_EDITION", "mp"), splash=False)
    from pystata import stata
    import sfi

class Collector:
    """A stoutputf that records each non-empty piece and whether the main thread wrote it."""
    def __init__(self, on_piece=None):
        self.pieces = []
        self.main = 0
        self.on_piece = on_piece
    def write(self, text):
        if text:
            self.pieces.append(text)
            if threading.current_thread() is threading.main_thread():
                self.main += 1
            if self.on_piece is not None:
                self.on_piece(text)
        return len(text)
    def flush(self):
        pass
    def text(self):
        return "".join(self.pieces)

def run(code, collector=None, **kw):
    col = collector or Collector()
    config.stoutputf = col
    err = None
    try:
        stata.run(code, **kw)
    except SystemError as exc:
        err = str(exc)
    n_before_return = len(col.pieces)
    tail = config.get_output()
    config.stoutputf = None
    return {"streamed": col.text(), "tail": tail, "error": err, "pieces": list(col.pieces),
            "main_thread_pieces": col.main, "pieces_before_return": n_before_return}

def results(kind):
    """Stored results read through sfi, as pystata's get_return does inside (which needs numpy)."""
    out = {}
    readers = {"scalar": sfi.Scalar.getValue, "macro": sfi.Macro.getGlobal, "matrix": sfi.Matrix.get}
    for category, read in readers.items():
        for name in sfi.SFIToolkit.listReturn(kind + "()", category).split():
            out[f"{kind}({name})"] = read(f"{kind}({name})")
    return out

RESULT = {}
'''

# Helpers for scenarios that drive the C entry points the way an embedder (or pystata) does.
EXECUTE = r"""
lib = config.stlib
def drain():
    data = b""
    while True:
        piece = lib.StataSO_GetOutputBuffer()
        if not piece:
            return data
        data += piece
def execute(line, echo=False):
    lib.StataSO_ClearOutputBuffer()
    rc = lib.StataSO_Execute(line.encode("utf-8"), echo)
    return rc, drain().decode("utf-8")
def runtime():
    from pystata._sim import runtime as _rt
    return _rt.get_runtime()
def started_event():
    # Stata code signals progress with `python: started.set()` (event-driven, no sleeps)
    ev = threading.Event()
    runtime().python_namespace["started"] = ev
    return ev
def in_background(line, echo=False):
    # StataSO_Execute on a worker thread; returns (thread, holder) with holder["rc"] once it returned
    holder = {}
    def work():
        holder["rc"] = lib.StataSO_Execute(line.encode("utf-8"), echo)
    th = threading.Thread(target=work)
    th.start()
    return th, holder
"""

POSTLUDE = r"""
with open(os.environ["SIM_RESULT"], "w") as _f:
    json.dump(RESULT, _f)
"""


@dataclass
class Outcome:
    result: dict[str, Any]
    returncode: int
    stdout: str
    stderr: str


Scenario = Callable[..., Outcome]


@pytest.fixture(scope="session")
def sim_dir() -> Path:
    return SIM_DIR


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    counter = {"n": 0}

    def run_scenario(
        body: str,
        *,
        env: dict[str, str] | None = None,
        sim_dir: Path = SIM_DIR,
        expect_rc: int | None = 0,
        timeout: float = 60,
    ) -> Outcome:
        counter["n"] += 1
        result_path = tmp_path / f"result{counter['n']}.json"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SIMSTATA_")}
        full_env.update({"SIM_DIR": str(sim_dir), "SIM_RESULT": str(result_path), "PYTHONIOENCODING": "utf-8"})
        full_env.update(env or {})
        source = PRELUDE + textwrap.dedent(body) + POSTLUDE
        proc = subprocess.run(
            [sys.executable, "-I", "-c", source],
            env=full_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if expect_rc is not None and proc.returncode != expect_rc:
            raise AssertionError(
                f"scenario exited {proc.returncode}, expected {expect_rc}\n"
                f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
            )
        result = json.loads(result_path.read_text()) if result_path.exists() else {}
        return Outcome(result, proc.returncode, proc.stdout, proc.stderr)

    return run_scenario
