"""Inline graphs through real ZMQ: one display_data per graph, configurable size and format, clear failures."""

from __future__ import annotations

import base64

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import displays, png_size, stderr_text


@pytest.fixture
def kc(kernel):
    assert execute(kernel, "sysuse auto, clear").status == "ok"
    yield kernel
    execute(kernel, "%set graph_format both\n%set graph_width 600\n%set graph_height auto")


def _graphs_listed(kc) -> int:
    text = execute(kc, "%status").text
    line = next(line for line in text.splitlines() if line.startswith("runs:"))
    return int(line.rsplit(":", 1)[1])


def test_each_graph_a_cell_makes_appears_as_png_svg_and_text(kc):
    run = execute(kc, "scatter price mpg, name(first)\nhistogram mpg, name(second)")
    assert run.status == "ok"
    shown = displays(run)
    assert [d["metadata"]["stata_graph"] for d in shown] == ["first", "second"]
    for d in shown:
        assert set(d["data"]) == {"image/png", "image/svg+xml", "text/plain"}
        assert base64.b64decode(d["data"]["image/png"]).startswith(b"\x89PNG")
        assert "<svg" in d["data"]["image/svg+xml"]


def test_graphs_arrive_after_the_cells_text_and_before_its_reply(kc):
    run = execute(kc, 'display "before"\nscatter price mpg')
    types = [a.msg_type for a in run.iopub]
    assert types.index("display_data") > types.index("stream")
    assert all(a.time <= run.reply_at for a in run.iopub if a.msg_type == "display_data")


def test_graph_width_setting_sets_the_png_width(kc):
    execute(kc, "%set graph_width 800")
    (shown,) = displays(execute(kc, "scatter price mpg"))
    assert png_size(shown["data"]["image/png"])[0] == 800


def test_graph_height_setting_sets_the_png_height(kc):
    execute(kc, "%set graph_width 500\n%set graph_height 300")
    (shown,) = displays(execute(kc, "scatter price mpg"))
    assert png_size(shown["data"]["image/png"]) == (500, 300)


def test_graph_format_png_sends_only_png(kc):
    execute(kc, "%set graph_format png")
    (shown,) = displays(execute(kc, "scatter price mpg"))
    assert set(shown["data"]) == {"image/png", "text/plain"}


def test_a_failed_export_is_explained_on_stderr(kc):
    execute(kc, "%set graph_format pdf")  # the simulated Stata cannot export PDF
    run = execute(kc, "scatter price mpg")
    assert run.status == "ok"
    assert displays(run) == []
    text = stderr_text(run)
    assert "Graph Graph could not be exported as pdf" in text
    assert "not supported" in text


def test_cells_that_cannot_draw_do_not_pay_for_graph_listing(kc):
    before = _graphs_listed(kc)
    assert execute(kc, "display 1").status == "ok"
    assert execute(kc, "summarize price\nlocal x 1").status == "ok"
    assert _graphs_listed(kc) == before


def test_a_graph_drawn_inside_a_loop_is_shown(kc):
    run = execute(kc, "foreach v in mpg weight {\n  scatter price `v', name(g_`v')\n}")
    assert [d["metadata"]["stata_graph"] for d in displays(run)] == ["g_mpg", "g_weight"]


def test_a_cell_without_graphs_shows_no_image(kc):
    assert displays(execute(kc, "graph dir")) == []
