"""Stata's C entry points as ``config.stlib`` offers them (what the real ctypes handle offers in every release):
``StataSO_Execute``, ``StataSO_GetOutputBuffer`` (bytes), ``Clear``/``AppendOutputBuffer``, ``SetBreak``."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import EXECUTE, Scenario

CELL = "local x = 21\ndisplay `x' * 2\nforvalues i = 1/2 {\n  display `i'\n}\n#delimit ;\ndisplay\n  3 ;\n"
CELL_TRANSCRIPT = (
    ". local x = 21\n\n. display `x' * 2\n42\n\n. forvalues i = 1/2 {\n  2.   display `i'\n  3. }\n1\n2\n\n"
    ". #delimit ;\ndelimiter now ;\n\n. display\n>   3 ;\n3\n\n. \n"
)


@pytest.fixture
def cell(tmp_path: Path) -> Path:
    """A do-file in a folder whose name has a space (the path kernels and pystata hand to `include`)."""
    folder = tmp_path / "a folder"
    folder.mkdir()
    path = folder / "cell.do"
    path.write_text(CELL)
    return path


# ----- StataSO_Execute


def test_execute_returns_zero_and_leaves_the_output_in_the_buffer(scenario: Scenario) -> None:
    out = scenario(EXECUTE + 'RESULT["ok"] = execute(\'display "hello"\')')
    assert out.result["ok"] == [0, "hello\n"]


def test_execute_error_prints_the_message_then_the_rc_line(scenario: Scenario) -> None:
    out = scenario(EXECUTE + 'RESULT["bad"] = execute("no_such_command")')
    assert out.result["bad"] == [199, "command no_such_command is unrecognized\nr(199);\n"]


def test_execute_with_echo_echoes_the_command_first(scenario: Scenario) -> None:
    out = scenario(EXECUTE + 'RESULT["echo"] = execute("display 2+2", True)')
    assert out.result["echo"] == [0, ". display 2+2\n4\n"]


def test_execute_runs_a_line_as_typed_so_do_file_comments_fail(scenario: Scenario) -> None:
    out = scenario(EXECUTE + 'RESULT["comment"] = execute("// x")')
    assert out.result["comment"] == [199, "/ is not a valid command name\nr(199);\n"]


def test_execute_turns_a_simulator_bug_into_rc_9999(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
def broken(interp, args):
    raise KeyError("oops")
runtime().interp.registry.add("_sim_broken", broken)
RESULT["bug"] = execute("_sim_broken")
""")
    rc, text = out.result["bug"]
    assert rc == 9999
    assert text == "simulated Stata internal error: KeyError: 'oops'\nr(9999);\n"


def test_entry_points_accept_ctypes_restype_and_argtypes(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
for name in ("StataSO_Execute", "StataSO_GetOutputBuffer", "StataSO_ClearOutputBuffer",
             "StataSO_AppendOutputBuffer", "StataSO_SetBreak", "StataSO_Main", "StataSO_Shutdown"):
    fn = getattr(lib, name)
    fn.restype = "c_char_p"
    fn.argtypes = ("c_char_p", "c_int")
RESULT["ok"] = execute("display 1")
""")
    assert out.result["ok"] == [0, "1\n"]


def test_execute_holds_a_ctrl_c_until_it_returns(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
import signal
started = started_event()
threading.Thread(target=lambda: started.wait(10) and os.kill(os.getpid(), signal.SIGINT)).start()
try:
    lib.StataSO_Execute(b'python: started.set()', False)
    lib.StataSO_Execute(b'sleep 300', False)   # the Ctrl-C arrives during this call or the previous one
    RESULT["raised"] = False
except KeyboardInterrupt:
    RESULT["raised"] = True
RESULT["after"] = execute('display "still fine"')
""")
    assert out.result["raised"] is True
    assert out.result["after"] == [0, "still fine\n"]


# ----- include / do / run as commands


@pytest.mark.parametrize(
    "template",
    ['include "{path}"', "include `\"{path}\"'", 'do "{path}"'],
    ids=["quoted", "compound-quoted", "do"],
)
def test_a_do_file_runs_with_echo_loops_and_delimit(scenario: Scenario, cell: Path, template: str) -> None:
    line = template.format(path=cell.as_posix())
    out = scenario(EXECUTE + f"RESULT['run'] = execute({line!r})")
    rc, text = out.result["run"]
    assert rc == 0
    assert text.startswith(CELL_TRANSCRIPT)


def test_include_takes_a_bare_path(scenario: Scenario, tmp_path: Path) -> None:
    (tmp_path / "bare.do").write_text("display 5\n")
    out = scenario(EXECUTE + f"RESULT['run'] = execute('include {(tmp_path / 'bare.do').as_posix()}')")
    assert out.result["run"] == [0, ". display 5\n5\n\n. \n"]


@pytest.mark.parametrize("prefix", ["quietly include", "qui include", "run"])
def test_quiet_forms_print_nothing(scenario: Scenario, cell: Path, prefix: str) -> None:
    out = scenario(EXECUTE + f"RESULT['run'] = execute('{prefix} \"{cell.as_posix()}\"')")
    assert out.result["run"] == [0, ""]


def test_include_shares_the_callers_locals(scenario: Scenario, cell: Path) -> None:
    out = scenario(EXECUTE + f"""
execute('include "{cell.as_posix()}"')
RESULT["after"] = execute("display `x'")
""")
    assert out.result["after"] == [0, "21\n"]


def test_do_gives_the_file_its_own_locals(scenario: Scenario, cell: Path) -> None:
    out = scenario(EXECUTE + f"""
execute("local x = 1")
RESULT["do"] = execute('do "{cell.as_posix()}"')
RESULT["after"] = execute("display `x'")
""")
    assert out.result["do"][1].endswith(". \n\nend of do-file\n")
    assert out.result["after"] == [0, "1\n"]


def test_delimit_reverts_when_the_file_ends(scenario: Scenario, cell: Path) -> None:
    out = scenario(EXECUTE + f"""
execute('include "{cell.as_posix()}"')
RESULT["after"] = execute("display 7")
""")
    assert out.result["after"] == [0, "7\n"]


def test_a_missing_do_file_is_r601(scenario: Scenario, tmp_path: Path) -> None:
    missing = (tmp_path / "nope.do").as_posix()
    out = scenario(EXECUTE + f"RESULT['run'] = execute('include \"{missing}\"')")
    assert out.result["run"] == [601, f"file {missing} not found\nr(601);\n"]


# ----- the output buffer


def test_get_output_buffer_returns_bytes_and_empties_the_buffer(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
lib.StataSO_Execute(b'display "x"', False)
first = lib.StataSO_GetOutputBuffer()
RESULT["first"] = [type(first).__name__, first.decode()]
RESULT["second"] = lib.StataSO_GetOutputBuffer().decode()
""")
    assert out.result["first"] == ["bytes", "x\n"]
    assert out.result["second"] == ""


def test_a_read_may_cut_a_character_and_the_next_read_completes_it(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
cuts = 0
for i in range(40):
    lib.StataSO_Execute('display "é€😀"'.encode(), False)
    reads = [lib.StataSO_GetOutputBuffer()]
    while reads[-1]:
        reads.append(lib.StataSO_GetOutputBuffer())
    try:
        reads[0].decode("utf-8")
    except UnicodeDecodeError:
        cuts += 1
    assert b"".join(reads).decode("utf-8") == "é€😀\\n"
RESULT["cuts"] = cuts
""")
    assert 0 < out.result["cuts"] < 40


def test_cuts_follow_the_seed(scenario: Scenario) -> None:
    body = EXECUTE + """
lengths = []
for i in range(30):
    lib.StataSO_Execute('display "ééé"'.encode(), False)
    lengths.append(len(lib.StataSO_GetOutputBuffer()))
    drain()
RESULT["lengths"] = lengths
"""
    a = scenario(body, env={"SIMSTATA_SEED": "11"})
    b = scenario(body, env={"SIMSTATA_SEED": "11"})
    assert a.result["lengths"] == b.result["lengths"]


def test_cuts_can_be_switched_off(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
RESULT["lengths"] = set()
for i in range(30):
    lib.StataSO_Execute('display "ééé"'.encode(), False)
    RESULT["lengths"].add(len(lib.StataSO_GetOutputBuffer()))
RESULT["lengths"] = sorted(RESULT["lengths"])
""", env={"SIMSTATA_UTF8_CUT": "0"})
    assert out.result["lengths"] == [7]


def test_clear_output_buffer_discards_everything_including_a_cut_rest(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
lib.StataSO_Execute('display "é"'.encode(), False)
lib.StataSO_ClearOutputBuffer()
RESULT["after"] = lib.StataSO_GetOutputBuffer().decode()
""", env={"SIMSTATA_UTF8_CUT": "1"})
    assert out.result["after"] == ""


def test_append_output_buffer_is_readable_at_once(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
lib.StataSO_AppendOutputBuffer("note ✓\\n".encode())
RESULT["read"] = drain().decode()
""")
    assert out.result["read"] == "note ✓\n"


def test_get_output_decodes_with_backslashreplace(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
lib.StataSO_AppendOutputBuffer(b"bad \\xff byte")
RESULT["text"] = config.get_output()
""")
    assert out.result["text"] == "bad \\xff byte"


# ----- breaks


BREAK_WHILE = EXECUTE + """
started = started_event()
th, holder = in_background(%r)
assert started.wait(10)
t0 = time.perf_counter()
lib.StataSO_SetBreak()
th.join(10)
RESULT["after_break_s"] = time.perf_counter() - t0
RESULT["rc"] = holder["rc"]
RESULT["text"] = drain().decode()
RESULT["breaks"] = lib.sim_breaks
RESULT["misuse"] = lib.sim_break_misuse
"""


def _break_file(tmp_path: Path, body: str) -> str:
    path = tmp_path / "work.do"
    path.write_text("python: started.set()\n" + body + '\ndisplay "never"\n')
    return f'include "{path.as_posix()}"'


def test_a_break_prints_break_and_r1_and_execute_returns_1(scenario: Scenario, tmp_path: Path) -> None:
    out = scenario(BREAK_WHILE % _break_file(tmp_path, "sleep 20000"))
    assert out.result["rc"] == 1
    assert out.result["text"].endswith("--Break--\nr(1);\n")
    assert "never" not in out.result["text"].split("sleep 20000")[1]
    assert (out.result["breaks"], out.result["misuse"]) == (1, 0)


@pytest.mark.parametrize(
    "body",
    ["sleep 20000", "while 1 {\n  local ++i\n}", "_sim_flood, bytes(5000000000)"],
    ids=["sleep", "loop", "flood"],
)
def test_a_break_stops_work_promptly(scenario: Scenario, tmp_path: Path, body: str) -> None:
    out = scenario(BREAK_WHILE.replace('RESULT["text"] = drain().decode()', "drain()") % _break_file(tmp_path, body))
    assert out.result["rc"] == 1
    assert out.result["after_break_s"] < 0.5


def test_a_break_while_idle_is_counted_as_misuse_and_ignored(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
lib.StataSO_SetBreak()
RESULT["misuse"] = lib.sim_break_misuse
RESULT["next"] = execute('display "fine"')
""")
    assert out.result["misuse"] == 1
    assert out.result["next"] == [0, "fine\n"]
    assert "no run is in progress" in out.stderr


def test_a_second_break_in_one_execute_is_counted_as_misuse(scenario: Scenario, tmp_path: Path) -> None:
    out = scenario(EXECUTE + f"""
started = started_event()
th, holder = in_background({_break_file(tmp_path, "sleep 20000")!r})
assert started.wait(10)
lib.StataSO_SetBreak()
lib.StataSO_SetBreak()
th.join(10)
RESULT["counts"] = [lib.sim_breaks, lib.sim_break_misuse]
""")
    assert out.result["counts"] == [1, 1]
    assert "more than once" in out.stderr


# ----- back-pressure


def test_a_flood_waits_for_a_slow_reader_so_pending_output_stays_bounded(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
th, holder = in_background("_sim_flood, bytes(30000000)")
sizes = []
while th.is_alive() or sizes == [] or sizes[-1]:
    piece = lib.StataSO_GetOutputBuffer()
    sizes.append(len(piece))
    if len(sizes) % 50 == 0:
        threading.Event().wait(0.02)  # the slow reader's own pace, not synchronisation
th.join()
sizes.append(len(drain()))
RESULT["total"] = sum(sizes)
RESULT["largest"] = max(sizes)
RESULT["rc"] = holder["rc"]
""")
    assert out.result["rc"] == 0
    assert out.result["total"] == 30_000_000
    assert out.result["largest"] < 5_000_000  # ~4 MB plus one chunk of the flood


def test_a_flood_nobody_reads_during_execute_is_not_held_back(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
rc = lib.StataSO_Execute(b"_sim_flood, bytes(10000000)", False)
RESULT["result"] = [rc, len(drain())]
""")
    assert out.result["result"] == [0, 10_000_000]


def test_a_break_reaches_a_flood_that_waits_for_room(scenario: Scenario) -> None:
    out = scenario(EXECUTE + """
th, holder = in_background("_sim_flood, bytes(100000000)")
while len(lib.StataSO_GetOutputBuffer()) == 0:   # one read: from now on the flood waits for this reader
    pass
rt = runtime()
while len(rt.buffer) < 4 * 1024 * 1024:           # until the flood is at the limit (it then waits)
    threading.Event().wait(0.001)
lib.StataSO_SetBreak()
th.join(10)
RESULT["rc"] = holder["rc"]
RESULT["tail"] = drain()[-20:].decode()
""")
    assert out.result["rc"] == 1
    assert out.result["tail"].endswith("--Break--\nr(1);\n")


# ----- the emission log


def test_the_emit_log_stamps_text_as_it_enters_the_buffer_per_execute(scenario: Scenario, tmp_path: Path) -> None:
    log = tmp_path / "emit.log"
    out = scenario(EXECUTE + """
before = time.time_ns()
RESULT["a"] = execute('display "ab"')
RESULT["b"] = execute('display "c"')
RESULT["c"] = execute("nosuch")
RESULT["before"] = before
RESULT["after"] = time.time_ns()
""", env={"SIMSTATA_EMIT_LOG": str(log)})
    rows = [tuple(int(x) for x in line.split()) for line in log.read_text().splitlines()]
    by_run: dict[int, list[int]] = {}
    for stamp, run, cumulative in rows:
        assert out.result["before"] <= stamp <= out.result["after"]
        by_run.setdefault(run, []).append(cumulative)
    assert by_run[1][-1] == len("ab\n") and by_run[2][-1] == len("c\n")
    assert by_run[3][-1] == len("command nosuch is unrecognized\nr(199);\n")
    assert sorted(by_run) == [1, 2, 3]
