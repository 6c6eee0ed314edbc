"""Installing the kernelspec shipped as package data, under its own name."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from . import KERNEL_NAME

SPEC_DIR = Path(__file__).parent / "kernelspec"


class KernelSpecExists(Exception):
    """Another kernelspec is installed under our name; ``--force`` replaces it."""


def install_kernelspec(
    *, user: bool = False, prefix: str | None = None, force: bool = False, python: str | None = None
) -> str:
    """Install the ``stata-live`` kernelspec and return where it went.

    The spec's argv names this Python, so the kernel runs with the interpreter that has the package.
    """
    manager = KernelSpecManager()
    target = _target_dir(manager, user=user, prefix=prefix)
    existing = target / KERNEL_NAME / "kernel.json"
    if existing.exists() and not force and not _is_ours(existing):
        raise KernelSpecExists(
            f"{existing} belongs to another kernel; rerun with --force to replace it"
        )
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / KERNEL_NAME
        shutil.copytree(SPEC_DIR, staged)
        spec = json.loads((staged / "kernel.json").read_text(encoding="utf-8"))
        spec["argv"][0] = python or sys.executable
        (staged / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
        return str(manager.install_kernel_spec(str(staged), KERNEL_NAME, user=user, prefix=prefix))


def _target_dir(manager: KernelSpecManager, *, user: bool, prefix: str | None) -> Path:
    if user:
        return Path(manager.user_kernel_dir)
    if prefix is not None:
        return Path(prefix) / "share" / "jupyter" / "kernels"
    from jupyter_core.paths import SYSTEM_JUPYTER_PATH

    return Path(SYSTEM_JUPYTER_PATH[0]) / "kernels"


def _is_ours(kernel_json: Path) -> bool:
    try:
        spec = json.loads(kernel_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    argv = spec.get("argv") or []
    return len(argv) >= 3 and argv[1:3] == ["-m", "stata_kernel"] and spec.get("language") == "stata"
