"""Multi-line code echoes like an included do-file; errors raise SystemError('msg\\nr(N);')."""

from __future__ import annotations

import pytest

from .conftest import Scenario


def _all(out: dict) -> str:
    return out["streamed"] + out["tail"]


def test_single_line_code_runs_without_echo(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 6*7'))")
    assert _all(out.result) == "42\n"


def test_multiline_code_echoes_each_command_before_its_output(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1\\nlocal x = 2\\ndisplay `x\\'+1'))")
    assert _all(out.result) == ". display 1\n1\n\n. local x = 2\n\n. display `x'+1\n3\n\n. \n"


def test_loop_body_is_echoed_as_numbered_lines_then_output(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('forvalues i = 1/3 {\\n    display `i\\'\\n}'))")
    assert _all(out.result) == ". forvalues i = 1/3 {\n  2.     display `i'\n  3. }\n1\n2\n3\n\n. \n"


def test_nested_loops_number_every_body_line(scenario: Scenario) -> None:
    code = "forvalues i = 1(2)3 {\n  foreach j in a b {\n    display \"`i'`j'\"\n  }\n}"
    out = scenario(f"RESULT.update(run({code!r}))")
    assert _all(out.result) == (
        ". forvalues i = 1(2)3 {\n  2.   foreach j in a b {\n  3.     display \"`i'`j'\"\n  4.   }\n  5. }\n"
        "1a\n1b\n3a\n3b\n\n. \n"
    )


def test_continuation_lines_are_echoed_with_a_prompt(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run(\'display "a" ///\\n  "b"\'))')
    assert _all(out.result) == '. display "a" ///\n>   "b"\nab\n\n. \n'


def test_block_comments_span_lines(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1 /* a\\ncomment */ + 1\\n* star comment\\n// slashes\\ndisplay 3'))")
    text = _all(out.result)
    assert "\n2\n" in text and "\n3\n" in text
    assert out.result["error"] is None


def test_single_line_code_rejects_do_file_comments(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('// a note'))")
    assert out.result["error"] == "/ is not a valid command name\nr(199);"


def test_single_line_star_comment_is_accepted(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('* a note'))")
    assert out.result["error"] is None
    assert _all(out.result) == ""


def test_single_line_error_raises_message_and_return_code(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('foo bar'))")
    assert out.result["error"] == "command foo is unrecognized\nr(199);"
    assert _all(out.result) == "command foo is unrecognized\n"


def test_multiline_error_writes_the_return_code_line_and_stops(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1\\nfoo\\ndisplay 2'))")
    assert out.result["error"] == "command foo is unrecognized\nr(199);"
    assert _all(out.result) == ". display 1\n1\n\n. foo\ncommand foo is unrecognized\nr(199);\n"


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
    out = scenario(f"RESULT.update(run({code!r}))")
    err = out.result["error"]
    assert err.endswith(f"\nr({rc});")
    assert message in err
    assert message in _all(out.result)


def test_exit_with_a_code_ends_with_that_code(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1\\nexit 198\\ndisplay 2'))")
    assert out.result["error"].endswith("r(198);")
    assert "\n2\n" not in _all(out.result)


def test_exit_without_arguments_ends_the_do_file_quietly(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1\\nexit\\ndisplay 2'))")
    assert out.result["error"] is None
    assert _all(out.result) == ". display 1\n1\n\n. exit\n"


def test_capture_swallows_the_error_and_sets_rc(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('capture foo\\ndisplay _rc\\ncapture display 1\\ndisplay _rc'))")
    assert out.result["error"] is None
    text = _all(out.result)
    assert "unrecognized" not in text
    assert "\n199\n" in text and text.endswith("\n0\n\n. \n")


def test_capture_noisily_shows_the_error_but_continues(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('capture noisily foo\\ndisplay \"on\"'))")
    assert "command foo is unrecognized" in _all(out.result)
    assert out.result["error"] is None


def test_quietly_block_hides_output_except_noisily(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run(\'quietly {\\n  display "hidden"\\n  noisily display "shown"\\n}\'))')
    text = _all(out.result)
    assert "shown\n" in text and "\nhidden" not in text


def test_delimit_semicolon_works_in_multiline_code(scenario: Scenario) -> None:
    code = '#delimit ;\ndisplay "a"\n   "b" ;\ndisplay 1 + \n 2;\n#delimit cr\ndisplay 4'
    out = scenario(f"RESULT.update(run({code!r}))")
    text = _all(out.result)
    assert out.result["error"] is None
    assert "\nab\n" in text and "\n3\n" in text and "\n4\n" in text
    assert "delimiter now ;" in text


def test_delimit_reverts_at_the_end_of_the_run(scenario: Scenario) -> None:
    out = scenario(
        """
        first = run('#delimit ;\\ndisplay 1;')
        RESULT.update(run('display 5\\ndisplay 6'))
        """
    )
    assert out.result["error"] is None
    assert "\n5\n" in _all(out.result) and "\n6\n" in _all(out.result)


def test_delimit_as_single_line_code_is_error_199(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('#delimit ;'))")
    assert out.result["error"].endswith("r(199);")
