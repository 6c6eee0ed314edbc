"""What every section gets: the code under test, the environment pointing at the simulated Stata."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .kernelclient import write_kernelspec
from .paths import REPO, SCRATCH, head_commit, simulator_dir, snapshot
from .peers import ours


@dataclass
class BenchContext:
    code_root: Path  # where stata_kernel/ and mcp_bridge/ are imported from
    code_label: str  # commit, or "working tree"
    stata_dir: str
    edition: str
    smoke: bool
    scratch: Path

    @classmethod
    def create(cls, smoke: bool, worktree: bool) -> BenchContext:
        SCRATCH.mkdir(exist_ok=True)
        if worktree:
            root, label = REPO, "working tree"
        else:
            commit = head_commit()
            root, label = snapshot(commit), commit
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=SCRATCH))
        ctx = cls(root, label, simulator_dir(root), "mp", smoke, scratch)
        write_kernelspec(ctx.path("jupyter"), ours())  # the kernel the bridge starts (--kernel-name)
        return ctx

    def env(self, emit_log: Path | None = None) -> dict[str, str]:
        """Our environment with Stata pointed at the simulator (and an emission log when asked)."""
        drop = ("STATA_DIR", "STATA_EDITION", "SIMSTATA_EMIT_LOG", "PYTHONPATH")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env["STATA_DIR"] = self.stata_dir
        env["STATA_EDITION"] = self.edition
        env["PYTHONPATH"] = str(self.code_root)
        env["PYTHONUNBUFFERED"] = "1"
        env["JUPYTER_PATH"] = str(self.path("jupyter"))
        if emit_log is not None:
            env["SIMSTATA_EMIT_LOG"] = str(emit_log)
        return env

    def path(self, name: str) -> Path:
        return self.scratch / name


def say(message: str) -> None:
    """Progress of the bench itself, on stderr (the table goes to stdout)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
