"""``python -m mcp_bridge install``: each client's entry, printed or merged into its config file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from mcp_bridge import jsonc
from mcp_bridge.clients import config_path
from tests.bridge.helpers import ROOT, text_of


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


JSON_KEYS = {"claude-desktop": "mcpServers", "cursor": "mcpServers", "claude-code": "mcpServers",
             "vscode": "servers", "gemini": "mcpServers"}


@pytest.mark.parametrize("client", sorted(JSON_KEYS))
def test_dry_run_prints_the_json_entry_and_writes_nothing(client: str, home: Path, stata_dir: str) -> None:
    proc = _install("--client", client, "--dry-run", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)[JSON_KEYS[client]]["stata"]
    _assert_runs_this_bridge(entry, stata_dir)
    assert "dry run" in proc.stderr
    assert not any(p.is_file() for p in home.rglob("*"))
    assert ("type" in entry) == (client in ("claude-code", "vscode"))
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


# ----------------------------------------------------------------------------------------------------------
# every client's entry works; VS Code, Gemini CLI and Codex files keep what the user wrote


def _dry_run_entry(client: str, home: Path, stata_dir: str) -> dict[str, object]:
    proc = _install("--client", client, "--dry-run", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    if client == "codex":
        import tomllib

        return tomllib.loads(proc.stdout)["mcp_servers"]["stata"]
    return json.loads(proc.stdout)[JSON_KEYS[client]]["stata"]


async def test_the_dry_run_entry_of_each_of_the_six_clients_starts_a_working_bridge(
    home: Path, stata_dir: str, bridge_env: dict[str, str]
) -> None:
    pytest.importorskip("tomllib")
    entries = {client: _dry_run_entry(client, home, stata_dir) for client in [*JSON_KEYS, "codex"]}
    assert len(entries) == 6
    distinct = {json.dumps([e["command"], e["args"], e["env"]]) for e in entries.values()}
    assert len(distinct) == 2  # claude-code runs in the project; the others pin --allow-dir
    for command, args, env in map(json.loads, sorted(distinct)):
        # As a client starts it: its own environment plus the entry's env, in a directory of its choosing.
        params = StdioServerParameters(command=command, args=args, env=bridge_env | env, cwd=str(home))
        async with Client(params) as client:
            assert "stata_run" in {t.name for t in (await client.list_tools()).tools}
            result = await client.call_tool("stata_run", {"code": "display 1+1"})
            assert not result.is_error and "2" in text_of(result), text_of(result)


VSCODE_WITH_COMMENTS = """{
  // Servers for this workspace
  "servers": {
    /* the docs server, keep it */
    "docs": {
      "type": "stdio",
      "command": "docs-server",
      "args": ["--port", "${input:port}"], // asks for the port
    },
  },
  "inputs": [
    {"type": "promptString", "id": "port", "description": "Docs port"},
  ],
}
"""


def test_vscode_project_file_keeps_its_comments_trailing_commas_and_other_servers(
    home: Path, stata_dir: str, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / ".vscode").mkdir(parents=True)
    config = project / ".vscode" / "mcp.json"
    config.write_text(VSCODE_WITH_COMMENTS)
    proc = _install("--client", "vscode", home=home, stata_dir=stata_dir, cwd=project)
    assert proc.returncode == 0, proc.stderr
    text = config.read_text()
    for kept in ("// Servers for this workspace", "/* the docs server, keep it */", "// asks for the port",
                 '"args": ["--port", "${input:port}"],'):
        assert kept in text
    after, before = jsonc.loads(text), jsonc.loads(VSCODE_WITH_COMMENTS)
    assert after["inputs"] == before["inputs"]
    assert after["servers"]["docs"] == before["servers"]["docs"]
    entry = after["servers"]["stata"]
    assert entry["type"] == "stdio"
    _assert_runs_this_bridge(entry, stata_dir)
    assert entry["args"][2:] == ["--allow-dir", str(project)]
    assert text.replace(text[text.index('    "stata"'):text.rindex("  },")], "") == VSCODE_WITH_COMMENTS, (
        "only the new member was added")


def test_vscode_user_scope_writes_the_user_profile_mcp_json(home: Path, stata_dir: str) -> None:
    proc = _install("--client", "vscode", "--scope", "user", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    config = home / ".config" / "Code" / "User" / "mcp.json"  # Linux: $XDG_CONFIG_HOME/Code/User
    assert str(config) in proc.stdout
    _assert_runs_this_bridge(json.loads(config.read_text())["servers"]["stata"], stata_dir)


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"HOME": "/h"}, "/h/.config/Code/User/mcp.json"),
    ("linux", {"HOME": "/h", "XDG_CONFIG_HOME": "/x"}, "/x/Code/User/mcp.json"),
    ("darwin", {"HOME": "/Users/u"}, "/Users/u/Library/Application Support/Code/User/mcp.json"),
    ("win32", {"USERPROFILE": "/c/u", "APPDATA": "/c/u/AppData/Roaming"}, "/c/u/AppData/Roaming/Code/User/mcp.json"),
])
def test_vscode_user_profile_location_per_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert config_path("vscode", "user", project_dir=Path("/p"), env=env, platform=platform) == Path(expected)


@pytest.mark.parametrize("scope", ["user", "project"])
def test_gemini_settings_are_merged_keeping_comments_and_settings(
    scope: str, home: Path, stata_dir: str, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = (home if scope == "user" else project) / ".gemini" / "settings.json"
    config.parent.mkdir()
    config.write_text('{\n  // my theme\n  "theme": "GitHub",\n  "mcpServers": {"docs": {"command": "d"}}\n}\n')
    proc = _install("--client", "gemini", "--scope", scope, home=home, stata_dir=stata_dir, cwd=project)
    assert proc.returncode == 0, proc.stderr
    text = config.read_text()
    assert "// my theme" in text
    after = jsonc.loads(text)
    assert after["theme"] == "GitHub" and after["mcpServers"]["docs"] == {"command": "d"}
    _assert_runs_this_bridge(after["mcpServers"]["stata"], stata_dir)
    assert "type" not in after["mcpServers"]["stata"]


CODEX_WITH_COMMENTS = """# Codex settings
model = "o3"  # the model I use

# Stata, installed by hand long ago
[mcp_servers.stata]
command = "old-python"
startup_timeout_sec = 30  # slow disk
tool_timeout_sec = 600

[mcp_servers.stata.env]
STATA_DIR = "/old/stata"

# the docs server
[mcp_servers.docs]
command = "docs-server"
args = ["--x"]

[profiles.fast]
model = "o4-mini"
"""


def test_codex_config_keeps_comments_order_and_other_tables(home: Path, stata_dir: str) -> None:
    tomllib = pytest.importorskip("tomllib")
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text(CODEX_WITH_COMMENTS)
    proc = _install("--client", "codex", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    text = config.read_text()
    for kept in ("# Codex settings", 'model = "o3"  # the model I use', "# Stata, installed by hand long ago",
                 "startup_timeout_sec = 30  # slow disk", "# the docs server", "[profiles.fast]"):
        assert kept in text
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == ["[mcp_servers.stata]", "[mcp_servers.stata.env]", "[mcp_servers.docs]", "[profiles.fast]"]
    after = tomllib.loads(text)
    stata = after["mcp_servers"]["stata"]
    _assert_runs_this_bridge(stata, stata_dir)
    assert stata["tool_timeout_sec"] == 600  # Codex's own settings for the server stay
    assert after["mcp_servers"]["docs"] == {"command": "docs-server", "args": ["--x"]}
    assert after["profiles"] == {"fast": {"model": "o4-mini"}}


def test_codex_config_without_servers_gets_one_table_appended(home: Path, stata_dir: str) -> None:
    tomllib = pytest.importorskip("tomllib")
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    config.write_text('# mine\nmodel = "o3"\n')
    assert _install("--client", "codex", home=home, stata_dir=stata_dir).returncode == 0
    text = config.read_text()
    assert text.startswith('# mine\nmodel = "o3"\n')
    _assert_runs_this_bridge(tomllib.loads(text)["mcp_servers"]["stata"], stata_dir)


@pytest.mark.parametrize(("client", "relative", "marker"), [
    ("vscode", ".vscode/mcp.json", '"stata":'),
    ("gemini", ".gemini/settings.json", '"stata":'),
    ("cursor", ".cursor/mcp.json", '"stata":'),
    ("claude-desktop", ".config/Claude/claude_desktop_config.json", '"stata":'),
    ("codex", ".codex/config.toml", "[mcp_servers.stata]"),
])
def test_installing_twice_leaves_one_entry_and_the_file_unchanged(
    client: str, relative: str, marker: str, home: Path, stata_dir: str
) -> None:
    assert _install("--client", client, home=home, stata_dir=stata_dir).returncode == 0
    config = home / relative
    first = config.read_text()
    second = _install("--client", client, home=home, stata_dir=stata_dir)
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout
    assert config.read_text() == first and first.count(marker) == 1
    assert not list(config.parent.glob("*.bak-*"))


def test_comments_inside_the_old_entry_are_replaced_only_with_force(home: Path, stata_dir: str) -> None:
    config = home / ".vscode" / "mcp.json"
    config.parent.mkdir()
    before = '{\n  "servers": {\n    "stata": {\n      // my old setup\n      "command": "old"\n    }\n  }\n}\n'
    config.write_text(before)
    refused = _install("--client", "vscode", home=home, stata_dir=stata_dir)
    assert refused.returncode == 1
    assert "comments" in refused.stderr and "--force" in refused.stderr
    assert config.read_text() == before
    forced = _install("--client", "vscode", "--force", home=home, stata_dir=stata_dir)
    assert forced.returncode == 0, forced.stderr
    _assert_runs_this_bridge(jsonc.loads(config.read_text())["servers"]["stata"], stata_dir)
    assert [b.read_text() for b in config.parent.glob("mcp.json.bak-*")] == [before]


def test_codex_comments_inside_the_old_args_are_replaced_only_with_force(home: Path, stata_dir: str) -> None:
    config = home / ".codex" / "config.toml"
    config.parent.mkdir()
    before = '[mcp_servers.stata]\ncommand = "py"\nargs = [\n  "-m",  # module\n  "old",\n]\n'
    config.write_text(before)
    refused = _install("--client", "codex", home=home, stata_dir=stata_dir)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert config.read_text() == before
    assert _install("--client", "codex", "--force", home=home, stata_dir=stata_dir).returncode == 0
    assert "# module" not in config.read_text()


def test_dry_run_on_an_existing_file_prints_the_change_and_writes_nothing(home: Path, stata_dir: str) -> None:
    config = home / ".vscode" / "mcp.json"
    config.parent.mkdir()
    config.write_text(VSCODE_WITH_COMMENTS)
    proc = _install("--client", "vscode", "--dry-run", home=home, stata_dir=stata_dir)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["servers"]["stata"]["type"] == "stdio"
    added = [line for line in proc.stderr.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added and all("docs" not in line for line in added) and '+    "stata": {' in added
    assert config.read_text() == VSCODE_WITH_COMMENTS and not list(config.parent.glob("*.bak-*"))


def test_a_vscode_file_that_does_not_parse_is_left_alone(home: Path, stata_dir: str) -> None:
    config = home / ".vscode" / "mcp.json"
    config.parent.mkdir()
    config.write_text('{"servers": {"docs": {"command": "d"}} // unclosed\n')
    proc = _install("--client", "vscode", home=home, stata_dir=stata_dir)
    assert proc.returncode == 1 and "not valid JSON (comments and trailing commas allowed)" in proc.stderr
    assert config.read_text() == '{"servers": {"docs": {"command": "d"}} // unclosed\n'


# ----------------------------------------------------------------------------------------------------------
# mcp_bridge.jsonc: the textual JSONC edit on its own

ENTRY = {"command": "py"}


def test_jsonc_reads_comments_and_trailing_commas_but_not_in_strings() -> None:
    assert jsonc.loads('{"a": "x // not a comment", /* c */ "b": [1, 2,], // end\n}') == {
        "a": "x // not a comment", "b": [1, 2]}


def test_jsonc_insert_goes_after_a_comment_that_ends_the_last_members_line() -> None:
    out = jsonc.set_member('{\n  "servers": {\n    "a": 1 // about a\n  }\n}', ["servers", "s"], ENTRY)
    assert '"a": 1, // about a\n    "s": {' in out
    assert jsonc.loads(out) == {"servers": {"a": 1, "s": ENTRY}}


def test_jsonc_insert_into_an_object_holding_only_a_comment_keeps_the_comment() -> None:
    out = jsonc.set_member('{\n\t"servers": {\n\t\t// "old": {}\n\t}\n}\n', ["servers", "s"], ENTRY)
    assert '\t\t"s": {\n\t\t\t"command": "py"\n\t\t}\n\t\t// "old": {}' in out  # tabs, like the file


def test_jsonc_creates_missing_objects_and_handles_a_one_line_file() -> None:
    assert jsonc.loads(jsonc.set_member('{"x": true}', ["servers", "s"], ENTRY)) == {"x": True,
                                                                                        "servers": {"s": ENTRY}}
    assert jsonc.set_member("", ["servers", "s"], ENTRY) == '{\n  "servers": {\n    "s": {\n      "command": "py"' \
        '\n    }\n  }\n}\n'


@pytest.mark.parametrize("bad", ['{"a": 1', '{"a" 1}', '{"a": 1} x', '{"a": "x}', '{"a": 1 /* open', "[1, 2]"])
def test_jsonc_refuses_what_it_cannot_read(bad: str) -> None:
    with pytest.raises(jsonc.JsoncError):
        jsonc.set_member(bad, ["servers", "s"], ENTRY)
