"""``python -m mcp_bridge install``: each client's entry, printed or merged into its config file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bridge.helpers import ROOT


def _install(*args: str, home: Path, stata_dir: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "STATA_DIR": stata_dir, "XDG_CONFIG_HOME": str(home / ".config"),
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mcp_bridge", "install", *args], env=env, cwd=cwd or home,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def stata_dir() -> str:
    return subprocess.run([sys.executable, "-m", "stata_kernel", "simulator-dir"], check=True, capture_output=True,
                          text=True).stdout.strip()


def _assert_runs_this_bridge(entry: dict[str, object], stata_dir: str) -> None:
    assert entry["command"] == sys.executable
    assert entry["args"][:2] == ["-m", "mcp_bridge"]  # type: ignore[index]
    assert entry["env"] == {"STATA_DIR": stata_dir}


@pytest.mark.parametrize("client", ["claude-desktop", "cursor", "claude-code"])
def test_dry_run_prints_the_json_entry_and_writes_nothing(client: str, home: Path, stata_dir: str) -> None:
    proc = _install("--client", client, "--dry-run", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)["mcpServers"]["stata"]
    _assert_runs_this_bridge(entry, stata_dir)
    assert "dry run" in proc.stderr
    assert not any(p.is_file() for p in home.rglob("*"))
    if client == "claude-code":
        assert entry["type"] == "stdio"
        assert "claude mcp add --transport stdio --scope project -e STATA_DIR=" in proc.stderr
    else:  # clients that start servers in a directory of their own get the policy pinned here
        assert entry["args"][2:] == ["--allow-dir", str(home)]


def test_dry_run_prints_the_codex_toml_table(home: Path, stata_dir: str) -> None:
    tomllib = pytest.importorskip("tomllib")
    proc = _install("--client", "codex", "--dry-run", "--name", "stata-sim", "--audit-log", "auto",
                    home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("[mcp_servers.stata-sim]\n")
    entry = tomllib.loads(proc.stdout)["mcp_servers"]["stata-sim"]
    _assert_runs_this_bridge(entry, stata_dir)
    assert entry["args"][2:] == ["--audit-log", "auto", "--allow-dir", str(home)]
    assert str(home / ".codex" / "config.toml") in proc.stderr


def test_dry_run_for_claude_code_user_scope_prints_the_claude_command(home: Path, stata_dir: str) -> None:
    proc = _install("--client", "claude-code", "--scope", "user", "--dry-run", "--policy", "off",
                    home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("claude mcp add --transport stdio --scope user -e STATA_DIR=")
    assert proc.stdout.strip().endswith("-m mcp_bridge --policy off")


def test_claude_desktop_config_is_merged_with_a_backup(home: Path, stata_dir: str) -> None:
    config = home / ".config" / "Claude" / "claude_desktop_config.json"  # Linux location
    config.parent.mkdir(parents=True)
    before = {"globalShortcut": "Ctrl+Space", "mcpServers": {"other": {"command": "other-server", "args": []}}}
    config.write_text(json.dumps(before))
    proc = _install("--client", "claude-desktop", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    after = json.loads(config.read_text())
    assert after["globalShortcut"] == "Ctrl+Space"
    assert after["mcpServers"]["other"] == before["mcpServers"]["other"]
    _assert_runs_this_bridge(after["mcpServers"]["stata"], stata_dir)
    backups = list(config.parent.glob("claude_desktop_config.json.bak-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == before


def test_codex_config_is_merged_and_an_old_entry_replaced(home: Path, stata_dir: str) -> None:
    tomllib = pytest.importorskip("tomllib")
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text('model = "o3"\n\n[mcp_servers.stata]\ncommand = "old"\n\n[mcp_servers.stata.env]\nX = "1"\n\n'
                      '[mcp_servers.docs]\ncommand = "docs-server"\nargs = ["--x"]\n')
    proc = _install("--client", "codex", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    after = tomllib.loads(config.read_text())
    assert after["model"] == "o3"
    assert after["mcp_servers"]["docs"] == {"command": "docs-server", "args": ["--x"]}
    _assert_runs_this_bridge(after["mcp_servers"]["stata"], stata_dir)


def test_claude_code_writes_the_project_mcp_json(home: Path, stata_dir: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    proc = _install("--client", "claude-code", home=home, stata_dir=stata_dir, cwd=project)
    assert proc.returncode == 0, proc.stderr
    entry = json.loads((project / ".mcp.json").read_text())["mcpServers"]["stata"]
    assert entry["type"] == "stdio" and entry["args"] == ["-m", "mcp_bridge"]


def test_invalid_existing_config_is_left_alone(home: Path, stata_dir: str) -> None:
    config = home / ".cursor" / "mcp.json"
    config.parent.mkdir()
    config.write_text("{ not json")
    proc = _install("--client", "cursor", home=home, stata_dir=stata_dir)
    assert proc.returncode == 1
    assert "not valid JSON" in proc.stderr
    assert config.read_text() == "{ not json"


def test_missing_stata_is_an_error_naming_the_fix(home: Path) -> None:
    proc = _install("--client", "cursor", "--dry-run", "--stata-dir", str(home / "nowhere"), home=home,
                    stata_dir="")
    assert proc.returncode == 1
    assert "--stata-dir" in proc.stderr and "simulator-dir" in proc.stderr
