"""``pystata.stata.run`` as ported from Stata 17's pystata, in every release: the output thread, its tail race,
the process-wide stdout swap, the temp do-file, streaming off. (Release differences: test_releases.py.)"""

from __future__ import annotations

from pathlib import Path

from .conftest import Scenario

LOOP = """forvalues i = 1/6 {
    display "line `i'"
    sleep 40
}"""

RECORD_EXECUTE = """
executed = []
_execute = config.stlib.StataSO_Execute
def recording(cmd, echo):
    executed.append(cmd.decode())
    return _execute(cmd, echo)
config.stlib.StataSO_Execute = recording
"""


def test_pieces_arrive_from_the_stata_thread_while_run_blocks(scenario: Scenario) -> None:
    out = scenario(
        f"""
        arrivals = []
        returned = threading.Event()
        col = Collector(on_piece=lambda t: arrivals.append((threading.current_thread().name, returned.is_set())))
        RESULT.update(run({LOOP!r}, collector=col))
        returned.set()
        RESULT["threads"] = sorted({{name for name, _ in arrivals}})
        RESULT["before_return"] = sum(1 for _, after in arrivals if not after)
        """
    )
    assert out.result["threads"] == ["Stata"]
    assert out.result["before_return"] >= 4  # the loop's lines stream while run() is still blocked
    for i in range(1, 7):
        assert f"line {i}\n" in out.result["streamed"]


def test_pieces_are_whatever_one_poll_found_not_lines(scenario: Scenario) -> None:
    out = scenario(
        """
        code = "forvalues i = 1/40 {\\n    display _dup(30) \\"ab\\" \\" `i'\\"\\n    sleep 3\\n}"
        RESULT.update(run(code))
        """
    )
    pieces = out.result["pieces"]
    assert len(pieces) > 3
    assert any(p.count("\n") > 1 for p in pieces)  # several lines in one poll


def test_run_clears_the_buffer_first(scenario: Scenario) -> None:
    out = scenario(
        """
        config.stlib.StataSO_AppendOutputBuffer(b"stale\\n")
        RESULT.update(run("display 1"))
        """
    )
    assert out.result["text"] == "1\n"


def test_one_line_is_executed_directly_between_graph_list_commands(scenario: Scenario) -> None:
    out = scenario(RECORD_EXECUTE + 'run("display 1")\nRESULT["executed"] = executed')
    assert out.result["executed"] == ["qui _gr_list on", "display 1", "qui _gr_list off"]


def test_inline_false_executes_only_the_code(scenario: Scenario) -> None:
    out = scenario(RECORD_EXECUTE + 'run("display 1", inline=False)\nRESULT["executed"] = executed')
    assert out.result["executed"] == ["display 1"]


def test_quietly_prefixes_qui(scenario: Scenario) -> None:
    out = scenario(RECORD_EXECUTE + 'RESULT.update(run("display 1", quietly=True, inline=False))\n'
                   'RESULT["executed"] = executed')
    assert out.result["executed"] == ["qui display 1"]
    assert out.result["text"] == ""


def test_several_lines_run_as_an_unquoted_include_of_a_temp_file(scenario: Scenario) -> None:
    out = scenario(
        RECORD_EXECUTE
        + """
run("display 1\\ndisplay 2", inline=False)
path = executed[0].split(" ", 1)[1]
RESULT["executed"] = executed
RESULT["file"] = open(path).read()
"""
    )
    command = out.result["executed"][0]
    assert command.startswith("include ") and '"' not in command
    assert out.result["file"] == "display 1\ndisplay 2"


def test_a_trailing_newline_makes_a_single_line_a_do_file(scenario: Scenario) -> None:
    out = scenario(RECORD_EXECUTE + 'run("display 1\\n\\n", inline=False)\nRESULT["executed"] = executed')
    assert out.result["executed"][0].startswith("include ")  # splitlines() gives two lines


def test_a_multiline_run_ends_with_an_extra_newline(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 1\\ndisplay 2'))")
    assert out.result["text"] == ". display 1\n1\n\n. display 2\n2\n\n. \n\n"


def test_the_tail_race_leaves_the_last_output_in_the_buffer(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run("display 42"))', env={"SIMSTATA_TAIL_RACE": "1"})
    assert out.result["streamed"] == ""
    assert out.result["tail"] == "42\n"


def test_the_tail_race_is_seeded(scenario: Scenario) -> None:
    body = """
        lost = 0
        for _ in range(120):
            if run("display 1")["tail"]:
                lost += 1
        RESULT["lost"] = lost
        """
    env = {"SIMSTATA_TAIL_RACE": "0.05", "SIMSTATA_SEED": "3"}
    a = scenario(body, env=env).result["lost"]
    b = scenario(body, env=env).result["lost"]
    assert a == b and 0 < a < 20


def test_every_run_takes_at_least_one_interval(scenario: Scenario) -> None:
    out = scenario(
        """
        config.stoutputf = Collector()
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            stata.run("display 1", inline=False)
            times.append((time.perf_counter() - t0) * 1000)
        RESULT["min_ms"] = min(times)
        """
    )
    assert out.result["min_ms"] >= 15.0


# Counts the output thread's reads and sleeps (pystata.core.stout's own `time` is replaced).
COUNT_ROUNDS = """
from pystata.core import stout
import types
counts = {"reads": 0, "sleeps": []}
_get_output = config.get_output
def counting_get_output():
    if threading.current_thread().name == "Stata":
        counts["reads"] += 1
    return _get_output()
config.get_output = counting_get_output
stout.time = types.SimpleNamespace(sleep=lambda s: (counts["sleeps"].append(s), time.sleep(s)))
"""


def test_the_output_thread_sleeps_after_every_round_including_the_last(scenario: Scenario) -> None:
    out = scenario(COUNT_ROUNDS + 'RESULT.update(run("display 1", inline=False))\nRESULT.update(counts)')
    assert out.result["reads"] >= 1 and out.result["text"] == "1\n"
    assert out.result["sleeps"] == [0.015] * out.result["reads"]


def test_17_s_thread_dies_raising_so_an_error_skips_the_last_sleep(scenario: Scenario) -> None:
    body = COUNT_ROUNDS + """
threading.excepthook = lambda args: None
RESULT.update(run("nosuch", inline=False))
RESULT.update(counts)
"""
    out = scenario(body, env={"SIMSTATA_RELEASE": "17"})
    assert out.result["error"] is None
    assert len(out.result["sleeps"]) == out.result["reads"] - 1


def test_no_output_is_lost_when_execute_ends_between_the_thread_s_read_and_its_check(scenario: Scenario) -> None:
    # Force [17]'s race window: the thread's first read happens before Execute starts, and the read returns
    # only once run() has queued the rc. [17] would then see the run ended and leave "1" in the buffer;
    # the simulator decided "not ended" before the read, so it prints "1" in the next round.
    out = scenario(
        """
        first_read = threading.Event()
        _get_output = config.get_output
        def get_output():
            text = _get_output()
            if threading.current_thread().name == "Stata" and not first_read.is_set():
                first_read.set()
                q = threading.current_thread().q
                with q.not_empty:
                    RESULT["queued"] = q.not_empty.wait_for(lambda: len(q.queue) > 0, timeout=10)
            return text
        config.get_output = get_output
        _execute = config.stlib.StataSO_Execute
        def execute(cmd, echo):
            RESULT["read_first"] = first_read.wait(10)
            return _execute(cmd, echo)
        config.stlib.StataSO_Execute = execute
        RESULT.update(run("display 1", inline=False))
        """
    )
    assert out.result["read_first"] is True and out.result["queued"] is True
    assert (out.result["streamed"], out.result["tail"]) == ("1\n", "")


def test_execute_alone_costs_well_under_a_millisecond(scenario: Scenario) -> None:
    out = scenario(
        """
        lib = config.stlib
        for _ in range(200):
            lib.StataSO_Execute(b"display 1", 0); lib.StataSO_GetOutputBuffer()
        t0 = time.perf_counter()
        for _ in range(2000):
            lib.StataSO_Execute(b"display 1", 0)
            lib.StataSO_GetOutputBuffer()
        RESULT["per_run_ms"] = (time.perf_counter() - t0) / 2000 * 1000
        """
    )
    assert out.result["per_run_ms"] < 1.0


def test_python_prints_inside_stata_go_through_stata_s_buffer(scenario: Scenario) -> None:
    out = scenario(
        """
        before = sys.stdout
        RESULT.update(run("python: import sys; print(type(sys.stdout).__name__)"))
        RESULT["restored"] = sys.stdout is before
        """
    )
    assert out.result["streamed"] == "StataDisplay\n"
    assert out.result["restored"] is True


def test_the_output_thread_prints_with_the_caller_s_stdout_in_place(scenario: Scenario) -> None:
    out = scenario(
        """
        seen = []
        col = Collector(on_piece=lambda t: seen.append(type(sys.stdout).__name__))
        run('display "a"\\nsleep 40\\ndisplay "b"', collector=col)
        RESULT["seen"] = sorted(set(seen))
        """
    )
    assert out.result["seen"] != ["StataDisplay"] and "StataDisplay" not in out.result["seen"]


def test_output_goes_to_sys_stdout_when_no_output_file_is_set(scenario: Scenario) -> None:
    out = scenario('stata.run(\'display "to stdout"\')')
    assert out.stdout == "to stdout\n"


def test_set_output_file_receives_the_stream(scenario: Scenario, tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    scenario(
        f"""
        config.set_output_file({str(log)!r}, replace=True)
        stata.run('display "in file"')
        config.close_output_file()
        """
    )
    assert log.read_text() == "in file\n"


def test_streaming_off_prints_everything_after_execute_on_the_caller_s_thread(scenario: Scenario) -> None:
    out = scenario(
        f"""
        config.set_streaming_output_mode("off")
        RESULT.update(run({LOOP!r}))
        """
    )
    assert out.result["main_thread_pieces"] == len(out.result["pieces"]) >= 1
    assert "line 6\n" in out.result["streamed"]


def test_streaming_off_raises_the_output_in_the_caller(scenario: Scenario) -> None:
    out = scenario('config.set_streaming_output_mode("off")\nRESULT.update(run("nosuch"))',
                   env={"SIMSTATA_RELEASE": "17"})
    assert out.result["error"] == "command nosuch is unrecognized\nr(199);\n"


def test_a_ctrl_c_during_run_breaks_after_execute_returns_as_real_pystata_does(scenario: Scenario) -> None:
    out = scenario(
        """
        import signal
        started = threading.Event()
        __import__("pystata._sim.runtime", fromlist=["x"]).get_runtime().python_namespace["started"] = started
        threading.Thread(target=lambda: started.wait(10) and os.kill(os.getpid(), signal.SIGINT)).start()
        RESULT.update(run("python: started.set()\\nsleep 200"))
        RESULT["misuse"] = config.stlib.sim_break_misuse
        """
    )
    assert out.result["error"] is None
    assert "KeyboardInterrupt: --break--" in out.stdout
    assert out.result["misuse"] == 1  # pystata calls SetBreak after Execute returned: the dangerous kind


def test_emit_log_counts_every_execute_of_a_run(scenario: Scenario, tmp_path: Path) -> None:
    log = tmp_path / "emit.log"
    scenario('run("display 1")\nrun("display 22")', env={"SIMSTATA_EMIT_LOG": str(log)})
    rows = [tuple(int(x) for x in line.split()) for line in log.read_text().splitlines()]
    assert [(run, cumulative) for _, run, cumulative in rows] == [(2, 2), (5, 3)]


def test_echo_is_passed_to_execute_for_one_line_only(scenario: Scenario) -> None:
    out = scenario('RESULT["one"] = run("display 1", echo=True)["text"]\n'
                   'RESULT["two"] = run("display 1\\ndisplay 2", echo=True)["text"]')
    assert out.result["one"] == ". display 1\n1\n"
    assert out.result["two"] == ". display 1\n1\n\n. display 2\n2\n\n. \n\n"  # the do-file echo, as without


def test_a_lone_mata_without_a_console_raises_eoferror_in_the_caller(scenario: Scenario) -> None:
    out = scenario(
        """
        import builtins
        def no_console(prompt=""):
            raise EOFError("EOF when reading a line")
        builtins.input = no_console
        try:
            stata.run("mata")
        except EOFError as exc:
            RESULT["raised"] = str(exc)
        """
    )
    assert out.result["raised"] == "EOF when reading a line"  # [17] input() is called as is
