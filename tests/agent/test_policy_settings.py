"""The policy's settings and the refusal's structured facts (what the bridge maps into ``error``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_bridge.cli import parse_config
from mcp_bridge.config import ConfigError
from mcp_bridge.policy import POLICY_BLOCKED, Policy, check_code, do_file_path_refusal, refusal_for
from tests.bridge.helpers import ROOT


def test_policy_is_on_by_default_with_the_working_directory_allowed() -> None:
    config = parse_config([])
    policy = Policy.from_config(config)
    assert config.policy and config.audit_log is None
    assert policy.enabled and policy.allowed_dirs == (os.path.realpath(os.getcwd()),)


def test_policy_off_and_allow_dirs_are_parsed(tmp_path: Path) -> None:
    config = parse_config(["--policy", "off", "--allow-dir", str(tmp_path), "--allow-dir", str(ROOT),
                           "--audit-log", "auto"])
    assert not config.policy
    assert config.allowed_dirs == (str(tmp_path.resolve()), str(ROOT.resolve()))
    assert config.audit_log == "auto"
    assert check_code(Policy.from_config(config), "shell ls") is None


def test_allow_dir_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--allow-dir"):
        parse_config(["--allow-dir", str(tmp_path / "missing")])


async def test_refusal_carries_kind_command_line_and_reason(tmp_path: Path) -> None:
    policy = Policy(allowed_dirs=(str(tmp_path),), cwd=str(tmp_path))
    refusal = await refusal_for(policy, "display 1\ndisplay 2\ncapture noisily shell ls")
    assert refusal is not None
    assert (refusal.kind, refusal.command, refusal.line, refusal.reason) == (POLICY_BLOCKED, "shell", 3, "shell escape")
    assert refusal.message == (
        'policy_blocked: shell escape "shell" on line 3 is not allowed for agent-run code '
        "(start the bridge with --allow-command shell or --policy off to allow it). Nothing was run."
    )
    assert refusal.to_error() == {"kind": POLICY_BLOCKED, "message": refusal.message, "command": "shell", "line": 3,
                                  "reason": "shell escape"}
    long_code = "display 1\n" * 1_000 + "shell ls\n"  # past INLINE_CHARS: checked in a worker thread, same answer
    far = await refusal_for(policy, long_code)
    assert far is not None and (far.command, far.line) == ("shell", 1_001)


def test_do_file_path_outside_allowed_dirs_is_refused_without_a_line(tmp_path: Path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    policy = Policy(allowed_dirs=(str(inside),), cwd=str(inside))
    assert do_file_path_refusal(policy, "analysis.do") is None  # relative to the allowed working directory
    refusal = do_file_path_refusal(policy, "../elsewhere.do")
    assert refusal is not None and refusal.line is None and refusal.command == "stata_run_file"


def test_install_and_doctor_do_not_disturb_the_server_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "mcp_bridge", "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0
    assert "--transport" in done.stdout and "--policy" in done.stdout and "--audit-log" in done.stdout
