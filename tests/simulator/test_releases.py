"""SIMSTATA_RELEASE plays the pystata of Stata 17, 18 or 19 (SIMULATED.txt lists each behaviour's source)."""

from __future__ import annotations

import pytest

from .conftest import Scenario

HOOK = """
caught = []
threading.excepthook = lambda args: caught.append((args.thread.name, str(args.exc_value)))
out = run("no_such_command")
RESULT["error"] = out["error"]
RESULT["streamed"] = out["streamed"]
RESULT["caught"] = caught
"""

BREAK = """
go = threading.Event()
col = Collector(on_piece=lambda t: go.set() if "go" in t else None)
holder = {}
th = threading.Thread(target=lambda: holder.update(run('display "go"\\nsleep 20000', collector=col)))
th.start()
assert go.wait(10)
config.stlib.StataSO_SetBreak()
th.join(10)
RESULT.update(holder)
"""


def test_17_raises_errors_inside_the_output_thread_and_run_returns(scenario: Scenario) -> None:
    result = scenario(HOOK, env={"SIMSTATA_RELEASE": "17"}).result
    assert result["error"] is None and result["streamed"] == ""
    assert result["caught"] == [["Stata", "command no_such_command is unrecognized\nr(199);\n"]]


@pytest.mark.parametrize("release", ["18", "19"])
def test_later_releases_raise_in_the_caller(scenario: Scenario, release: str) -> None:
    result = scenario(HOOK, env={"SIMSTATA_RELEASE": release}).result
    assert result["error"] == "command no_such_command is unrecognized\nr(199);\n"
    assert result["caught"] == [] and result["streamed"] == ""


def test_18_raises_the_break_with_its_text(scenario: Scenario) -> None:
    result = scenario(BREAK, env={"SIMSTATA_RELEASE": "18"}).result
    assert result["error"].endswith("--Break--\nr(1);\n")


def test_19_raises_an_empty_message_after_a_break_and_the_text_stays_in_the_buffer(scenario: Scenario) -> None:
    result = scenario(BREAK, env={"SIMSTATA_RELEASE": "19"}).result
    assert result["error"] == ""
    assert result["tail"].endswith("--Break--\nr(1);\n")


@pytest.mark.parametrize(("release", "version"), [("17", 17.0), ("18", 18.0), ("19", 19.5)])
def test_the_version_follows_the_release(scenario: Scenario, release: str, version: float) -> None:
    out = scenario('RESULT["v"] = [sfi.Scalar.getValue("c(stata_version)"), config.stversion]',
                   env={"SIMSTATA_RELEASE": release})
    assert out.result["v"] == [version, f"{version:.1f}"]


def test_the_default_release_is_18(scenario: Scenario) -> None:
    out = scenario('RESULT["v"] = sfi.Scalar.getValue("c(stata_version)")')
    assert out.result["v"] == 18.0


def test_an_unknown_release_fails_init(scenario: Scenario) -> None:
    out = scenario("", env={"SIMSTATA_RELEASE": "16"}, expect_rc=1)
    assert "SIMSTATA_RELEASE='16': the simulated Stata plays release 17, 18 or 19" in out.stderr


def test_18_splash_false_prints_no_banner(scenario: Scenario) -> None:
    out = scenario("", env={"SIMSTATA_RELEASE": "18"})
    assert out.stdout == ""


@pytest.mark.parametrize("release", ["17", "18", "19"])
def test_get_return_needs_numpy_and_sfi_does_not(scenario: Scenario, release: str) -> None:
    body = """
run("sysuse auto"); run("summarize price")
try:
    stata.get_return()
    RESULT["get_return"] = "worked"
except SystemError as exc:
    RESULT["get_return"] = str(exc)
RESULT["mean"] = results("r")["r(mean)"]
"""
    result = scenario(body, env={"SIMSTATA_NO_NUMPY": "1", "SIMSTATA_RELEASE": release}).result
    assert result["get_return"] == "NumPy package is required to use this function."
    assert round(result["mean"], 2) == 6165.26


INPUT = """
import builtins
answers = iter(ANSWERS)
prompts = []
builtins.input = lambda prompt="": (prompts.append(prompt), next(answers))[1]
out = run(OPENER)
RESULT["prompts"] = prompts
RESULT.update(out)
"""
# The rules around the loop are sfi.SFIToolkit.displayln("{hline ...}") [17]; how they read depends on
# whether sfi renders SMCL, so the tests below only look at where they go.


def test_a_lone_mata_calls_input_until_end(scenario: Scenario) -> None:
    body = INPUT.replace("ANSWERS", '["x = 6", "x * 7", "end"]').replace("OPENER", '"mata"')
    result = scenario(body).result
    assert result["prompts"] == [": ", ": ", ": "]
    assert result["streamed"] == "  42\n"  # only each statement's own output [17 output_get_interactive_result]
    assert result["tail"].count("\n") == 1 and result["error"] is None  # the closing rule: no Execute prints it


def test_a_lone_python_calls_input_and_continues_compound_statements(scenario: Scenario) -> None:
    body = INPUT.replace("ANSWERS", '["for i in range(2):", "    print(i)", "", "end"]').replace(
        "OPENER", '"python:"')
    result = scenario(body).result
    assert result["prompts"] == [">>> ", "... ", "... ", ">>> "]
    assert result["streamed"].endswith("0\n1\n") and result["error"] is None


def test_the_interactive_loop_echoes_its_opener_and_rule(scenario: Scenario) -> None:
    body = INPUT.replace("ANSWERS", '["end"]').replace("OPENER", '"mata"')
    out = scenario(body)
    assert out.stdout.startswith(". mata\n")  # [17] print(), on sys.stdout, not config.stoutputf
    assert out.result["streamed"] == "" and "mata (type" in out.result["tail"]
    assert out.result["tail"].count("\n") == 2  # the opening and the closing rule stay in the buffer


def test_init_rc_7100_leaves_sfi_uninitialised_with_stata_s_message(scenario: Scenario) -> None:
    body = """
RESULT["sfi"] = config.sfiinitialized
RESULT["said"] = config.get_output()
try:
    import sfi as again
    RESULT["import"] = "worked"
except ImportError as exc:
    RESULT["import"] = type(exc).__name__
"""
    # the prelude imports sfi after init: play init without it
    out = scenario("from pystata import config\nconfig.init('mp', splash=False)\n" + body,
                   env={"SIMSTATA_INIT_RC": "-7100", "SIM_NO_INIT": "1"})
    assert out.result["sfi"] is False
    assert "Python integration failed to initialize (rc -7100)" in out.result["said"]
    assert out.result["import"] == "ImportError"
    assert out.stdout == ""  # [17] the message is printed only on success


def test_other_negative_init_rc_raises(scenario: Scenario) -> None:
    out = scenario("from pystata import config\nconfig.init('mp', splash=False)\n",
                   env={"SIMSTATA_INIT_RC": "-1", "SIM_NO_INIT": "1"}, expect_rc=1)
    said = "Stata's Python integration failed to initialize (rc -1)"
    assert f"SystemError: failed to initialize Stata\n{said}" in out.stderr


def test_17_a_break_ends_the_run_normally_and_the_thread_raises_it(scenario: Scenario) -> None:
    body = """
caught = []
threading.excepthook = lambda args: caught.append((args.thread.name, str(args.exc_value)))
""" + BREAK + """
RESULT["caught"] = caught
RESULT["breaks"] = config.stlib.sim_breaks
RESULT["misuse"] = config.stlib.sim_break_misuse
"""
    result = scenario(body, env={"SIMSTATA_RELEASE": "17"}).result
    assert result["error"] is None and "--Break--" not in result["streamed"]
    assert result["caught"] == [["Stata", result["caught"][0][1]]]
    assert result["caught"][0][1].endswith("--Break--\nr(1);\n")
    assert (result["breaks"], result["misuse"]) == (1, 0)


def test_19_keeps_the_message_of_rc_1_when_no_break_happened(scenario: Scenario) -> None:
    result = scenario('RESULT.update(run("exit 1"))', env={"SIMSTATA_RELEASE": "19"}).result
    assert result["error"] == "r(1);\n" and result["tail"] == ""


# A stand-in for numpy (the test environment has none): pystata's get_return only needs np.array.
FAKE_NUMPY = """
import types
fake = types.ModuleType("numpy")
fake.array = lambda rows, **kw: ("array", [list(r) for r in rows])
sys.modules["numpy"] = fake
"""


def test_get_return_reads_the_names_through_sfi_and_matrices_through_numpy(scenario: Scenario) -> None:
    body = FAKE_NUMPY + """
run("sysuse auto"); run("regress price mpg")
e = stata.get_ereturn()
RESULT["keys"] = sorted(e)
RESULT["b"] = e["e(b)"]
RESULT["sfi"] = sorted(results("e"))
run('summarize price')
RESULT["mean"] = stata.get_return()["r(mean)"]
RESULT["s"] = stata.get_sreturn()
"""
    result = scenario(body, env={"SIMSTATA_RELEASE": "17"}).result
    assert result["keys"] == result["sfi"] and "e(cmd)" in result["keys"]
    assert result["b"][0] == "array" and [round(v, 2) for v in result["b"][1][0]] == [-238.89, 11253.06]
    assert round(result["mean"], 2) == 6165.26
    assert result["s"] == {}


def test_loading_an_array_refuses_a_changed_dataset_unless_forced(scenario: Scenario) -> None:
    body = FAKE_NUMPY + """
run("sysuse auto")
stata.nparray_to_data([[1, 2], [3, 4]])  # c(changed) is 0 after sysuse: replaced without force
RESULT["names"] = [sfi.Data.getVarName(i) for i in range(sfi.Data.getVarCount())]
try:
    stata.nparray_to_data([[5]])  # the loaded array changed the data
except SystemError as exc:
    RESULT["error"] = str(exc)
stata.nparray_to_data([[5]], prefix="x", force=True)
RESULT["forced"] = [sfi.Data.getVarName(0), sfi.Data.getObsTotal()]
"""
    result = scenario(body).result
    assert result["names"] == ["v1", "v2"]
    assert result["error"] == "no; dataset in memory has changed since last saved"  # [17]
    assert result["forced"] == ["x1", 1]
