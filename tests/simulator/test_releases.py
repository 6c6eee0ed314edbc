"""SIMSTATA_RELEASE plays the pystata of Stata 17, 18 or 19 at the ``stata.run`` boundary (SIMULATED.txt)."""

from __future__ import annotations

from .conftest import Scenario

HOOK = """
caught = []
threading.excepthook = lambda args: caught.append((args.thread.name, str(args.exc_value)))
out = run("no_such_command")
RESULT["error"] = out["error"]
RESULT["caught"] = caught
"""


def test_17_raises_errors_inside_the_output_thread_and_run_returns(scenario: Scenario) -> None:
    result = scenario(HOOK, env={"SIMSTATA_RELEASE": "17"}).result
    assert result["error"] is None
    assert result["caught"] == [["Stata", "command no_such_command is unrecognized\nr(199);"]]


def test_18_raises_in_the_caller(scenario: Scenario) -> None:
    result = scenario(HOOK, env={"SIMSTATA_RELEASE": "18"}).result
    assert result["error"] == "command no_such_command is unrecognized\nr(199);" and result["caught"] == []


def test_19_raises_an_empty_message_after_a_break(scenario: Scenario) -> None:
    body = """
go = threading.Event()
col = Collector(on_piece=lambda t: go.set() if "go" in t else None)
holder = {}
th = threading.Thread(target=lambda: holder.update(run('display "go"\\nsleep 20000', collector=col)))
th.start()
assert go.wait(10)
config.stlib.StataSO_SetBreak()
th.join(10)
RESULT["error"] = holder["error"]
"""
    assert scenario(body, env={"SIMSTATA_RELEASE": "19"}).result["error"] == ""


def test_the_version_follows_the_release(scenario: Scenario) -> None:
    for release, version in (("17", 17.0), ("19", 19.5)):
        out = scenario('RESULT["v"] = sfi.Scalar.getValue("c(stata_version)")', env={"SIMSTATA_RELEASE": release})
        assert out.result["v"] == version


def test_an_unknown_release_fails_init(scenario: Scenario) -> None:
    out = scenario("", env={"SIMSTATA_RELEASE": "16"}, expect_rc=1)
    assert "SIMSTATA_RELEASE" in out.stderr


def test_get_return_needs_numpy_and_sfi_does_not(scenario: Scenario) -> None:
    body = """
run("sysuse auto"); run("summarize price")
try:
    stata.get_return()
    RESULT["get_return"] = "worked"
except SystemError as exc:
    RESULT["get_return"] = str(exc)
RESULT["mean"] = results("r")["r(mean)"]
"""
    result = scenario(body, env={"SIMSTATA_NO_NUMPY": "1"}).result
    assert result["get_return"] == "NumPy package is required to use this function."
    assert round(result["mean"], 2) == 6165.26


def test_a_lone_mata_calls_input_until_end(scenario: Scenario) -> None:
    body = """
import builtins
answers = iter(["x = 6", "x * 7", "end"])
prompts = []
builtins.input = lambda prompt="": (prompts.append(prompt), next(answers))[1]
out = run("mata")
RESULT["prompts"] = prompts
RESULT["text"] = out["streamed"] + out["tail"]
"""
    result = scenario(body).result
    assert result["prompts"] == [": ", ": ", ": "] and "42" in result["text"]


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
    assert out.result["sfi"] is False and "rc -7100" in out.result["said"]
    assert out.result["import"] == "ImportError"


def test_other_negative_init_rc_raises(scenario: Scenario) -> None:
    out = scenario("from pystata import config\nconfig.init('mp', splash=False)\n",
                   env={"SIMSTATA_INIT_RC": "-1", "SIM_NO_INIT": "1"}, expect_rc=1)
    assert "failed to initialize Stata" in out.stderr
