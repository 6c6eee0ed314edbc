"""The pystata engine reads macro names without printing them, and falls back to ``macro dir`` on a Stata
that lacks ``: all globals`` or Mata (the simulated one). Exercised with a stand-in for Stata's entry points
and sfi."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from stata_kernel.discovery import StataInstallation
from stata_kernel.engine.pystata_backend import PystataEngine
from stata_kernel.engine.runloop import EntryPoints, RunLoop


class _FakeStata:
    """Enough of StataSO_Execute and sfi.Macro for the macro listing; records what ran and what it printed."""

    def __init__(self, *, has_mata: bool) -> None:
        self.has_mata = has_mata
        self.globals = {"S_FN": "auto.dta", "project": "x"}
        self.locals = {"i": "3", "name": "Ann"}
        self.ran: list[tuple[str, bool]] = []
        self.printed: list[str] = []
        self.buffer = ""

    # StataSO_Execute: one line, rc back, output in the buffer
    def execute(self, line: bytes, echo: bool) -> int:
        code = line.decode()
        quietly = code.startswith("quietly ")
        code = code.removeprefix("quietly ")
        self.ran.append((code, quietly))
        if m := re.fullmatch(r"local (\w+) : all globals", code):
            if not self.has_mata:
                self.buffer += "all invalid extended macro function\nr(198);\n"
                return 198
            self.locals[m.group(1)] = " ".join(self.globals)
        elif code.startswith("mata:"):
            if not self.has_mata:
                self.buffer += "command mata is unrecognized\nr(199);\n"
                return 199
            name = re.search(r'st_local\("(\w+)"', code).group(1)
            self.locals[name] = " ".join(self.locals)
        elif m := re.fullmatch(r"local (\w+)", code):
            self.locals.pop(m.group(1), None)
        elif code == "macro dir":
            text = "".join(f"{k + ':':<13}{v}\n" for k, v in self.globals.items())
            text += "".join(f"{'_' + k + ':':<13}{v}\n" for k, v in self.locals.items())
            self.printed.append(text)
            self.buffer += text
        else:
            raise AssertionError(f"unexpected command {code!r}")
        return 0

    def read(self) -> bytes:
        text, self.buffer = self.buffer, ""
        return text.encode()

    def clear(self) -> None:
        self.buffer = ""

    def get_local(self, name: str) -> str:
        return self.locals.get(name, "")


def _engine(fake: _FakeStata) -> PystataEngine:
    engine = PystataEngine(StataInstallation(Path("/nowhere"), "mp", "test"))
    engine._loop = RunLoop(EntryPoints(execute=fake.execute, read_output=fake.read, clear_output=fake.clear,
                                       append_output=None, set_break=lambda: None))
    engine._sfi = SimpleNamespace(Macro=SimpleNamespace(getLocal=fake.get_local))
    return engine


def test_macro_names_are_read_quietly_and_leave_no_scratch_local():
    fake = _FakeStata(has_mata=True)
    globals_, locals_ = _engine(fake).macro_names()
    assert (globals_, locals_) == (["S_FN", "project"], ["i", "name"])
    assert fake.printed == []  # nothing for an open log to record
    assert all(quietly for _, quietly in fake.ran)
    assert "__stlive_names" not in fake.locals


def test_a_stata_without_mata_gets_macro_dir_once_it_has_failed():
    fake = _FakeStata(has_mata=False)
    engine = _engine(fake)
    assert engine.macro_names() == (["S_FN", "project"], ["i", "name"])
    fake.ran.clear()
    assert engine.macro_names() == (["S_FN", "project"], ["i", "name"])
    assert [code for code, _ in fake.ran] == ["macro dir"]  # the quiet route is not retried
