"""`jupyter console --kernel stata-live-test`, typed into a real terminal (tmux) and read back from the screen.

The pane is the event source: every wait polls ``tmux capture-pane`` until what a user would see is there, or a
deadline passes. Each test starts and ends at an idle ``In [n]:`` prompt of one console shared by the module.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psutil
import pytest

from .conftest import ROOT, frontend_env, require_executable, require_module

pytestmark = pytest.mark.slow

T = TypeVar("T")
PROMPT = re.compile(r"^In \[(\d+)\]:(.*)$")
CONTINUATION = re.compile(r"^\s*\.\.\.:(.*)$")
POLL_S = 0.02  # between two pane captures while waiting on the screen
STARTUP_S = 90.0  # first prompt: the kernel imports and starts the simulated Stata, on a busy 2-core box
STEP_S = 30.0  # anything else a user would wait for


class TmuxConsole:
    """One jupyter console in a detached tmux session on its own tmux server.

    The server's socket lives in the test's temp dir (``-S``), so it can neither meet the user's tmux nor leave a
    socket file behind in /tmp/tmux-UID (tmux 3.3 keeps those after its server exits).
    """

    def __init__(self, socket: Path, workdir: Path) -> None:
        self.socket = socket
        self.workdir = workdir
        self.tmux_path = require_executable("tmux")

    def tmux(self, *args: str) -> str:
        out = subprocess.run([self.tmux_path, "-S", str(self.socket), *args], capture_output=True, text=True,
                             timeout=30, check=True)
        return out.stdout

    def start(self, env: dict[str, str]) -> None:
        conf = self.workdir / "tmux.conf"
        conf.write_text("set -g history-limit 50000\n", encoding="utf-8")
        command = [sys.executable, "-m", "jupyter_console", "--kernel", "stata-live-test"]
        # This call starts the tmux server, so the console inherits ``env`` as the server's environment.
        subprocess.run([self.tmux_path, "-S", str(self.socket), "-f", str(conf), "new-session", "-d", "-s", "console",
                        "-x", "110", "-y", "40", "-c", str(self.workdir), *command],
                       check=True, timeout=30, env=env)

    def screen(self) -> str:
        """Everything the terminal has shown, scrollback included, wrapped lines joined, trailing blanks cut."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "console").rstrip()

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen().splitlines()]

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "console", "-l", text)

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "console", *keys)

    def wait_for(self, check: Callable[[list[str]], T | None], what: str, timeout: float = STEP_S) -> T:
        """Poll the screen until ``check`` returns something other than None."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            result = check(lines)
            if result is not None:
                return result
            if time.monotonic() > deadline:
                tail = "\n".join(lines[-25:])
                raise TimeoutError(f"waited {timeout:.0f}s for {what}; the console shows:\n{tail}")
            time.sleep(POLL_S)

    def idle_prompt(self, timeout: float = STEP_S) -> int:
        """Wait for an empty ``In [n]:`` prompt on the last line; return n."""

        def check(lines: list[str]) -> int | None:
            m = PROMPT.match(lines[-1]) if lines else None
            return int(m.group(1)) if m and not m.group(2).strip() else None

        return self.wait_for(check, "an empty In [n]: prompt", timeout)

    def pids(self) -> list[int]:
        """The console and everything it started (its kernel), for a last-resort cleanup."""
        try:
            pane_pid = int(self.tmux("display-message", "-p", "-t", "console", "#{pane_pid}").strip())
            parent = psutil.Process(pane_pid)
            return [parent.pid, *(child.pid for child in parent.children(recursive=True))]
        except (subprocess.CalledProcessError, psutil.Error, ValueError):
            return []

    def close(self, pids: list[int]) -> None:
        """Leave as a user would (Ctrl-D, confirm), then end the tmux server and any survivor of ours."""
        try:
            self.press("C-u", "C-d")
            self.wait_for(lambda lines: True if lines and "exit" in lines[-1] else None, "the exit question", 10)
            self.press("y", "Enter")
            self.wait_for(lambda lines: True if any("Shutting down kernel" in s for s in lines) else None,
                          "the console to shut its kernel down", 15)
        except (TimeoutError, subprocess.CalledProcessError):
            pass
        deadline = time.monotonic() + 15
        for pid in pids:
            try:
                psutil.Process(pid).wait(timeout=max(0.1, deadline - time.monotonic()))
            except psutil.TimeoutExpired:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass
        subprocess.run([self.tmux_path, "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)
        self.socket.unlink(missing_ok=True)


def output_after(lines: list[str], prompt_number: int) -> list[str] | None:
    """The lines printed after ``In [prompt_number]:``, once the next prompt is back; None while it runs."""
    starts = [i for i, line in enumerate(lines) if (m := PROMPT.match(line)) and int(m.group(1)) == prompt_number]
    if not starts:
        return None
    start = starts[-1]
    for end in range(start + 1, len(lines)):
        m = PROMPT.match(lines[end])
        if m and int(m.group(1)) > prompt_number:
            output = lines[start + 1:end]
            while output and not output[-1].strip():  # the console prints a blank line before each prompt
                output.pop()
            return output
    return None


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, sim_dir: str) -> Iterator[TmuxConsole]:
    require_module("jupyter_console")
    base = tmp_path_factory.mktemp("console")
    term = TmuxConsole(base / "tmux.sock", base)
    env = frontend_env(base, sim_dir)
    term.start(env)
    pids: list[int] = []
    try:
        term.idle_prompt(STARTUP_S)
        pids = term.pids()
        yield term
    finally:
        if os.environ.get("STATA_LIVE_SAVE_FRONTEND_DOCS"):
            (ROOT / "docs" / "console.txt").write_text(term.screen() + "\n", encoding="utf-8")
        term.close(pids or term.pids())


def test_loop_lines_appear_one_by_one_before_the_prompt_returns(console: TmuxConsole) -> None:
    n = console.idle_prompt()
    console.type("forvalues i = 1/6 {")
    console.press("Enter")
    console.wait_for(lambda lines: True if CONTINUATION.match(lines[-1]) else None, "a continuation prompt")
    for line in ('display "tick `i\'"', "sleep 400", "}"):
        console.type(line)
        console.press("Enter")

    counts_while_running: list[int] = []
    deadline = time.monotonic() + STEP_S
    while (output := output_after(lines := console.lines(), n)) is None:
        section = "\n".join(lines)
        section = section[section.rfind(f"In [{n}]:"):]
        counts_while_running.append(len(re.findall(r"^tick \d$", section, re.M)))
        assert time.monotonic() < deadline, f"the loop did not finish; counts so far {counts_while_running}"
        time.sleep(POLL_S)

    assert [line for line in output if line.startswith("tick")] == [f"tick {i}" for i in range(1, 7)]
    assert counts_while_running == sorted(counts_while_running), "lines never disappear"
    partial = sorted({c for c in counts_while_running if 0 < c < 6})
    # Streaming shows intermediate screens (1, 2, ... of 6 lines) before the prompt returns; a buffered
    # kernel would jump from 0 to 6 with the prompt. Three distinct partial counts leave room for a busy box.
    assert len(partial) >= 3, f"partial line counts seen before the prompt returned: {partial}"


def test_tab_completes_a_partial_command(console: TmuxConsole) -> None:
    n = console.idle_prompt()
    console.type("summar")
    console.press("Tab")
    try:
        console.wait_for(lambda lines: True if f"In [{n}]: summarize" in lines else None,
                         "`summar` + Tab to become `summarize`")
    finally:
        console.press("C-u")  # clears the line (and any completion menu); no Escape: it would prefix C-u as Meta
        console.wait_for(lambda lines: True if lines[-1] == f"In [{n}]:" else None, "the prompt line to be cleared")


def test_tab_completes_a_variable_of_the_data_in_memory(console: TmuxConsole) -> None:
    n = console.idle_prompt()
    console.type("sysuse auto")
    console.press("Enter")
    console.wait_for(lambda lines: output_after(lines, n), "the auto data to load")
    n = console.idle_prompt()
    console.type("summarize pri")
    console.press("Tab")
    console.wait_for(lambda lines: True if f"In [{n}]: summarize price" in lines else None,
                     "`summarize pri` + Tab to become `summarize price`")
    console.press("Enter")
    output = console.wait_for(lambda lines: output_after(lines, n), "summarize price to run")
    assert any(line.replace("|", " ").split()[:2] == ["price", "74"] for line in output), output


def test_unfinished_block_gets_a_continuation_prompt_and_runs_once_closed(console: TmuxConsole) -> None:
    n = console.idle_prompt()
    console.type("forvalues i = 1/3 {")
    console.press("Enter")
    console.wait_for(lambda lines: True if CONTINUATION.match(lines[-1]) else None, "a `...:` continuation prompt")
    assert output_after(console.lines(), n) is None, "nothing ran yet"
    console.type('display "block `i\'"')
    console.press("Enter")
    console.wait_for(lambda lines: True if CONTINUATION.match(lines[-1]) else None, "a second continuation prompt")
    console.type("}")
    console.press("Enter")
    output = console.wait_for(lambda lines: output_after(lines, n), "the closed block to run")
    assert [line for line in output if line.startswith("block")] == ["block 1", "block 2", "block 3"]


def test_ctrl_c_breaks_a_long_sleep_and_the_console_lives_on(console: TmuxConsole) -> None:
    n = console.idle_prompt()
    console.type("global survived yes")
    console.press("Enter")
    console.wait_for(lambda lines: output_after(lines, n), "the global to be set")
    n = console.idle_prompt()
    # A one-pass loop prints a line right before the sleep, so the screen says when Stata is inside it.
    for line in ("forvalues i = 1/1 {", 'display "sleeping now"', "sleep 20000", "}"):
        console.type(line)
        console.press("Enter")
    console.wait_for(lambda lines: True if "sleeping now" in lines[-3:] else None, "Stata to start sleeping")
    console.press("C-c")
    output = console.wait_for(lambda lines: output_after(lines, n), "the prompt after Ctrl-C", timeout=15)
    assert "--Break--" in "\n".join(output)
    assert "r(1);" in output

    n = console.idle_prompt()
    console.type('display "$survived " 6*7')
    console.press("Enter")
    after = console.wait_for(lambda lines: output_after(lines, n), "the next command to run")
    assert after == ["yes 42"], "same kernel, same Stata session: the global survived"
