"""Nothing waits for a console: a kernel's Stata has none (docs/real-stata.md).

Each case answers at once in a real kernel on the simulated Stata, whose `_request()`, `more` and
interactive `mata`/`python` wait for a console line the way a headless Stata does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import execute

QUICK = 20  # seconds: the simulated console waits forever, so a wait would show as a timeout


@pytest.mark.parametrize("code", ["mata", "mata:", "python", "python:", "quietly python"])
def test_a_lone_interactive_opener_is_answered_with_advice(kernel, code: str) -> None:
    run = execute(kernel, code, timeout=QUICK)
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "ConsoleRequired"
    assert "end" in run.reply["content"]["evalue"]
    assert execute(kernel, "display 6*7", timeout=QUICK).text.strip().endswith("42")


@pytest.mark.parametrize("code", ["display _request(answer)", 'display "a"\nset more on\ndisplay "b"'])
def test_console_reads_are_refused_before_anything_runs(kernel, code: str) -> None:
    run = execute(kernel, code, timeout=QUICK)
    assert run.status == "error" and run.reply["content"]["ename"] == "ConsoleRequired"
    assert run.text == ""  # refused whole: not even the first display ran


def test_pause_goes_on_in_the_cell(kernel) -> None:
    run = execute(kernel, 'pause on\npause first stop\ndisplay "after the pause"\npause off', timeout=QUICK)
    assert run.status == "ok", run.reply
    assert "pause: first stop" in run.text and "after the pause" in run.text


def test_pause_goes_on_in_a_do_file_the_cell_runs(kernel, tmp_path: Path) -> None:
    dofile = tmp_path / "with pause.do"
    dofile.write_text('pause on\npause inside the do-file\ndisplay "do-file went on"\npause off\n')
    run = execute(kernel, f'do "{dofile.as_posix()}"', timeout=QUICK)
    assert run.status == "ok", run.reply
    assert "do-file went on" in run.text


def test_pause_stays_silent_when_off(kernel) -> None:
    run = execute(kernel, 'pause off\npause not shown\ndisplay "done"', timeout=QUICK)
    assert run.status == "ok" and "pause: not shown" not in run.text


def test_python_block_prints_into_the_cell_in_order(kernel) -> None:
    run = execute(kernel, 'display "stata first"\npython:\nprint("python second")\nend\ndisplay "stata third"',
                  timeout=QUICK)
    assert run.status == "ok", run.reply
    text = run.text
    assert text.index("stata first") < text.index("python second") < text.rindex("stata third")


def test_a_python_error_is_a_stata_error_and_python_keeps_working(kernel) -> None:
    failed = execute(kernel, 'python:\nraise ValueError("from python")\nend', timeout=QUICK)
    assert failed.status == "error" and "r(7102)" in failed.reply["content"]["evalue"]
    fine = execute(kernel, 'python:\nprint("still " + "fine")\nend', timeout=QUICK)
    assert fine.status == "ok" and "still fine" in fine.text
