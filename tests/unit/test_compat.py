"""The private hooks of ipykernel, the mcp SDK and uvicorn that the project uses are all still there.

An upgrade that removes one fails here, with the library and its version in the message, rather
than in a user's notebook or agent session. Each check is also shown to fail when a hook is gone.
"""

from __future__ import annotations

import uvicorn
from ipykernel.kernelbase import Kernel

from mcp_bridge import _compat as bridge_compat
from stata_kernel import _compat as kernel_compat


def test_the_installed_ipykernel_has_every_hook_the_kernel_uses() -> None:
    assert kernel_compat.missing() == []


def test_the_installed_mcp_sdk_and_uvicorn_have_every_hook_the_bridge_uses() -> None:
    assert bridge_compat.missing() == []


def test_a_removed_ipykernel_hook_is_named_with_the_version(monkeypatch) -> None:
    monkeypatch.delattr(Kernel, "_topic")
    problems = kernel_compat.missing()
    assert len(problems) == 1 and problems[0].startswith("ipykernel ") and "Kernel._topic" in problems[0]


def test_a_removed_uvicorn_hook_is_named_with_the_version(monkeypatch) -> None:
    monkeypatch.delattr(uvicorn.Server, "capture_signals")
    problems = bridge_compat.missing()
    assert len(problems) == 1 and problems[0].startswith("uvicorn ") and "capture_signals" in problems[0]


def test_a_session_without_its_connection_degrades_to_none() -> None:
    assert bridge_compat.connection_of(object()) is None
