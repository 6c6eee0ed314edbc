"""Command line: run the kernel, install its kernelspec, or print the simulated Stata's path.

    python -m stata_kernel -f CONNECTION_FILE [--stata-dir DIR] [--stata-edition mp|se|be]
    python -m stata_kernel install [--user | --sys-prefix | --prefix DIR] [--force]
    python -m stata_kernel simulator-dir
    python -m stata_kernel selftest [--stata-dir DIR] [--stata-edition mp|se|be]
    python -m stata_kernel locate [--stata-dir DIR]

``locate`` prints, as one JSON object, the Stata this kernel would start (``stata_dir``, ``edition``,
``source``, ``simulated``) or why none (``error``: ``not_found`` with ``searched``, or ``bad_edition``;
exit 1). With ``--stata-dir`` only that directory counts. Tools outside the kernel (the MCP bridge's
``install`` and ``doctor``) ask this instead of importing the kernel.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def simulator_dir() -> Path:
    """The simulated Stata installation shipped in this package (use it as STATA_DIR for demos)."""
    return Path(__file__).resolve().parent / "simulated_stata"


def _install(argv: list[str]) -> int:
    from .install import KernelSpecExists, install_kernelspec

    parser = argparse.ArgumentParser(prog="python -m stata_kernel install",
                                     description="Install the stata-live kernelspec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. a venv)")
    where.add_argument("--prefix", help="install under PREFIX/share/jupyter/kernels")
    parser.add_argument("--force", action="store_true", help="replace another kernel's spec of the same name")
    args = parser.parse_args(argv)
    prefix = sys.prefix if args.sys_prefix else args.prefix
    try:
        path = install_kernelspec(user=args.user, prefix=prefix, force=args.force)
    except KernelSpecExists as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Installed kernelspec stata-live in {path}")
    return 0


def _locate(argv: list[str]) -> int:
    from .discovery import find_stata
    from .errors import StataNotFound

    parser = argparse.ArgumentParser(prog="python -m stata_kernel locate",
                                     description="Print the Stata installation the kernel would use, as JSON.")
    parser.add_argument("--stata-dir", help="check this directory only (no fallback to other places)")
    args = parser.parse_args(argv)
    answer: dict[str, object]
    try:
        # An explicit directory must be right itself, not fall back to another installation.
        found = (find_stata(args.stata_dir, env={}, config_files=[], defaults=[]) if args.stata_dir
                 else find_stata())
    except StataNotFound as exc:
        answer = {"error": "not_found", "message": str(exc), "searched": exc.searched}
    except ValueError as exc:  # a bad STATA_EDITION
        answer = {"error": "bad_edition", "message": str(exc)}
    else:
        answer = {"stata_dir": str(found.stata_dir), "edition": found.edition, "source": found.source,
                  "simulated": found.simulated}
    print(json.dumps(answer))
    return 1 if "error" in answer else 0


def _run_kernel(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--stata-dir")
    parser.add_argument("--stata-edition")
    ours, rest = parser.parse_known_args(argv)
    extra = []
    if ours.stata_dir:
        extra.append(f"--StataKernel.stata_dir={ours.stata_dir}")
    if ours.stata_edition:
        extra.append(f"--StataKernel.stata_edition={ours.stata_edition}")
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import StataKernel

    IPKernelApp.launch_instance(argv=rest + extra, kernel_class=StataKernel)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["install"]:
        return _install(argv[1:])
    if argv[:1] == ["simulator-dir"]:
        print(simulator_dir())
        return 0
    if argv[:1] == ["locate"]:
        return _locate(argv[1:])
    if argv[:1] == ["selftest"]:
        from .selftest import main as selftest

        return selftest(argv[1:])
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    return _run_kernel(argv)


if __name__ == "__main__":
    sys.exit(main())
