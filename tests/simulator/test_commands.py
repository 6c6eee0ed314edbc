"""The Stata subset: expressions, macros, loops, auto data, summarize, regress, results, sfi."""

from __future__ import annotations

import pytest

from .conftest import Scenario


def _text(scenario: Scenario, code: str) -> str:
    out = scenario(f"RESULT.update(run({code!r}))")
    assert out.result["error"] is None, out.result["error"]
    return out.result["streamed"] + out.result["tail"]


@pytest.mark.parametrize(
    ("expr", "shown"),
    [
        ('"hello"', "hello"),
        ("1/3", ".33333333"),
        ("2^3^2", "64"),
        ("-2^2", "-4"),
        ("round(3.14159, .01)", "3.14"),
        ("sqrt(16) + abs(-2)", "6"),
        ("ln(exp(2))", "2"),
        ('string(3.5) + "x"', "3.5x"),
        ('strlen("abcd")', "4"),
        ('substr("abcdef", 2, 3)', "bcd"),
        ('upper("ab") + lower("CD")', "ABcd"),
        ("5 > 3 & 2 <= 1", "0"),
        ("7/0", "."),
        (". > 1e300", "1"),
        ("%9.2f 3.14159", "     3.14"),
        ('"a" _col(5) "b"', "a   b"),
        ('"x" _newline "y"', "x\ny"),
        ("_pi", "3.1415927"),
        ('as text "t" as result 1', "t1"),
    ],
)
def test_display_evaluates_expressions_and_directives(scenario: Scenario, expr: str, shown: str) -> None:
    assert _text(scenario, f"display {expr}") == shown + "\n"


def test_local_and_global_macros_expand(scenario: Scenario) -> None:
    code = (
        'local name "world"\nglobal g = 2*21\nlocal i 2\nlocal j 3\nlocal k23 nested\n'
        """display "hello `name' $g ${g}x `k`i'`j'' `=1+1'\""""
    )
    assert _text(scenario, code).endswith("hello world 42 42x nested 2\n\n. \n")


def test_local_increment_and_while_loop(scenario: Scenario) -> None:
    text = _text(scenario, "local i = 0\nwhile `i' < 3 {\n  local ++i\n  display `i'\n}")
    assert text.endswith("1\n2\n3\n\n. \n")


def test_foreach_over_lists_numlists_and_varlists(scenario: Scenario) -> None:
    code = (
        """local items "a b"\nforeach x of local items {\n  display "`x'"\n}\n"""
        "foreach n of numlist 1/2 10 {\n  display `n'\n}\n"
        'sysuse auto\nforeach v of varlist price mpg {\n  display "`v\'"\n}'
    )
    text = _text(scenario, code)
    assert "\na\nb\n" in text and "\n1\n2\n10\n" in text and "\nprice\nmpg\n" in text


def test_forvalues_with_a_step(scenario: Scenario) -> None:
    assert _text(scenario, "forvalues i = 10(-5)0 {\n  display `i'\n}").endswith("10\n5\n0\n\n. \n")


def test_if_else_blocks_choose_a_branch(scenario: Scenario) -> None:
    text = _text(scenario, 'if 1 > 2 {\n  display "yes"\n}\nelse {\n  display "no"\n}')
    assert "\nno\n" in text and "\nyes\n" not in text


def test_continue_break_leaves_the_loop(scenario: Scenario) -> None:
    text = _text(scenario, "forvalues i = 1/5 {\n  if `i' == 3 continue, break\n  display `i'\n}")
    assert text.endswith("1\n2\n\n. \n")


def test_sysuse_auto_loads_the_1978_data(scenario: Scenario) -> None:
    out = scenario(
        """
        RESULT["load"] = run("sysuse auto")
        RESULT["n"] = sfi.Data.getObsTotal()
        RESULT["names"] = [sfi.Data.getVarName(i) for i in range(sfi.Data.getVarCount())]
        RESULT["first"] = sfi.Data.get(["make", "price", "foreign"], range(0, 1))[0]
        RESULT["rep78_missing"] = sfi.Data.getAt("rep78", 2) > 8e307
        RESULT["labels"] = {str(k): v for k, v in sfi.ValueLabel.getValueLabels("origin").items()}
        RESULT["type"] = [sfi.Data.getVarType("make"), sfi.Data.getVarLabel("mpg")]
        """
    )
    r = out.result
    assert r["load"]["tail"] == "(1978 automobile data)\n"
    assert r["n"] == 74
    assert r["names"] == [
        "make", "price", "mpg", "rep78", "headroom", "trunk", "weight",
        "length", "turn", "displacement", "gear_ratio", "foreign",
    ]  # fmt: skip
    assert r["first"] == ["AMC Concord", 4099.0, 0.0]
    assert r["rep78_missing"] is True
    assert r["labels"] == {"0.0": "Domestic", "1.0": "Foreign"}
    assert r["type"] == ["str18", "Mileage (mpg)"]


def test_summarize_price_matches_the_auto_data(scenario: Scenario) -> None:
    out = scenario(
        """
        run("sysuse auto")
        RESULT.update(run("summarize price"))
        RESULT["r"] = results("r")
        """
    )
    r = out.result["r"]
    assert r["r(N)"] == 74
    assert r["r(mean)"] == pytest.approx(6165.256756756757)
    assert r["r(sd)"] == pytest.approx(2949.495884768919)
    assert (r["r(min)"], r["r(max)"]) == (3291, 15906)
    assert "       price |         74    6165.257    2949.496       3291      15906" in out.result["tail"]


def test_summarize_detail_reports_percentiles(scenario: Scenario) -> None:
    out = scenario('run("sysuse auto"); run("summarize mpg, detail"); RESULT["r"] = results("r")')
    assert out.result["r"]["r(p50)"] == 20
    assert out.result["r"]["r(p25)"] == 18


def test_regress_price_mpg_matches_known_coefficients(scenario: Scenario) -> None:
    out = scenario(
        """
        run("sysuse auto")
        RESULT.update(run("regress price mpg"))
        e = results("e")
        RESULT["e"] = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in e.items()}
        RESULT["b"] = run("display _b[_cons] _col(20) _b[mpg]")["tail"]
        """
    )
    e = out.result["e"]
    b = e["e(b)"][0]
    assert b[0] == pytest.approx(-238.8943, abs=1e-4)
    assert b[1] == pytest.approx(11253.06, abs=1e-2)
    assert e["e(N)"] == 74 and e["e(df_m)"] == 1 and e["e(df_r)"] == 72
    assert e["e(r2)"] == pytest.approx(0.2196, abs=1e-4)
    assert e["e(F)"] == pytest.approx(20.26, abs=1e-2)
    assert e["e(cmd)"] == "regress" and e["e(depvar)"] == "price"
    table = out.result["tail"]
    assert "         mpg |  -238.8943   53.07669    -4.50   0.000    -344.7008   -133.0879" in table
    assert "       _cons |   11253.06   1170.813     9.61   0.000     8919.088    13587.03" in table
    assert out.result["b"].startswith("11253.061")


def test_regress_with_several_regressors(scenario: Scenario) -> None:
    out = scenario(
        'run("sysuse auto"); run("regress price mpg weight foreign"); '
        'RESULT["b"] = [list(r) for r in sfi.Matrix.get("e(b)")]; RESULT["cols"] = sfi.Matrix.getColNames("e(b)")'
    )
    assert out.result["cols"] == ["mpg", "weight", "foreign", "_cons"]
    assert out.result["b"][0] == pytest.approx([21.8536, 3.464706, 3673.06, -5853.696], rel=1e-5)


def test_describe_lists_variables_with_types_and_labels(scenario: Scenario) -> None:
    text = _text(scenario, "sysuse auto\ndescribe")
    assert "Observations:            74" in text
    assert "foreign         byte    %8.0g      origin     Car origin" in text


def test_list_count_and_tabulate(scenario: Scenario) -> None:
    text = _text(scenario, "sysuse auto\nlist make price in 1/2\ncount if foreign\ntabulate foreign")
    assert "  1. | AMC Concord   4,099 |" in text
    assert "\n  22\n" in text
    assert "   Domestic |         52       70.27       70.27" in text


def test_generate_and_replace_over_observations(scenario: Scenario) -> None:
    out = scenario(
        """
        code = "clear\\nset obs 5\\ngenerate x = _n * 2\\nreplace x = 0 if x > 6\\n"
        RESULT.update(run(code + "generate s = \\"v\\" + string(_n)"))
        RESULT["x"] = [r[0] for r in sfi.Data.get("x")]
        RESULT["s"] = [r[0] for r in sfi.Data.get("s")]
        """
    )
    assert out.result["x"] == [2, 4, 6, 0, 0]
    assert out.result["s"] == ["v1", "v2", "v3", "v4", "v5"]
    assert "(2 real changes made)" in out.result["streamed"] + out.result["tail"]


def test_return_and_ereturn_list(scenario: Scenario) -> None:
    text = _text(scenario, "sysuse auto\nsummarize mpg\nreturn list\nregress mpg weight\nereturn list")
    assert "r(mean) =  21.297297297" in text
    assert 'e(depvar) : "mpg"' in text


def test_c_values_are_deterministic(scenario: Scenario) -> None:
    text = _text(scenario, 'display c(stata_version) " " c(edition) "|" c(current_date) "|" c(N)')
    assert text == "18 MP| 1 Jan 2026|0\n"


def test_sfi_macros_and_scalars_share_state_with_stata(scenario: Scenario) -> None:
    out = scenario(
        """
        sfi.Macro.setGlobal("fromsfi", "abc")
        sfi.Scalar.setValue("sc", 2.5)
        RESULT.update(run('display "$fromsfi " sc*2'))
        run('local loc "xyz"')
        RESULT["local"] = sfi.Macro.getLocal("loc")
        RESULT["c"] = sfi.Macro.getGlobal("c(current_date)")
        """
    )
    assert out.result["tail"] == "abc 5\n"
    assert out.result["local"] == "xyz"
    assert out.result["c"] == " 1 Jan 2026"


def test_sfi_toolkit_runs_commands_into_the_stream(scenario: Scenario) -> None:
    out = scenario('sfi.SFIToolkit.stata("display 5"); RESULT["out"] = config.get_output()')
    assert out.result["out"] == "5\n"


def test_help_known_and_unknown_topics(scenario: Scenario) -> None:
    out = scenario('RESULT["known"] = run("help regress"); RESULT["unknown"] = run("help nosuchtopic")')
    assert "Linear regression" in out.result["known"]["streamed"] + out.result["known"]["tail"]
    assert out.result["unknown"]["error"].startswith("help for nosuchtopic not found")
    assert out.result["unknown"]["error"].endswith("r(111);")


def test_which_reports_builtins(scenario: Scenario) -> None:
    assert _text(scenario, "which display") == "built-in command:  display\n"


def test_save_and_use_round_trip(scenario: Scenario) -> None:
    out = scenario(
        """
        run("sysuse auto\\nsave myauto, replace")
        RESULT.update(run("use myauto, clear\\nsummarize mpg"))
        RESULT["n"] = sfi.Data.getObsTotal()
        """
    )
    assert out.result["error"] is None
    assert out.result["n"] == 74


def test_pandas_helpers_fail_clearly_without_pandas(scenario: Scenario) -> None:
    out = scenario(
        """
        import importlib.util
        RESULT["has_pandas"] = importlib.util.find_spec("pandas") is not None
        if not RESULT["has_pandas"]:
            try:
                stata.pdataframe_from_data()
            except SystemError as exc:
                RESULT["error"] = str(exc)
        """
    )
    if not out.result["has_pandas"]:
        assert "needs pandas" in out.result["error"]


def test_sfi_data_accessors_follow_the_dataset(scenario: Scenario) -> None:
    out = scenario(
        """
        run("sysuse auto")
        D = sfi.Data
        RESULT["index"] = D.getVarIndex("mpg")
        RESULT["format"] = D.getVarFormat("price")
        RESULT["at"] = D.getAt(1, 73)
        RESULT["labelled"] = D.get("foreign", [0, 73], valuelabel=True)
        RESULT["selected"] = len(D.get("make", selectvar="foreign"))
        RESULT["missing"] = D.get("rep78", [2], missingval=None)[0][0] > 8e307
        """
    )
    r = out.result
    assert r["index"] == 2 and r["format"] == "%8.0gc" and r["at"] == 11995
    assert r["labelled"] == [["Domestic"], ["Foreign"]]
    assert r["selected"] == 22
    assert r["missing"] is True


def test_foreach_of_global_and_sreturn_shape(scenario: Scenario) -> None:
    code = 'global things "x y"\nforeach t of global things {\n  display "`t\'"\n}'
    out = scenario(f"RESULT.update(run({code!r}))\nRESULT['s'] = results('s')")
    assert "\nx\ny\n" in out.result["streamed"] + out.result["tail"]
    assert out.result["s"] == {}
