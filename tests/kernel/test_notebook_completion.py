"""Tab completion through real ZMQ: commands, variables, macros, paths, magics; never waiting on a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import complete, interrupt_and_collect, shell_reply, start_long_run


@pytest.fixture(scope="module")
def kc(kernel_manager_and_client):
    _km, client = kernel_manager_and_client
    run = execute(client, "sysuse auto, clear\nlocal mylocal 7\nglobal myglobal 8")
    assert run.status == "ok"
    return client


@pytest.fixture(scope="module")
def km(kernel_manager_and_client):
    return kernel_manager_and_client[0]


def test_command_names_complete_from_a_prefix(kc):
    reply = complete(kc, "summ")
    assert "summarize" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 4)


def test_commands_complete_after_a_prefix_command(kc):
    reply = complete(kc, "quietly reg")
    assert "regress" in reply["matches"]
    assert reply["cursor_start"] == len("quietly ")


def test_variable_names_of_the_data_in_memory_complete(kc):
    reply = complete(kc, "summarize pr")
    assert reply["matches"] == ["price"]
    assert reply["cursor_start"] == len("summarize ")


def test_local_macro_names_complete_after_a_backtick(kc):
    reply = complete(kc, "display `myl")
    assert reply["matches"] == ["mylocal'"]
    assert reply["cursor_start"] == len("display `")


def test_global_macro_names_complete_after_a_dollar(kc):
    reply = complete(kc, "display $mygl")
    assert reply["matches"] == ["myglobal"]


def test_file_paths_complete_inside_quotes_after_use(kc, tmp_path: Path):
    (tmp_path / "survey2024.dta").write_bytes(b"")
    (tmp_path / "surveys").mkdir()
    (tmp_path / "other.csv").write_text("x")
    code = f'use "{tmp_path}/surv'
    reply = complete(kc, code)
    assert reply["matches"] == [f"{tmp_path}/survey2024.dta", f"{tmp_path}/surveys/"]
    assert reply["cursor_start"] == len('use "')


def test_relative_paths_complete_from_statas_working_directory(kc, tmp_path: Path):
    (tmp_path / "analysis.do").write_text("display 1\n")
    assert execute(kc, f'cd "{tmp_path}"').status == "ok"
    reply = complete(kc, 'do "ana')
    assert reply["matches"] == ["analysis.do"]


def test_magic_names_complete_after_a_percent_sign(kc):
    reply = complete(kc, "%bro")
    assert reply["matches"] == ["browse"]
    assert reply["cursor_start"] == 1


def test_names_made_by_the_last_cell_are_offered(kc):
    assert execute(kc, "generate double fresh_var = price * 2\nlocal fresh_local 1").status == "ok"
    assert complete(kc, "list fresh_")["matches"] == ["fresh_var"]
    assert complete(kc, "display `fresh_")["matches"] == ["fresh_local'"]


def test_completion_answers_from_cached_names_while_a_cell_runs(km, kc):
    msg_id, sent_at = start_long_run(kc)
    reply, earlier = shell_reply(kc, kc.complete("summarize mp", len("summarize mp")))
    # The answer came while the cell was still running: its execute_reply had not arrived.
    assert "execute_reply" not in earlier
    assert reply["content"]["matches"] == ["mpg"]
    run = interrupt_and_collect(km, kc, msg_id, sent_at)
    assert run.status == "error" and run.reply["content"]["evalue"].endswith("r(1);")


def test_setting_names_complete_after_percent_set(kc):
    assert complete(kc, "%set graph_w")["matches"] == ["graph_width"]


def test_variables_complete_in_browse_magic_arguments(kc):
    assert complete(kc, "%browse make if pri")["matches"] == ["price"]
