"""``user_expressions`` of an execute request: r(), e(), s() and describe(), read after the cell in the same
request (the MCP bridge asks for them with every run); anything else is an error for that name alone."""

from __future__ import annotations

from tests import harness
from tests.harness import execute

ASKED = {"r": "r()", "e": " e() ", "s": "s()", "data": "describe()", "sum": "1+1"}


def test_stored_results_and_the_dataset_come_with_the_reply(kernel):
    run = execute(kernel, "sysuse auto, clear\nregress price mpg\nsummarize price", user_expressions=ASKED)
    assert run.status == "ok", run.text
    found = run.reply["content"]["user_expressions"]
    assert set(found) == set(ASKED)
    r, e, data = (found[name]["data"]["application/json"] for name in ("r", "e", "data"))
    assert found["s"]["status"] == "ok"
    assert e["N"] == 74 and e["cmd"] == "regress", e
    assert r["N"] == 74 and round(r["mean"], 2) == 6165.26, r
    assert (data["n_obs"], data["n_vars"]) == (74, 12) and data["variables"][0]["name"] == "make", data
    assert found["sum"]["status"] == "error" and found["sum"]["ename"] == "UnsupportedExpression"
    assert "1+1" in found["sum"]["evalue"] and "r()" in found["sum"]["evalue"]
    # Never run as Stata code: the cell's output has no trace of it.
    assert "1+1" not in run.text


def test_without_stata_every_expression_says_why(kernels_dir, tmp_path):
    km, kc = harness.start_kernel(kernels_dir, harness.kernel_env(str(tmp_path / "no-stata-here"), tmp_path))
    try:
        run = execute(kc, "display 1", user_expressions={"r": "r()", "data": "describe()"})
        found = run.reply["content"]["user_expressions"]
        assert set(found) == {"r", "data"}
        for value in found.values():
            assert value["status"] == "error" and "STATA_DIR" in value["evalue"], value
    finally:
        harness.stop_kernel(km, kc)
