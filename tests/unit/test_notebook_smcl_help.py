"""Help files read from the installation when Stata's ``help`` prints nothing (GUI Stata opens a Viewer)."""

from __future__ import annotations

from pathlib import Path

from stata_kernel.engine import Engine
from stata_kernel.help_lookup import HelpCache
from stata_kernel.smcl import help_file, smcl_to_text

SMCL = """{smcl}
{* *! version 1.0  01jan2026}{...}
{viewerjumpto "Syntax" "regress##syntax"}{...}
{title:Title}

{p2colset 5 20 22 2}{...}
{p2col:{manhelp regress R}}Linear regression{p_end}

{title:Syntax}

{p 8 16 2}
{cmd:regress} {depvar} [{indepvars}] {ifin} [{cmd:,} {it:options}]

{synoptset 20 tabbed}{...}
{synopt:{opt nocon:stant}}suppress constant term{p_end}
{synopt:{opth vce(vcetype)}}kind of standard error{p_end}
{hline}
Literal braces: {c -(}x{c )-}
"""


def test_smcl_markup_becomes_readable_text():
    text = smcl_to_text(SMCL)
    assert "Title" in text and "[R] regress" in text and "Linear regression" in text
    assert "regress depvar [indepvars] [if] [in] [, options]" in text
    assert "noconstant" in text and "suppress constant term" in text
    assert "vce(vcetype)" in text
    assert "Literal braces: {x}" in text
    assert "{" not in text.replace("{x}", "")  # no markup left


def test_help_files_are_found_where_stata_looks(tmp_path: Path):
    stata = tmp_path / "stata"
    (stata / "ado" / "base" / "r").mkdir(parents=True)
    (stata / "ado" / "base" / "r" / "regress.sthlp").write_text(SMCL)
    (stata / "ado" / "updates" / "r").mkdir(parents=True)
    assert help_file("regress", str(stata), home=str(tmp_path)) == stata / "ado" / "base" / "r" / "regress.sthlp"
    (stata / "ado" / "updates" / "r" / "regress.sthlp").write_text(SMCL)
    assert help_file("regress", str(stata), home=str(tmp_path)).parent.parent.name == "updates"
    assert help_file("nosuch", str(stata), home=str(tmp_path)) is None


class _ViewerStata(Engine):
    """A Stata whose help command succeeds silently, as a GUI Stata does (after opening its Viewer)."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def start(self):  # pragma: no cover - not used
        raise NotImplementedError

    def run(self, code, on_output, *, quietly=False):
        self.ran.append(code)

    def request_break(self):  # pragma: no cover
        pass

    def stored_results(self, kind):  # pragma: no cover
        return {}

    def global_macro(self, name):  # pragma: no cover
        return ""

    def dataset(self):  # pragma: no cover
        raise NotImplementedError


def test_an_installed_help_file_is_read_without_running_help(tmp_path: Path):
    stata = tmp_path / "stata"
    (stata / "ado" / "base" / "r").mkdir(parents=True)
    (stata / "ado" / "base" / "r" / "regress.sthlp").write_text(SMCL)
    engine = _ViewerStata()
    entry = HelpCache().lookup(engine, "regress", str(stata))
    assert entry.found and "Linear regression" in entry.shown()
    assert engine.ran == []  # no Viewer window popped up


def test_without_a_help_file_statas_help_command_is_asked(tmp_path: Path):
    engine = _ViewerStata()
    entry = HelpCache().lookup(engine, "mycommand", str(tmp_path))
    assert engine.ran == ["help mycommand"]
    assert entry.found and "printed none here" in entry.shown()
