"""The syntax package is shared by the kernel and the bridge: standard library only, one documented API."""

from __future__ import annotations

import subprocess
import sys

import stata_kernel.syntax as syntax


def test_importing_syntax_pulls_in_no_jupyter_or_pystata() -> None:
    probe = (
        "import sys, stata_kernel.syntax; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('ipykernel', 'jupyter_client', 'zmq', 'pystata', 'sfi', 'mcp', 'tornado', 'anyio')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_exported_name_exists_and_is_documented() -> None:
    missing = [name for name in syntax.__all__ if not hasattr(syntax, name)]
    undocumented = [
        name for name in syntax.__all__ if callable(getattr(syntax, name)) and name not in (syntax.__doc__ or "")
    ]
    assert (missing, undocumented) == ([], [])
