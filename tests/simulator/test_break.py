"""config.stlib.StataSO_SetBreak(): stops a run at the next break check; misuse is counted."""

from __future__ import annotations

from .conftest import Scenario

# A run that announces itself ("go" is printed once `sleep` starts) and then blocks for a long time.
BREAK_SCENARIO = """
go = threading.Event()
col = Collector(on_piece=lambda t: go.set() if "go" in t else None)
holder = {}
def worker():
    t0 = time.perf_counter()
    holder["out"] = run(%r, collector=col)
    holder["elapsed"] = time.perf_counter() - t0
th = threading.Thread(target=worker)
th.start()
assert go.wait(10)
t_break = time.perf_counter()
config.stlib.StataSO_SetBreak()
th.join(10)
RESULT.update(holder["out"])
RESULT["after_break_s"] = time.perf_counter() - t_break
RESULT["misuse"] = config.stlib.sim_break_misuse
RESULT["breaks"] = config.stlib.sim_breaks
"""


def test_break_during_sleep_ends_the_run_quickly_with_r1(scenario: Scenario) -> None:
    out = scenario(BREAK_SCENARIO % 'display "go"\nsleep 20000\ndisplay "never"')
    r = out.result
    assert r["error"] == "--Break--\nr(1);"
    assert r["after_break_s"] < 0.2
    assert "--Break--" in r["streamed"] + r["tail"]
    assert "never\n" not in r["streamed"] + r["tail"]
    assert (r["misuse"], r["breaks"]) == (0, 1)


def test_break_stops_a_busy_loop_between_iterations(scenario: Scenario) -> None:
    code = 'display "go"\nsleep 1\nlocal i = 0\nwhile 1 {\n  local ++i\n}'
    out = scenario(BREAK_SCENARIO % code)
    assert out.result["error"] == "--Break--\nr(1);"
    assert out.result["after_break_s"] < 0.2


def test_break_stops_a_flood(scenario: Scenario) -> None:
    code = 'display "go"\nsleep 1\n_sim_flood, bytes(5000000000)'
    out = scenario(BREAK_SCENARIO % code)
    assert out.result["error"] == "--Break--\nr(1);"
    assert out.result["after_break_s"] < 0.5


def test_capture_does_not_swallow_a_break(scenario: Scenario) -> None:
    out = scenario(BREAK_SCENARIO % 'display "go"\ncapture sleep 20000\ndisplay "never"')
    assert out.result["error"] == "--Break--\nr(1);"


def test_break_while_idle_is_counted_as_misuse_and_ignored(scenario: Scenario) -> None:
    out = scenario(
        """
        config.stlib.StataSO_SetBreak()
        RESULT["misuse"] = config.stlib.sim_break_misuse
        RESULT.update(run('display "fine"'))
        """
    )
    assert out.result["misuse"] == 1
    assert out.result["error"] is None
    assert out.result["tail"] == "fine\n"
    assert "no run is in progress" in out.stderr


def test_second_break_in_one_run_is_counted_as_misuse(scenario: Scenario) -> None:
    out = scenario(
        """
        go = threading.Event()
        col = Collector(on_piece=lambda t: go.set())
        th = threading.Thread(target=lambda: RESULT.update(run('display "go"\\nsleep 20000', collector=col)))
        th.start()
        assert go.wait(10)
        config.stlib.StataSO_SetBreak()
        config.stlib.StataSO_SetBreak()
        th.join(10)
        RESULT["misuse"] = config.stlib.sim_break_misuse
        """
    )
    assert out.result["misuse"] == 1
    assert "more than once" in out.stderr


def test_run_after_a_break_is_unaffected(scenario: Scenario) -> None:
    out = scenario(
        (BREAK_SCENARIO % 'display "go"\nsleep 20000')
        + """
RESULT["next"] = run('display "next"\\nsleep 30\\ndisplay "ok"')
"""
    )
    nxt = out.result["next"]
    assert nxt["error"] is None
    assert "ok\n" in nxt["tail"]
