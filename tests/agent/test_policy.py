"""The agent command policy as an MCP client sees it: bypass attempts refused whole, look-alikes run."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.bridge.helpers import HttpBridge, stdio_client, text_of

# (code, blocked command, 1-based line). Each is a way to reach a shell, delete a file or write outside the
# allowed directory that the policy must see through.
BYPASSES = [
    pytest.param("shell ls", "shell", 1, id="shell"),
    pytest.param("!ls", "shell", 1, id="bang"),
    pytest.param("display 1\nqui sh ls", "shell", 2, id="quietly-abbreviated"),
    pytest.param("cap noi shell ls", "shell", 1, id="capture-noisily"),
    pytest.param("cap noi !ls", "shell", 1, id="capture-noisily-bang"),
    pytest.param("qui: xshell ls", "xshell", 1, id="xshell-colon-prefix"),
    pytest.param("winexec notepad", "winexec", 1, id="winexec"),
    pytest.param("display 1\nforvalues i=1/2 {\n    shell echo `i'\n}", "shell", 3, id="inside-loop"),
    pytest.param("quietly {\n    display 1\n    !ls\n}", "shell", 3, id="inside-quietly-block"),
    pytest.param("display 1 ///\n    + 1\nsh ///\n    ls", "shell", 3, id="triple-slash-split"),
    pytest.param("display 1\n#delimit ;\ndisplay 2;\nshell\n    ls;\n#delimit cr", "shell", 4, id="delimit-semicolon"),
    pytest.param("#delimit ;\ndisplay 1; !ls;\n#delimit cr", "shell", 2, id="delimit-semicolon-same-line"),
    pytest.param("display 1; shell ls;", "shell", 1, id="semicolon-in-case-kernel-is-in-delimit-mode"),
    pytest.param("s/**/hell ls", "shell", 1, id="block-comment-inside-word"),
    pytest.param("if 1 shell ls", "shell", 1, id="single-line-if"),
    pytest.param('mata: stata("shell ls")', "shell", 1, id="mata-stata"),
    pytest.param("local c shell\n`c' ls", "shell", 2, id="local-macro-command"),
    pytest.param("global c sh\ndisplay 1\n$c ls", "shell", 3, id="global-macro-command"),
    pytest.param("erase x.dta", "erase", 1, id="erase"),
    pytest.param("capture rm x.dta", "rm", 1, id="rm"),
    pytest.param("cd /", "cd", 1, id="cd-root"),
    pytest.param("save /tmp/outside.dta", "save", 1, id="save-outside"),
    pytest.param("sysuse auto, clear\nsave ../outside.dta, replace", "save", 2, id="save-climbing-out"),
    pytest.param("python:\nimport os\nend", "python", 1, id="python-block"),
    pytest.param("display 1\ncap noi ssc inst estout", "ssc", 2, id="ssc-install"),
    pytest.param("net install pkg, from(http://example.com)", "net", 1, id="net-install"),
    pytest.param("adopath + /tmp", "adopath", 1, id="adopath-change"),
    pytest.param("sysdir set PLUS /tmp", "sysdir", 1, id="sysdir-set"),
    pytest.param("ado uninstall estout", "ado", 1, id="ado-uninstall"),
    pytest.param("%quietly shell echo hi", "shell", 1, id="kernel-quietly-magic"),
    pytest.param("%%quietly\ndisplay 1\n!ls", "shell", 3, id="kernel-quietly-cell-magic"),
]

LOOK_ALIKES = [
    pytest.param('display "shell ls"', id="string"),
    pytest.param('display "!ls and erase x.dta"', id="string-bang-erase"),
    pytest.param("display 1 // shell ls", id="line-comment"),
    pytest.param("* shell ls\ndisplay 2", id="star-comment"),
    pytest.param("/* erase x.dta */ display 3", id="block-comment"),
    pytest.param('local shell "ls"\ndisplay "`shell\'"', id="macro-named-shell"),
    pytest.param("display 2 != 3", id="not-equal-operator"),
    pytest.param("sysuse auto, clear\ngenerate erase = 1\nsummarize erase", id="variable-named-erase"),
    pytest.param('display "ssc install estout"', id="string-ssc-install"),
]


def _refusal_text(result: object) -> str:
    text = text_of(result)
    assert result.is_error, text  # type: ignore[attr-defined]
    assert "policy_blocked" in text, text
    assert "Nothing was run" in text, text
    return text


@pytest.mark.parametrize(("code", "command", "line"), BYPASSES)
async def test_bypass_attempt_is_refused_naming_command_and_line(
    policy_bridge: HttpBridge, code: str, command: str, line: int
) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": code})
    text = _refusal_text(result)
    assert f'"{command}" on line {line}' in text, text


@pytest.mark.parametrize("code", LOOK_ALIKES)
async def test_harmless_look_alike_runs(policy_bridge: HttpBridge, code: str) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": code})
    assert not result.is_error, text_of(result)
    assert "policy_blocked" not in text_of(result)


async def test_nothing_of_a_blocked_snippet_reaches_stata(policy_bridge: HttpBridge) -> None:
    marker = f"agent_marker_{uuid.uuid4().hex[:8]}"
    async with policy_bridge.client() as client:
        blocked = await client.call_tool("stata_run", {"code": f"global {marker} 1\ndisplay 2\nshell ls"})
        after = await client.call_tool("stata_run", {"code": f'display "[${marker}]"'})
    assert '"shell" on line 3' in _refusal_text(blocked)
    assert not after.is_error, text_of(after)
    assert "[]" in text_of(after)  # the global of line 1 was never set


async def test_writes_inside_the_allowed_directory_run(policy_bridge: HttpBridge, allowed_dir: Path) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool(
            "stata_run", {"code": f'sysuse auto, clear\nsave "{allowed_dir}/auto_copy.dta", replace'}
        )
    assert not result.is_error, text_of(result)


async def test_run_file_outside_allowed_dirs_is_refused(policy_bridge: HttpBridge, do_file: Path) -> None:
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(do_file)})
    text = _refusal_text(result)
    assert "outside the allowed directories" in text and "--allow-dir" in text


async def test_run_file_path_traversal_is_refused(
    policy_bridge: HttpBridge, allowed_dir: Path, do_file: Path
) -> None:
    climbing = allowed_dir / ".." / do_file.parent.name / do_file.name
    assert climbing.resolve() == do_file.resolve()
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(climbing)})
    assert "climbs out with '..'" in _refusal_text(result)


async def test_run_file_symlink_out_of_allowed_dir_is_refused(
    policy_bridge: HttpBridge, allowed_dir: Path, do_file: Path
) -> None:
    link = allowed_dir / f"link_{uuid.uuid4().hex[:6]}.do"
    link.symlink_to(do_file)
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(link)})
    assert "outside the allowed directories" in _refusal_text(result)


async def test_run_file_inside_allowed_dir_runs(policy_bridge: HttpBridge, allowed_dir: Path) -> None:
    script = allowed_dir / "fine.do"
    script.write_text('display "fine do-file"\n')
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(script)})
    assert not result.is_error, text_of(result)
    assert "fine do-file" in text_of(result)


async def test_do_file_with_shell_escape_is_refused_with_its_line(
    policy_bridge: HttpBridge, allowed_dir: Path
) -> None:
    script = allowed_dir / "escape.do"
    script.write_text('display "one"\ndisplay "two"\nquietly shell ls\n')
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run_file", {"path": str(script)})
    text = _refusal_text(result)
    assert f'"shell" on line 3 of {script}' in text, text


async def test_do_of_a_file_with_shell_escape_is_refused(policy_bridge: HttpBridge, allowed_dir: Path) -> None:
    """A do-file written earlier (e.g. by a previous call) cannot smuggle a shell escape in."""
    inner = allowed_dir / "inner.do"
    inner.write_text("display 1\n!ls\n")
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": f'display 0\ndo "{inner}"'})
    text = _refusal_text(result)
    assert '"do" on line 2' in text and f"{inner}" in text and '"shell" on line 2' in text, text


async def test_policy_off_lets_the_code_reach_stata(bridge_env: dict[str, str]) -> None:
    async with stdio_client("--policy", "off", env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": "display 1\nshell echo hi"})
    text = text_of(result)
    assert "policy_blocked" not in text
    # The simulated Stata has no shell command: Stata itself answers, so the code got through.
    assert result.structured_content is not None and result.structured_content["rc"] is not None, text


async def test_unknown_command_backed_by_an_ado_file_with_shell_escape_is_refused(
    policy_bridge: HttpBridge, allowed_dir: Path
) -> None:
    """Stata auto-loads NAME.ado from its working directory: one written earlier is checked like a do-file."""
    name = f"agentado{uuid.uuid4().hex[:6]}"
    ado = allowed_dir / f"{name}.ado"
    ado.write_text(f"program {name}\n    display 1\n    shell ls\nend\n")
    async with policy_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": f"display 0\nquietly {name}"})
    text = _refusal_text(result)
    assert f'"{name}" on line 2 runs {ado}' in text and '"shell" on line 3' in text, text


async def test_allow_command_takes_one_command_off_the_deny_list(bridge_env: dict[str, str]) -> None:
    async with stdio_client("--allow-command", "shell", env=bridge_env) as client:
        shell = await client.call_tool("stata_run", {"code": "shell echo hi"})
        erase = await client.call_tool("stata_run", {"code": "erase x.dta"})
    assert "policy_blocked" not in text_of(shell)
    assert '"erase" on line 1' in _refusal_text(erase) and "--allow-command erase" in text_of(erase)
