"""Inspect (``?`` / Shift-Tab) through real ZMQ: Stata's help text for the command under the cursor."""

from __future__ import annotations

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import inspect, interrupt_and_collect, shell_reply, start_long_run


@pytest.fixture(scope="module")
def km(kernel_manager_and_client):
    return kernel_manager_and_client[0]


@pytest.fixture(scope="module")
def kc(kernel_manager_and_client):
    return kernel_manager_and_client[1]


def test_inspect_shows_statas_help_for_the_command_under_the_cursor(kc):
    reply = inspect(kc, "regress price mpg", 3)
    assert reply["found"] is True
    assert "[R] regress -- Linear regression" in reply["data"]["text/plain"]


def test_inspect_points_to_the_online_help_page(kc):
    reply = inspect(kc, "regress price mpg", 3)
    assert reply["data"]["text/plain"].endswith("Online: https://www.stata.com/help.cgi?regress")


def test_inspect_on_an_argument_shows_help_for_its_command(kc):
    reply = inspect(kc, "summarize price", len("summarize pr"))
    assert "[R] summarize" in reply["data"]["text/plain"]


def test_inspect_resolves_command_abbreviations(kc):
    reply = inspect(kc, "tab foreign", 2)
    assert "[R] tabulate" in reply["data"]["text/plain"]


def test_inspect_of_a_topic_without_help_is_not_found(kc):
    reply = inspect(kc, "nosuchcommand x", 3)
    assert reply["found"] is False


def test_inspect_of_a_magic_shows_its_usage(kc):
    reply = inspect(kc, "%browse price", 3)
    assert reply["found"] is True
    assert "%browse [varlist] [if exp] [in range]" in reply["data"]["text/plain"]


def test_inspect_while_a_cell_runs_answers_from_cache_at_once(km, kc):
    assert inspect(kc, "display 1", 2)["found"] is True  # cached now
    msg_id, sent_at = start_long_run(kc)
    reply, earlier = shell_reply(kc, kc.inspect("display 1", 2))
    assert "execute_reply" not in earlier
    assert "[P] display" in reply["content"]["data"]["text/plain"]
    interrupt_and_collect(km, kc, msg_id, sent_at)


def test_inspect_while_a_cell_runs_says_stata_is_busy_for_uncached_help(km, kc):
    msg_id, sent_at = start_long_run(kc)
    reply, earlier = shell_reply(kc, kc.inspect("foreach x of varlist", 3))
    assert "execute_reply" not in earlier
    assert "busy" in reply["content"]["data"]["text/plain"]
    interrupt_and_collect(km, kc, msg_id, sent_at)
    # once the run is over the real help text is looked up
    assert "[P] foreach" in inspect(kc, "foreach x of varlist", 3)["data"]["text/plain"]


def test_help_lookups_leave_stored_results_alone(kc):
    assert execute(kc, "sysuse auto, clear\nsummarize price").status == "ok"
    inspect(kc, "count if 1", 2)
    run = execute(kc, "display r(mean)")
    assert run.text.strip().startswith("6165.2")


@pytest.mark.parametrize("code", ["regress?", "?regress", "reg??", "%help regress"])
def test_a_help_query_cell_pages_statas_help(kc, code):
    run = execute(kc, code)
    assert run.status == "ok"
    (page,) = run.reply["content"]["payload"]
    assert page["source"] == "page"
    assert "[R] regress -- Linear regression" in page["data"]["text/plain"]


def test_a_help_query_for_an_unknown_topic_says_so(kc):
    run = execute(kc, "nosuchcommand?")
    assert run.status == "ok"
    assert run.reply["content"]["payload"] == []
    assert "No Stata help found for nosuchcommand" in run.text
