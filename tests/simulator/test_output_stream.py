"""Output reaches config.stoutputf from a background thread, in arbitrary pieces, with the tail left behind."""

from __future__ import annotations

from pathlib import Path

from .conftest import Scenario

LOOP = """forvalues i = 1/6 {
    display "line `i'"
    sleep 40
}"""


def test_pieces_arrive_from_a_background_thread_while_run_blocks(scenario: Scenario) -> None:
    out = scenario(
        f"""
        arrivals = []
        returned = threading.Event()
        col = Collector(on_piece=lambda t: arrivals.append(returned.is_set()))
        RESULT.update(run({LOOP!r}, collector=col))
        returned.set()
        RESULT["arrived_before_return"] = sum(1 for after in arrivals if not after)
        """
    )
    r = out.result
    assert r["main_thread_pieces"] == 0
    assert r["arrived_before_return"] >= 4  # the loop's lines stream while run() is still blocked
    assert r["error"] is None
    for i in range(1, 6):
        assert f"line {i}\n" in r["streamed"]


def test_pieces_are_not_line_aligned(scenario: Scenario) -> None:
    out = scenario(
        """
        code = "forvalues i = 1/40 {\\n    display _dup(30) \\"ab\\" \\" `i'\\"\\n    sleep 3\\n}"
        RESULT.update(run(code))
        """
    )
    pieces = out.result["pieces"]
    assert len(pieces) > 5
    assert any(not p.endswith("\n") for p in pieces)
    assert any(p.count("\n") > 1 for p in pieces) or any("\n" not in p for p in pieces)


def test_final_piece_is_left_for_get_output(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run("display 42"))')
    assert out.result["streamed"] == ""
    assert out.result["tail"] == "42\n"


def test_multiline_tail_is_the_last_statements_output(scenario: Scenario) -> None:
    out = scenario(
        """
        RESULT.update(run('display "first"\\nsleep 60\\ndisplay "last"'))
        """
    )
    assert "first\n" in out.result["streamed"]
    assert out.result["tail"].startswith("last\n")
    assert "\nlast\n" not in out.result["streamed"]


def test_undrained_tail_is_printed_first_by_the_next_run(scenario: Scenario) -> None:
    out = scenario(
        """
        col = Collector()
        config.stoutputf = col
        stata.run('display "A"')          # nobody drains the tail
        stata.run('display "B"\\nsleep 50\\ndisplay "C"')
        RESULT["streamed"] = col.text()
        RESULT["tail"] = config.get_output()
        """
    )
    assert out.result["streamed"].startswith("A\n. display")


def test_output_goes_to_sys_stdout_when_no_output_file_is_set(scenario: Scenario) -> None:
    out = scenario(
        """
        stata.run('display "to stdout"\\nsleep 40\\ndisplay "end"')
        sys.stdout.write("|TAIL|" + config.get_output())
        """
    )
    assert "to stdout\n" in out.stdout.split("|TAIL|")[0]
    assert out.stdout.split("|TAIL|")[1].startswith("end")


def test_set_output_file_receives_the_stream(scenario: Scenario, tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    out = scenario(
        f"""
        config.set_output_file({str(log)!r}, replace=True)
        stata.run('display "in file"\\nsleep 40\\ndisplay "done"')
        config.close_output_file()
        RESULT["tail"] = config.get_output()
        """
    )
    assert "in file\n" in log.read_text()
    assert out.result["tail"].startswith("done")


def test_concurrent_run_from_a_second_thread_is_refused(scenario: Scenario) -> None:
    out = scenario(
        """
        started = threading.Event()
        col = Collector(on_piece=lambda t: started.set())
        config.stoutputf = col
        worker = threading.Thread(target=lambda: stata.run('display "go"\\nsleep 2000'))
        worker.start()
        assert started.wait(10)
        try:
            stata.run("display 1")
        except SystemError as exc:
            RESULT["error"] = str(exc)
        config.stlib.StataSO_SetBreak()
        worker.join()
        """
    )
    assert "busy" in out.result["error"]


def test_quietly_run_prints_nothing(scenario: Scenario) -> None:
    out = scenario('RESULT.update(run(\'display "x"\\ndisplay "y"\', quietly=True))')
    assert out.result["streamed"] + out.result["tail"] == ""


def test_echo_true_echoes_single_line_code(scenario: Scenario) -> None:
    out = scenario("RESULT.update(run('display 2+2', echo=True))")
    assert out.result["streamed"] + out.result["tail"] == ". display 2+2\n4\n"


def test_streaming_off_prints_everything_after_the_run(scenario: Scenario) -> None:
    out = scenario(
        f"""
        config.set_streaming_output_mode("off")
        RESULT.update(run({LOOP!r}))
        """
    )
    assert len(out.result["pieces"]) == 1
    assert out.result["pieces_before_return"] == 1
    assert out.result["main_thread_pieces"] == 1


def test_execute_of_display_costs_well_under_a_millisecond(scenario: Scenario) -> None:
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


def test_stata_run_pays_pystata_s_output_thread_at_least_one_poll_per_call(scenario: Scenario) -> None:
    out = scenario(
        """
        config.stoutputf = Collector()
        t0 = time.perf_counter()
        for _ in range(20):
            stata.run("display 1")
        RESULT["per_run_ms"] = (time.perf_counter() - t0) / 20 * 1000
        """
    )
    assert out.result["per_run_ms"] >= 15.0


def test_emit_log_records_time_run_number_and_cumulative_offset(scenario: Scenario, tmp_path: Path) -> None:
    log = tmp_path / "emit.log"
    out = scenario(
        f"""
        r1 = run({LOOP!r})
        r2 = run('display "x"\\nsleep 40\\ndisplay "yy"')
        RESULT["streamed"] = [r1["streamed"], r2["streamed"]]
        RESULT["pieces"] = [r1["pieces"], r2["pieces"]]
        """,
        env={"SIMSTATA_EMIT_LOG": str(log)},
    )
    rows = [tuple(int(x) for x in line.split()) for line in log.read_text().splitlines()]
    assert rows
    by_run: dict[int, list[int]] = {}
    for stamp, run_no, cumulative in rows:
        assert stamp > 1_600_000_000_000_000_000
        by_run.setdefault(run_no, []).append(cumulative)
    assert sorted(by_run) == [1, 2]
    for k, run_no in enumerate((1, 2)):
        pieces = out.result["pieces"][k]
        expected = [sum(len(p) for p in pieces[: i + 1]) for i in range(len(pieces))]
        assert by_run[run_no] == expected
    stamps = [r[0] for r in rows]
    assert stamps == sorted(stamps)


def test_pieces_are_reproducible_with_the_same_seed(scenario: Scenario) -> None:
    body = """
        code = "forvalues i = 1/30 {\\n    display _dup(20) \\"z\\" \\" `i'\\"\\n}\\nsleep 30\\ndisplay 1"
        RESULT.update(run(code))
    """
    a = scenario(body, env={"SIMSTATA_SEED": "7", "SIMSTATA_TICK_MS": "1000"})
    b = scenario(body, env={"SIMSTATA_SEED": "7", "SIMSTATA_TICK_MS": "1000"})
    assert a.result["pieces"] == b.result["pieces"]
