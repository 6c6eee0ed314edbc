"""The per-cell path after its cuts (issue 14.2), through real ZMQ: output still precedes the idle status,
Python printing inside Stata still reaches the cell, and names are refreshed before the next request."""

from __future__ import annotations

from tests.harness import execute
from tests.kernel.notebook_support import complete


def test_every_short_cell_shows_its_output_before_its_idle_status(kernel_manager_and_client):
    _km, kc = kernel_manager_and_client
    for n in range(30):
        run = execute(kc, f"display {n}")
        assert run.status == "ok"
        kinds = [a.msg_type for a in run.iopub]
        assert run.text == f"{n}\n"
        assert kinds.index("stream") < len(kinds) - 1 and kinds[-1] == "status", kinds


def test_python_output_inside_stata_still_reaches_the_cell(kernel_manager_and_client):
    _km, kc = kernel_manager_and_client
    run = execute(kc, 'python:\nprint("from python inside stata")\nend')
    assert run.status == "ok"
    assert "from python inside stata" in run.text


def test_a_variable_made_by_a_cell_completes_in_the_very_next_request(kernel_manager_and_client):
    _km, kc = kernel_manager_and_client
    assert execute(kc, "sysuse auto, clear").status == "ok"
    assert execute(kc, "generate percell_made = 1").status == "ok"
    reply = complete(kc, "summarize percell_m")
    assert reply["matches"] == ["percell_made"]
