"""Features of real Stata that embedders meet through ``StataSO_Execute``: programs and ado-files on the
adopath, Python and Mata blocks, and the commands that wait for a console (until a break, here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import EXECUTE, Scenario

CAPTURE_STDOUT = EXECUTE + """
import io
def with_stdout(line):
    # Python inside Stata prints to the sys.stdout of the moment (pystata points it into Stata's buffer)
    captured, saved = io.StringIO(), sys.stdout
    sys.stdout = captured
    try:
        rc, text = execute(line)
    finally:
        sys.stdout = saved
    return rc, text, captured.getvalue()
"""


def _dofile(tmp_path: Path, text: str, name: str = "f.do") -> str:
    path = tmp_path / name
    path.write_text(text)
    return f'include "{path.as_posix()}"'


# ----- Python


def test_python_blocks_print_to_the_sys_stdout_of_the_moment(scenario: Scenario, tmp_path: Path) -> None:
    line = _dofile(tmp_path, 'python:\nx = 20\nprint("x is", x)\nend\n')
    out = scenario(CAPTURE_STDOUT + f"RESULT['run'] = with_stdout({line!r})")
    rc, text, printed = out.result["run"]
    assert rc == 0 and printed == "x is 20\n"
    assert "x is 20" not in text  # the simulator does not redirect by itself


def test_python_keeps_one_namespace_for_the_session(scenario: Scenario, tmp_path: Path) -> None:
    line = _dofile(tmp_path, "python:\nx = 20\nend\n")
    out = scenario(CAPTURE_STDOUT + f"with_stdout({line!r})\nRESULT['run'] = with_stdout('python: print(x + 22)')")
    assert out.result["run"][2] == "42\n"


def test_python_one_liners_show_an_expression_s_value(scenario: Scenario) -> None:
    out = scenario(CAPTURE_STDOUT + "RESULT['run'] = with_stdout('python: 6 * 7')")
    assert out.result["run"][2] == "42\n"


def test_python_block_echo_is_the_interactive_console_s(scenario: Scenario, tmp_path: Path) -> None:
    line = _dofile(tmp_path, "python:\nfor i in range(2):\n    print(i)\n\nend\n")
    out = scenario(CAPTURE_STDOUT + f"RESULT['run'] = with_stdout({line!r})")
    rc, text, printed = out.result["run"]
    assert rc == 0
    rule = "-" * 78
    assert text == (
        f"\n. python:\n{'-' * 47} python (type end to exit) ----\n>>> for i in range(2):\n...     print(i)\n"
        f"... \n>>> end\n{rule}\n\n. \n"
    )
    assert printed == "0\n1\n"


def test_python_exceptions_print_a_traceback_on_stderr_and_give_r7102(scenario: Scenario) -> None:
    out = scenario(EXECUTE + "RESULT['run'] = execute('python: raise ValueError(\"boom\")')")
    assert out.result["run"] == [7102, "r(7102);\n"]
    assert "ValueError: boom" in out.stderr


def test_sfi_works_inside_python(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
execute("python: from sfi import Macro; Macro.setGlobal('from_py', 'yes')")
RESULT['run'] = execute('display "$from_py"')
""")
    assert out.result["run"] == [0, "yes\n"]


# ----- Mata


def test_mata_blocks_assign_display_and_set_locals(scenario: Scenario, tmp_path: Path) -> None:
    line = _dofile(tmp_path, 'mata:\nx = 2\nx * 21\nst_local("m", "from mata")\nend\ndisplay "`m\'"\n')
    out = scenario(EXECUTE + f"RESULT['run'] = execute({line!r})")
    rc, text = out.result["run"]
    assert rc == 0 and "\n  42\n" in text and "from mata\n" in text


@pytest.mark.parametrize(
    ("statement", "then", "shown"),
    [
        ('printf("%s-%g\\n", "a", 2)', "", "a-2\n"),
        ('st_global("g", "G")', 'display "$g"', "G\n"),
        ('st_numscalar("s", 5)', "display s", "5\n"),
    ],
    ids=["printf", "st_global", "st_numscalar"],
)
def test_mata_one_liners(scenario: Scenario, statement: str, then: str, shown: str) -> None:
    out = scenario(EXECUTE + f"""
first = execute({"mata: " + statement!r})
RESULT['run'] = execute({then!r}) if {then!r} else first
""")
    assert out.result["run"] == [0, shown]


def test_mata_st_updata_sets_c_changed(scenario: Scenario) -> None:
    out = scenario(EXECUTE + "execute('mata: st_updata(1)')\nRESULT['run'] = execute('display c(changed)')")
    assert out.result["run"] == [0, "1\n"]


@pytest.mark.parametrize(
    ("statement", "rc", "message"),
    [("nosuchfunction(1)", 3499, "<istmt>:  3499  nosuchfunction() not found"), ("1 +", 3000, "<istmt>:  3000")],
    ids=["unknown-name", "syntax"],
)
def test_unknown_mata_fails_as_mata_does(scenario: Scenario, statement: str, rc: int, message: str) -> None:
    out = scenario(EXECUTE + f"RESULT['run'] = execute({'mata: ' + statement!r})")
    assert out.result["run"][0] == rc
    assert out.result["run"][1].startswith(message)


# ----- programs and the adopath


def test_a_program_gets_its_arguments_and_own_locals(scenario: Scenario, tmp_path: Path) -> None:
    body = 'local x = "outer"\nprogram define show\n  args a b\n  display "`0\'|`1\'|`a\'-`b\'|`x\'"\nend\n'
    line = _dofile(tmp_path, body)
    out = scenario(EXECUTE + f"execute({line!r})\nRESULT['run'] = execute('show one two')")
    assert out.result["run"] == [0, "one two|one|one-two|\n"]


def test_an_ado_file_on_the_adopath_defines_an_unknown_command(scenario: Scenario, tmp_path: Path) -> None:
    (tmp_path / "greet.ado").write_text('program define greet\n    display "hello `0\'"\nend\n')
    out = scenario(EXECUTE + f"""
RESULT["missing"] = execute("greet world")[0]
execute('adopath ++ "{tmp_path.as_posix()}"')
RESULT["ado"] = execute("greet world")
""")
    assert out.result["missing"] == 199
    assert out.result["ado"] == [0, "hello world\n"]


def test_the_most_recent_adopath_plus_plus_comes_first(scenario: Scenario, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "which_one.ado").write_text(f'program define which_one\n  display "{name}"\nend\n')
    out = scenario(EXECUTE + f"""
execute('adopath ++ "{(tmp_path / "a").as_posix()}"')
execute('adopath ++ "{(tmp_path / "b").as_posix()}"')
RESULT["run"] = execute("which_one")
""")
    assert out.result["run"] == [0, "b\n"]


def test_a_user_pause_ado_first_on_the_adopath_replaces_stata_s(scenario: Scenario, tmp_path: Path) -> None:
    (tmp_path / "pause.ado").write_text('program define pause\n  display "my pause: `0\'"\nend\n')
    line = _dofile(tmp_path, "pause on\npause here\n", name="p.do")
    out = scenario(EXECUTE + f"""
execute('adopath ++ "{tmp_path.as_posix()}"')
RESULT["run"] = execute({line!r})
""")
    rc, text = out.result["run"]
    assert rc == 0 and "my pause: here\n" in text


def test_pause_off_does_nothing(scenario: Scenario, tmp_path: Path) -> None:
    out = scenario(EXECUTE + f"RESULT['run'] = execute({_dofile(tmp_path, 'pause here')!r})")
    assert out.result["run"][0] == 0


# ----- waiting for a console (until a break)

WAIT = EXECUTE + """
rt = runtime()
th, holder = in_background(CODE)
RESULT["waited"] = rt.console_waiting.wait(10) and th.is_alive()
RESULT["console_waits"] = rt.console_waits
lib.StataSO_SetBreak()
th.join(10)
RESULT["rc"] = holder["rc"]
RESULT["text"] = drain().decode()
"""


def _waits(scenario: Scenario, code: str) -> dict:
    return scenario(f"CODE = {code!r}\n" + WAIT).result


def test_stata_s_pause_reads_the_console_through_request(scenario: Scenario, tmp_path: Path) -> None:
    result = _waits(scenario, _dofile(tmp_path, 'pause on\npause here\ndisplay "never"\n'))
    assert result["waited"] and result["console_waits"] == 1
    assert result["rc"] == 1 and "pause:  here" in result["text"] and "never" not in result["text"]


def test_request_waits_for_a_console_line(scenario: Scenario) -> None:
    result = _waits(scenario, "display _request(answer)")
    assert result["waited"] and result["rc"] == 1


def test_more_waits_only_when_set_more_on(scenario: Scenario, tmp_path: Path) -> None:
    result = _waits(scenario, _dofile(tmp_path, 'more\ndisplay "passed"\nset more on\nmore\n'))
    assert result["waited"] and result["console_waits"] == 1 and "passed\n" in result["text"]


@pytest.mark.parametrize("opener", ["mata", "mata:", "python", "python:"])
def test_a_lone_interactive_opener_waits_for_a_console(scenario: Scenario, opener: str) -> None:
    result = _waits(scenario, opener)
    assert result["waited"] and result["rc"] == 1
