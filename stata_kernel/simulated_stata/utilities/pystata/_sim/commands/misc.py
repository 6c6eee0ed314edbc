"""help, which, creturn list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StataError
from ..registry import Registry

if TYPE_CHECKING:
    from ..interp import Interpreter

_HELP: dict[str, tuple[str, str]] = {
    "display": (
        "[P] display -- Display strings and values of scalar expressions",
        "display [display_directive [display_directive [...]]]\n\n"
        'Directives: "double-quoted string", `"compound-quoted string"\', [%fmt] [=]exp,\n'
        "as text|result|error|input, _column(#), _skip(#), _newline[(#)], _continue, _dup(#), _char(#)",
    ),
    "summarize": (
        "[R] summarize -- Summary statistics",
        "summarize [varlist] [if] [in] [, detail meanonly]\n\n"
        "Stored results: r(N) r(mean) r(sd) r(Var) r(min) r(max) r(sum) r(sum_w); with detail also\n"
        "r(p1) ... r(p99), r(skewness), r(kurtosis).",
    ),
    "regress": (
        "[R] regress -- Linear regression",
        "regress depvar [indepvars] [if] [in] [, level(#)]\n\n"
        "Stored results: e(N) e(df_m) e(df_r) e(F) e(r2) e(r2_a) e(rmse) e(mss) e(rss) e(ll),\n"
        "e(cmd) e(depvar), matrices e(b) and e(V); r(table).",
    ),
    "forvalues": (
        "[P] forvalues -- Loop over consecutive values",
        "forvalues lname = range {\n        Stata commands referring to `lname'\n}\n\n"
        "range: #1/#2, #1(#d)#2, #1 #t to #2, #1 #t : #2",
    ),
    "foreach": (
        "[P] foreach -- Loop over items",
        "foreach lname {in|of listtype} list {\n        commands referring to `lname'\n}\n\n"
        "listtype: local, global, varlist, newlist, numlist",
    ),
    "generate": (
        "[D] generate -- Create or change contents of variable",
        "generate [type] newvar = exp [if] [in]\nreplace oldvar = exp [if] [in]",
    ),
    "list": ("[D] list -- List values of variables", "list [varlist] [if] [in]"),
    "describe": ("[D] describe -- Describe data in memory or in a file", "describe [varlist]"),
    "sysuse": ("[D] sysuse -- Use shipped dataset", "sysuse auto [, clear]"),
    "graph": (
        "[G-2] graph -- The graph command",
        "graph twoway ..., scatter y x, line y x, histogram x\n"
        "graph export newfilename.{png|svg} [, name(graphname) replace width(#) height(#)]\n"
        "graph dir, graph drop {names|_all}, graph display [name]",
    ),
    "help": ("[R] help -- Display help in the Results window", "help [command_or_topic_name]"),
    "sleep": ("[P] sleep -- Pause for a specified time", "sleep #   (milliseconds)"),
    "local": (
        "[P] macro -- Macro definition and manipulation",
        'local lclname [=exp | :macro_fcn | "[string]"]\nglobal mname [=exp | :macro_fcn | "[string]"]',
    ),
    "capture": ("[P] capture -- Capture return code", "capture [:] command\ncapture {\n    ...\n}"),
    "tabulate": (
        "[R] tabulate oneway -- One-way table of frequencies",
        "tabulate varname [if] [in] [, missing]",
    ),
    "count": ("[D] count -- Count observations satisfying specified conditions", "count [if] [in]"),
}
_ALIASES = {
    "di": "display",
    "sum": "summarize",
    "su": "summarize",
    "reg": "regress",
    "forv": "forvalues",
    "gen": "generate",
    "g": "generate",
    "replace": "generate",
    "l": "list",
    "d": "describe",
    "global": "local",
    "macro": "local",
    "cap": "capture",
    "tab": "tabulate",
    "scatter": "graph",
    "histogram": "graph",
    "twoway": "graph",
}


def cmd_help(interp: Interpreter, args: str) -> None:
    topic = args.strip().split(",")[0].strip() or "help"
    key = _ALIASES.get(topic, topic)
    if key not in _HELP:
        raise StataError(111, f"help for {topic} not found\ntry help contents or search {topic}")
    title, body = _HELP[key]
    rule = "-" * 78
    interp.out(f"\n{title}\n{rule}\n\nSyntax\n\n{body}\n\n(help from the SIMULATED Stata shipped with stata-live)\n")


_BUILTIN = {
    "display",
    "local",
    "global",
    "scalar",
    "sleep",
    "set",
    "error",
    "exit",
    "continue",
    "return",
    "ereturn",
    "pwd",
    "cd",
    "macro",
    "version",
    "forvalues",
    "foreach",
    "while",
    "if",
    "else",
    "quietly",
    "noisily",
    "capture",
    "clear",
    "use",
    "save",
    "describe",
    "summarize",
    "list",
    "count",
    "generate",
    "replace",
    "drop",
    "keep",
    "sort",
    "label",
    "regress",
    "graph",
    "twoway",
    "scatter",
    "help",
    "which",
    "assert",
}
_ADO = {
    "sysuse": "s/sysuse.ado",
    "tabulate": "t/tabulate.ado",
    "histogram": "h/histogram.ado",
    "line": "l/line.ado",
}


def cmd_which(interp: Interpreter, args: str) -> None:
    name = args.strip().split(",")[0].strip()
    if not name:
        raise StataError(100, "command name required")
    cmd = interp.registry.lookup(name)
    full = cmd.name if cmd is not None else name
    if full in _ADO:
        import os

        home = os.environ.get("SYSDIR_STATA", "")
        interp.out(f"{home}/ado/base/{_ADO[full]}\n*! version 1.0.0  simulated\n")
        return
    if cmd is not None or full in _BUILTIN:
        interp.out(f"built-in command:  {full}\n")
        return
    raise StataError(111, f"command {name} not found as either built-in or ado-file")


def cmd_creturn(interp: Interpreter, args: str) -> None:
    if not args.strip().startswith("li"):
        raise StataError(198, "invalid syntax")
    st = interp.state
    keys = ["current_date", "current_time", "stata_version", "version", "edition", "pwd", "N", "k", "rc"]
    lines = ["", "System values", "-" * 78]
    for k in keys:
        v = st.c_value(k)
        shown = f'"{v}"' if isinstance(v, str) else f"{v:g}"
        lines.append(f"{'c(' + k + ')':>20} = {shown}")
    interp.out("\n".join(lines) + "\n")


def register(reg: Registry) -> None:
    reg.add("help", cmd_help, 1)
    from ..blocks import cmd_adopath, cmd_more, cmd_program, cmd_python
    from ..mata import cmd_mata as mata_statement

    reg.add("mata", mata_statement)
    reg.add("python", cmd_python)
    reg.add("program", cmd_program, 2)
    reg.add("adopath", cmd_adopath)
    reg.add("more", cmd_more)
    reg.add("which", cmd_which)
    reg.add("creturn", cmd_creturn, 3)
