"""The policy's settings and the refusal's structured facts (what the bridge maps into ``error``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_bridge.cli import parse_config
from mcp_bridge.config import ConfigError
from mcp_bridge.policy import POLICY_BLOCKED, Policy, PolicyBlocked, check_code, check_do_file_path, enforce
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
    with pytest.raises(PolicyBlocked) as caught:
        await enforce(policy, "display 1\ndisplay 2\ncapture noisily shell ls")
    exc = caught.value
    assert (exc.kind, exc.command, exc.line, exc.reason) == (POLICY_BLOCKED, "shell", 3, "shell escape")
    assert str(exc) == (
        'policy_blocked: shell escape "shell" on line 3 is not allowed for agent-run code '
        "(start the bridge with --allow-command shell or --policy off to allow it). Nothing was run."
    )
    assert exc.refusal.to_error() == {"kind": POLICY_BLOCKED, "message": str(exc), "command": "shell", "line": 3,
                                      "reason": "shell escape"}


def test_do_file_path_outside_allowed_dirs_is_refused_without_a_line(tmp_path: Path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    policy = Policy(allowed_dirs=(str(inside),), cwd=str(inside))
    check_do_file_path(policy, "analysis.do")  # relative to the allowed working directory: fine
    with pytest.raises(PolicyBlocked) as caught:
        check_do_file_path(policy, "../elsewhere.do")
    assert caught.value.line is None and caught.value.command == "stata_run_file"


def test_install_and_doctor_do_not_disturb_the_server_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "mcp_bridge", "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0
    assert "--transport" in done.stdout and "--policy" in done.stdout and "--audit-log" in done.stdout
