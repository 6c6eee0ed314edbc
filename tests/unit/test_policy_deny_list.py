"""The agent policy has one deny-list, in the bridge: every entry is refused, ``--allow-command`` lifts each
one, and the kernel's syntax package carries no policy of its own (only the parser the policy reads with)."""

from __future__ import annotations

from pathlib import Path

import pytest

import stata_kernel.syntax as syntax
from mcp_bridge.policy import Policy, check_code
from mcp_bridge.policy_rules import DENY_LIST

# Code that uses each entry the way it is refused (entries with first_words need those arguments).
SAMPLES = {
    "plugin": "program myplug, plugin using(x.so)",
    "net": "net install foo, from(https://example.org)",
    "ssc": "ssc install estout",
    "update": "update all",
    "adoupdate": "adoupdate, update",
    "adopath": "adopath + /tmp/ado",
    "sysdir": "sysdir set PLUS /tmp/ado",
    "ado": "ado uninstall foo",
}


@pytest.mark.parametrize("name", sorted(DENY_LIST))
def test_every_deny_list_entry_is_refused_and_allow_command_lifts_it(name: str, tmp_path: Path) -> None:
    code = "display 1\n" + SAMPLES.get(name, f"{name} x")
    policy = Policy(allowed_dirs=(str(tmp_path),), cwd=str(tmp_path))
    refusal = check_code(policy, code)
    assert refusal is not None and (refusal.command, refusal.line) == (name, 2)
    assert f"--allow-command {name}" in refusal.message
    lifted = Policy(allowed_dirs=(str(tmp_path),), cwd=str(tmp_path), allowed_commands=(name,))
    assert check_code(lifted, code) is None


def test_first_word_entries_refuse_only_those_uses(tmp_path: Path) -> None:
    policy = Policy(allowed_dirs=(str(tmp_path),), cwd=str(tmp_path))
    harmless = "ssc describe estout\nnet describe foo\nadopath\nsysdir\nado describe\nadoupdate\nupdate query"
    assert check_code(policy, harmless) is None


def test_the_syntax_package_exports_no_deny_list_or_policy_decision() -> None:
    assert not {"DEFAULT_DENY", "DENY_LIST", "check_policy", "Violation"} & set(dir(syntax))
