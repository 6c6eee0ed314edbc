"""Stata's own transcripts: one line as typed at the prompt, several lines echoed like an included do-file;
errors print their message and ``r(N);``. (How pystata's ``run`` hands these on: test_output_stream.py.)"""

from __future__ import annotations

import pytest

from .conftest import Scenario


def _transcript(scenario: Scenario, code: str) -> dict:
    return scenario(f"RESULT.update(transcript({code!r}))").result


def test_single_line_code_runs_without_echo(scenario: Scenario) -> None:
    assert _transcript(scenario, "display 6*7") == {"rc": 0, "text": "42\n"}


def test_multiline_code_echoes_each_command_before_its_output(scenario: Scenario) -> None:
    out = _transcript(scenario, "display 1\nlocal x = 2\ndisplay `x'+1")
    assert out["text"] == ". display 1\n1\n\n. local x = 2\n\n. display `x'+1\n3\n\n. \n"


def test_loop_body_is_echoed_as_numbered_lines_then_output(scenario: Scenario) -> None:
    out = _transcript(scenario, "forvalues i = 1/3 {\n    display `i'\n}")
    assert out["text"] == ". forvalues i = 1/3 {\n  2.     display `i'\n  3. }\n1\n2\n3\n\n. \n"


def test_nested_loops_number_every_body_line(scenario: Scenario) -> None:
    code = "forvalues i = 1(2)3 {\n  foreach j in a b {\n    display \"`i'`j'\"\n  }\n}"
    assert _transcript(scenario, code)["text"] == (
        ". forvalues i = 1(2)3 {\n  2.   foreach j in a b {\n  3.     display \"`i'`j'\"\n  4.   }\n  5. }\n"
        "1a\n1b\n3a\n3b\n\n. \n"
    )


def test_continuation_lines_are_echoed_with_a_prompt(scenario: Scenario) -> None:
    out = _transcript(scenario, 'display "a" ///\n  "b"')
    assert out["text"] == '. display "a" ///\n>   "b"\nab\n\n. \n'


def test_block_comments_span_lines(scenario: Scenario) -> None:
    out = _transcript(scenario, "display 1 /* a\ncomment */ + 1\n* star comment\n// slashes\ndisplay 3")
    assert out["rc"] == 0
    assert "\n2\n" in out["text"] and "\n3\n" in out["text"]


def test_single_line_code_rejects_do_file_comments(scenario: Scenario) -> None:
    assert _transcript(scenario, "// a note") == {"rc": 199, "text": "/ is not a valid command name\nr(199);\n"}


def test_single_line_star_comment_is_accepted(scenario: Scenario) -> None:
    assert _transcript(scenario, "* a note") == {"rc": 0, "text": ""}


def test_single_line_error_prints_message_and_return_code(scenario: Scenario) -> None:
    assert _transcript(scenario, "foo bar") == {"rc": 199, "text": "command foo is unrecognized\nr(199);\n"}


def test_multiline_error_writes_the_return_code_line_and_stops(scenario: Scenario) -> None:
    out = _transcript(scenario, "display 1\nfoo\ndisplay 2")
    assert out == {"rc": 199, "text": ". display 1\n1\n\n. foo\ncommand foo is unrecognized\nr(199);\n"}


@pytest.mark.parametrize(
    ("code", "message", "rc"),
    [
        ("sysuse auto\nsummarize nosuchvar", "variable nosuchvar not found", 111),
        ('display "a" + 1', "type mismatch", 109),
        ("display 1 +", "invalid syntax", 198),
        ("sysuse auto\nregress price mpg if price > 1e9", "no observations", 2000),
        ("use nosuchfile", "not found", 601),
        ("summarize", "no variables defined", 111),
        ("forvalues i = a/3 {\ndisplay 1\n}", "'a' found where number expected", 121),
        ("error 459", "something that should be true of your data is not", 459),
    ],
)
def test_errors_use_stata_wording_and_return_codes(scenario: Scenario, code: str, message: str, rc: int) -> None:
    out = _transcript(scenario, code)
    assert out["rc"] == rc
    assert out["text"].endswith(f"{message}\nr({rc});\n") or f"{message}\n" in out["text"]
    assert out["text"].endswith(f"r({rc});\n")


def test_exit_with_a_code_ends_with_that_code(scenario: Scenario) -> None:
    out = _transcript(scenario, "display 1\nexit 198\ndisplay 2")
    assert out["rc"] == 198 and out["text"].endswith("r(198);\n")
    assert "\n2\n" not in out["text"]


def test_exit_without_arguments_ends_the_do_file_quietly(scenario: Scenario) -> None:
    assert _transcript(scenario, "display 1\nexit\ndisplay 2") == {"rc": 0, "text": ". display 1\n1\n\n. exit\n"}


def test_capture_swallows_the_error_and_sets_rc(scenario: Scenario) -> None:
    out = _transcript(scenario, "capture foo\ndisplay _rc\ncapture display 1\ndisplay _rc")
    assert out["rc"] == 0
    assert "unrecognized" not in out["text"]
    assert "\n199\n" in out["text"] and out["text"].endswith("\n0\n\n. \n")


def test_capture_noisily_shows_the_error_but_continues(scenario: Scenario) -> None:
    out = _transcript(scenario, 'capture noisily foo\ndisplay "on"')
    assert out["rc"] == 0 and "command foo is unrecognized" in out["text"]


def test_quietly_block_hides_output_except_noisily(scenario: Scenario) -> None:
    out = _transcript(scenario, 'quietly {\n  display "hidden"\n  noisily display "shown"\n}')
    assert "shown\n" in out["text"] and "\nhidden" not in out["text"]


def test_delimit_semicolon_works_in_multiline_code(scenario: Scenario) -> None:
    code = '#delimit ;\ndisplay "a"\n   "b" ;\ndisplay 1 + \n 2;\n#delimit cr\ndisplay 4'
    out = _transcript(scenario, code)
    assert out["rc"] == 0
    assert "\nab\n" in out["text"] and "\n3\n" in out["text"] and "\n4\n" in out["text"]
    assert "delimiter now ;" in out["text"]


def test_delimit_reverts_at_the_end_of_the_file(scenario: Scenario) -> None:
    out = scenario("transcript('#delimit ;\\ndisplay 1;')\nRESULT.update(transcript('display 5\\ndisplay 6'))")
    assert out.result["rc"] == 0
    assert "\n5\n" in out.result["text"] and "\n6\n" in out.result["text"]


def test_delimit_as_single_line_code_is_error_199(scenario: Scenario) -> None:
    assert _transcript(scenario, "#delimit ;") == {"rc": 199, "text": "# is not a valid command name\nr(199);\n"}
