"""``python -m mcp_bridge doctor`` on a good setup (simulated Stata) and on a broken one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from mcp_bridge.doctor import STREAM_MARKER, _streaming, first_arrival
from tests.bridge.helpers import ROOT, stdio_client

# One loop (loops echo no commands) printing the doctor's first line in two pieces, a pause between them.
SPLIT_LINE_CODE = (f'forvalues i = 1/1 {{\n    display "{STREAM_MARKER[:9]}" _continue\n    sleep 200\n'
                   f'    display "{STREAM_MARKER[9:]}"\n    sleep 800\n}}\n')


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcp_bridge", "doctor", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=150)


def test_doctor_passes_on_the_simulated_stata(bridge_env: dict[str, str]) -> None:
    proc = _doctor(bridge_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "SIMULATED Stata" in out
    for check in ("Stata installation", "kernelspec 'stata-live'", "kernel start", "round trip", "streaming"):
        assert f"[ ok ] {check}" in out, out
    assert "All checks passed." in out


def test_doctor_fails_naming_the_fix_when_stata_dir_points_nowhere(
    bridge_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(bridge_env, STATA_DIR=str(tmp_path / "nowhere"), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / ".config"))
    proc = _doctor(env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "[FAIL] Stata installation" in out
    assert f"{tmp_path / 'nowhere'} (STATA_DIR environment variable)" in out
    assert "fix: set STATA_DIR" in out
    assert "[skip]" in out


def test_doctor_names_a_missing_kernelspec(bridge_env: dict[str, str], tmp_path: Path) -> None:
    proc = _doctor(bridge_env, "--kernel-name", "no-such-kernel")
    assert proc.returncode == 1
    assert "[FAIL] kernelspec 'no-such-kernel': not installed" in proc.stdout
    assert "-m stata_kernel install" in proc.stdout


def test_doctor_reports_a_kernel_that_dies_at_start(bridge_env: dict[str, str], tmp_path: Path) -> None:
    spec = tmp_path / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "raise SystemExit(3)", "{connection_file}"],
        "display_name": "broken", "language": "stata",
    }))
    env = dict(bridge_env, JUPYTER_PATH=str(tmp_path))
    proc = _doctor(env, "--kernel-name", "broken")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[ ok ] bridge over stdio" in proc.stdout
    assert "[FAIL] kernel start" in proc.stdout and "did not become ready" in proc.stdout, proc.stdout
    assert "[skip] round trip" in proc.stdout


def test_a_line_cut_across_notifications_counts_when_its_last_piece_arrives() -> None:
    arrivals = [(0.10, "doctor ti"), (0.30, "ck 1\n"), (0.60, "doctor tick 2\n")]
    assert first_arrival(arrivals, STREAM_MARKER) == 0.30


def test_heartbeats_between_the_pieces_of_a_line_do_not_hide_it() -> None:
    arrivals = [(0.1, "doc"), (2.1, "[stata-live] Stata is still running: 2 s elapsed"), (2.2, "tor tick 1\n")]
    assert first_arrival(arrivals, STREAM_MARKER) == 2.2


def test_output_that_never_holds_the_line_is_reported_missing() -> None:
    assert first_arrival([(0.1, "doctor tick "), (0.2, "2\n")], STREAM_MARKER) is None


class _RecordingClient:
    """The real client, keeping each progress message the doctor's check received."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.messages: list[str] = []

    async def call_tool(self, name: str, arguments: dict[str, Any], *, progress_callback: Any) -> Any:
        async def record(progress: float, total: float | None, message: str | None) -> None:
            self.messages.append(message or "")
            await progress_callback(progress, total, message)

        return await self.client.call_tool(name, arguments, progress_callback=record)


async def test_doctor_streaming_check_passes_when_a_real_bridge_splits_the_line(bridge_env: dict[str, str]) -> None:
    async with stdio_client(env=bridge_env) as client:
        recording = _RecordingClient(client)
        check = await _streaming(recording, code=SPLIT_LINE_CODE)
    assert not any(STREAM_MARKER in m for m in recording.messages), recording.messages  # really split
    assert check.status == "ok", check
