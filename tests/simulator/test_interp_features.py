"""Features of real Stata that embedders meet through ``StataSO_Execute``: programs and ado-files on the
adopath, Python and Mata blocks, and the commands that wait for a console (until a break, here)."""

from __future__ import annotations

from pathlib import Path

from .conftest import EXECUTE, Scenario


def test_python_blocks_print_to_sys_stdout_and_keep_their_namespace(scenario: Scenario, tmp_path: Path) -> None:
    dofile = tmp_path / "py.do"
    dofile.write_text('python:\nx = 20\nprint("x is", x)\nend\npython: print(x + 22)\n')
    out = scenario(EXECUTE + f"""
import io
captured = io.StringIO()
saved = sys.stdout
sys.stdout = captured
try:
    RESULT["rc"] = execute('include "{dofile.as_posix()}"')[0]
finally:
    sys.stdout = saved
RESULT["printed"] = captured.getvalue()
RESULT["error"] = execute('python: raise ValueError("boom")')[0]
""")
    assert out.result["rc"] == 0 and out.result["printed"] == "x is 20\n42\n"
    assert out.result["error"] == 7102


def test_mata_blocks_and_one_liners(scenario: Scenario, tmp_path: Path) -> None:
    dofile = tmp_path / "m.do"
    dofile.write_text('mata:\nx = 2\nx * 21\nst_local("m", "from mata")\nend\ndisplay "`m\'"\n')
    out = scenario(EXECUTE + f"""
RESULT["block"] = execute('include "{dofile.as_posix()}"')
RESULT["one"] = execute("mata: st_updata(1)")
RESULT["unknown"] = execute("mata: nosuchfunction(1)")[0]
""")
    rc, text = out.result["block"]
    assert rc == 0 and "  42\n" in text and "from mata\n" in text
    assert out.result["one"][0] == 0
    assert out.result["unknown"] == 3499


def test_programs_and_ado_files_on_the_adopath(scenario: Scenario, tmp_path: Path) -> None:
    (tmp_path / "greet.ado").write_text('program define greet\n    display "hello `0\'"\nend\n')
    out = scenario(EXECUTE + f"""
RESULT["missing"] = execute("greet world")[0]
execute('adopath ++ "{tmp_path.as_posix()}"')
RESULT["ado"] = execute("greet world")
""")
    assert out.result["missing"] == 199
    assert out.result["ado"] == [0, "hello world\n"]


WAIT = EXECUTE + """
result = {}
def worker():
    result["out"] = execute(CODE)
th = threading.Thread(target=worker)
th.start()
th.join(0.5)
RESULT["waited"] = th.is_alive()
rt = __import__("pystata._sim.runtime", fromlist=["get_runtime"]).get_runtime()
RESULT["console_waits"] = rt.console_waits
lib.StataSO_SetBreak()
th.join(10)
RESULT["out"] = result["out"]
"""


def _waits(scenario: Scenario, code: str) -> dict:
    return scenario(f"CODE = {code!r}\n" + WAIT).result


def test_pause_reads_the_console_through_the_base_pause_ado(scenario: Scenario, tmp_path: Path) -> None:
    dofile = tmp_path / "p.do"
    dofile.write_text('pause on\npause here\ndisplay "never"\n')
    result = _waits(scenario, f'include "{dofile.as_posix()}"')
    assert result["waited"] and result["console_waits"] == 1
    assert result["out"][0] == 1 and "pause:  here" in result["out"][1]


def test_request_waits_for_a_console_line(scenario: Scenario) -> None:
    result = _waits(scenario, "display _request(answer)")
    assert result["waited"] and result["out"][0] == 1


def test_more_waits_only_when_set_more_on(scenario: Scenario, tmp_path: Path) -> None:
    dofile = tmp_path / "more.do"
    dofile.write_text("more\nset more on\nmore\n")
    result = _waits(scenario, f'include "{dofile.as_posix()}"')
    assert result["waited"] and result["console_waits"] == 1


def test_lone_interactive_openers_wait_for_a_console(scenario: Scenario) -> None:
    for code in ("mata", "python"):
        result = _waits(scenario, code)
        assert result["waited"] and result["out"][0] == 1
