"""What the engine hands to ``StataSO_Execute``, and code it refuses because it would wait for a console."""

from __future__ import annotations

from pathlib import Path

import pytest

from stata_kernel.engine.commands import DoFiles, command_for, stata_path
from stata_kernel.engine.releases import NEWEST_PYTHON, python_problem, release_of
from stata_kernel.errors import ConsoleRequired
from stata_kernel.syntax.console import console_wait


def test_one_line_runs_as_typed():
    with command_for("  display 1  \n", DoFiles()) as command:
        assert command == "display 1"


def test_quietly_prefixes_the_line():
    with command_for("display 1", DoFiles(), quietly=True) as command:
        assert command == "quietly display 1"


def test_several_lines_run_from_a_quoted_do_file_that_is_removed_afterwards():
    with command_for("display 1\ndisplay 2", DoFiles()) as command:
        assert command is not None and command.startswith('include "') and command.endswith('.do"')
        path = Path(command[len('include "') : -1])
        assert path.read_text(encoding="utf-8") == "display 1\ndisplay 2\n"
        assert "\\" not in command
    assert not path.exists()


def test_paths_with_quotes_use_compound_quotes():
    assert stata_path(Path('/tmp/a "b"/c.do')) == '`"/tmp/a "b"/c.do"\''


def test_empty_code_runs_nothing():
    with command_for(" \n\n", DoFiles()) as command:
        assert command is None


@pytest.mark.parametrize("line", ["mata", "mata:", "python", "python:", "quietly mata", "  python  "])
def test_a_lone_interactive_opener_is_refused_with_advice(line: str):
    with pytest.raises(ConsoleRequired) as info, command_for(line, DoFiles()):
        pass
    assert "end" in str(info.value) and "Nothing was run" in str(info.value)


@pytest.mark.parametrize("code", ["mata: x = 1", "python: print(1)", "mata\nx = 1\nend", "python:\nprint(1)\nend"])
def test_blocks_and_one_statement_forms_are_allowed(code: str):
    assert console_wait(code) is None


@pytest.mark.parametrize(
    "code", ['display _request(name)', "set more on", 'display 1\ncapture noisily display _request( x )']
)
def test_console_reads_are_refused(code: str):
    found = console_wait(code)
    assert found is not None
    assert found.line == code.count("\n") + 1


def test_request_inside_a_string_is_fine():
    assert console_wait('display "_request(x) is not allowed here"') is None


def test_release_comes_from_the_isstata_marker(tmp_path: Path):
    assert release_of(tmp_path) is None
    (tmp_path / "isstata.180").write_text("")
    (tmp_path / "isstata.185").write_text("")
    assert release_of(tmp_path) == 18.5


def test_a_python_too_new_for_the_release_is_named(tmp_path: Path):
    (tmp_path / "isstata.170").write_text("")
    newest = NEWEST_PYTHON[17]
    problem = python_problem(tmp_path, (newest[0], newest[1] + 1), env={})
    assert problem is not None and "Stata 17 supports Python up to" in problem
    assert python_problem(tmp_path, newest, env={}) is None
    assert python_problem(tmp_path, (newest[0], newest[1] + 1), env={"STATA_LIVE_PYTHON_CHECK": "off"}) is None


def test_without_a_marker_nothing_is_checked(tmp_path: Path):
    assert python_problem(tmp_path, (9, 99), env={}) is None
