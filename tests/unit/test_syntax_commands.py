"""Command names and Stata's abbreviation rule."""

from __future__ import annotations

import pytest

from stata_kernel.syntax import COMMANDS, complete_command, resolve_command
from stata_kernel.syntax.commands import abbreviations


@pytest.mark.parametrize(
    ("word", "canonical"),
    [
        ("di", "display"),
        ("disp", "display"),
        ("display", "display"),
        ("qui", "quietly"),
        ("quietly", "quietly"),
        ("forv", "forvalues"),
        ("forval", "forvalues"),
        ("foreach", "foreach"),
        ("g", "generate"),
        ("gen", "generate"),
        ("replace", "replace"),
        ("su", "summarize"),
        ("sum", "summarize"),
        ("reg", "regress"),
        ("l", "list"),
        ("d", "describe"),
        ("des", "describe"),
        ("ta", "tabulate"),
        ("tab", "tabulate"),
        ("sh", "shell"),
        ("shel", "shell"),
        ("!", "shell"),
        ("xsh", "xshell"),
        ("winexec", "winexec"),
        ("erase", "erase"),
        ("rm", "rm"),
        ("rmdir", "rmdir"),
        ("mkdir", "mkdir"),
        ("cd", "cd"),
        ("save", "save"),
        ("use", "use"),
        ("log", "log"),
        ("cap", "capture"),
        ("n", "noisily"),
        ("noi", "noisily"),
        ("gr", "graph"),
        ("sca", "scalar"),
        ("scat", "scatter"),
    ],
)
def test_resolve_command(word: str, canonical: str) -> None:
    assert resolve_command(word) == canonical


@pytest.mark.parametrize(
    "word",
    ["", "s", "fo", "for", "rep", "repl", "qu_", "ers", "shellx", "xs", "era", "sav", "esttab", "erase_flag"],
)
def test_word_that_names_no_command(word: str) -> None:
    assert resolve_command(word) is None


def test_every_abbreviation_resolves_to_its_command_except_where_a_longer_minimum_claims_it() -> None:
    wrong = [(a, name) for name in COMMANDS for a in abbreviations(name) if resolve_command(a) != name]
    assert wrong == [("sca", "scatter")]  # 'sca' is scalar's minimum


def test_minimal_abbreviation_and_full_name_resolve_to_their_command() -> None:
    wrong = [name for name, minimal in COMMANDS.items() if {resolve_command(minimal), resolve_command(name)} != {name}]
    assert wrong == []


def test_minimal_abbreviation_is_a_prefix_of_its_command() -> None:
    assert [name for name, minimal in COMMANDS.items() if not name.startswith(minimal)] == []


def test_complete_command_lists_names_with_prefix() -> None:
    assert complete_command("fo") == ["foreach", "format", "forvalues"]
