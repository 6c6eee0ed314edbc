"""Facts about the run: date, machine size, load, versions of everything measured."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from .peers import PEERS


def _mem_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _peer_versions() -> dict[str, str]:
    out = {}
    for venv in PEERS:
        if not venv.python.exists():
            continue
        probe = "import importlib.metadata as m, sys; print(*(f'{n}=={m.version(n)}' for n in sys.argv[1:]))"
        names = [p.split("==")[0].split("<")[0] for p in venv.pins] + ["ipykernel"]
        result = subprocess.run([str(venv.python), "-c", probe, *names], capture_output=True, text=True)
        out[venv.name] = result.stdout.strip() or result.stderr.strip()[-200:]
    return out


def load() -> tuple[float, float, float]:
    return os.getloadavg()


def describe(code_label: str) -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": _mem_gib(),
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "code_under_test": code_label,
        "versions": {n: _version(n) for n in ("stata-live", "ipykernel", "jupyter_client", "pyzmq", "mcp")},
        "peer_versions": _peer_versions(),
    }
