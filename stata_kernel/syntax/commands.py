"""Stata command names and their minimal abbreviations.

Stata lets a command be abbreviated to any prefix at least as long as its documented minimum (the underlined
part in its help file): ``di``, ``disp`` and ``display`` are all ``display``. Completion and the agent command
policy both need that rule, so it lives here with the table.
"""

from __future__ import annotations

from collections.abc import Iterator

# canonical name -> minimal abbreviation (equal to the name when Stata allows none).
# Deliberately a plain literal: easy to audit and extend.
COMMANDS: dict[str, str] = {
    # prefixes and programming
    "quietly": "qui",
    "noisily": "n",
    "capture": "cap",
    "by": "by",
    "bysort": "bys",
    "version": "vers",
    "if": "if",
    "else": "else",
    "while": "while",
    "foreach": "foreach",
    "forvalues": "forv",
    "continue": "continue",
    "exit": "exit",
    "end": "end",
    "program": "pr",
    "local": "loc",
    "global": "gl",
    "macro": "ma",
    "tempfile": "tempfile",
    "tempname": "tempname",
    "tempvar": "tempvar",
    "scalar": "sca",
    "matrix": "mat",
    "mata": "mata",
    "python": "python",
    "java": "java",
    "javacall": "javacall",
    "plugin": "plugin",
    "return": "ret",
    "ereturn": "eret",
    "sreturn": "sret",
    "creturn": "cret",
    "confirm": "conf",
    "assert": "assert",
    "tokenize": "tokenize",
    "syntax": "syntax",
    "args": "args",
    "gettoken": "gettoken",
    "display": "di",
    "error": "error",
    "set": "set",
    "timer": "timer",
    "frame": "frame",
    "frames": "frames",
    "preserve": "preserve",
    "restore": "restore",
    "discard": "discard",
    "which": "which",
    "help": "h",
    "search": "search",
    "findit": "findit",
    "about": "about",
    "query": "q",
    # files, directories and the operating system
    "shell": "sh",
    "xshell": "xsh",
    "winexec": "winexec",
    "unix": "unix",
    "dos": "dos",
    "cd": "cd",
    "chdir": "chdir",
    "pwd": "pwd",
    "dir": "dir",
    "ls": "ls",
    "mkdir": "mkdir",
    "rmdir": "rmdir",
    "erase": "erase",
    "rm": "rm",
    "copy": "copy",
    "type": "type",
    "file": "file",
    "filefilter": "filefilter",
    "translate": "translate",
    "do": "do",
    "run": "run",
    "include": "include",
    "doedit": "doedit",
    "log": "log",
    "cmdlog": "cmdlog",
    "net": "net",
    "ssc": "ssc",
    "ado": "ado",
    "adopath": "adopath",
    "update": "update",
    # data in and out
    "use": "use",
    "save": "save",
    "saveold": "saveold",
    "sysuse": "sysuse",
    "webuse": "webuse",
    "import": "import",
    "export": "export",
    "insheet": "insh",
    "outsheet": "outs",
    "infile": "infile",
    "infix": "infix",
    "outfile": "outfile",
    "input": "inp",
    "putexcel": "putexcel",
    "putdocx": "putdocx",
    "putpdf": "putpdf",
    "postfile": "postfile",
    "post": "post",
    "postclose": "postclose",
    "append": "append",
    "merge": "merge",
    "joinby": "joinby",
    "clear": "clear",
    "describe": "d",
    "codebook": "codebook",
    "list": "l",
    "browse": "br",
    "edit": "ed",
    "count": "cou",
    "lookfor": "lookfor",
    "ds": "ds",
    "compress": "compress",
    # data management
    "generate": "g",
    "replace": "replace",
    "egen": "egen",
    "drop": "drop",
    "keep": "keep",
    "rename": "ren",
    "order": "order",
    "sort": "sort",
    "gsort": "gsort",
    "label": "la",
    "encode": "encode",
    "decode": "decode",
    "destring": "destring",
    "tostring": "tostring",
    "recode": "recode",
    "format": "form",
    "reshape": "reshape",
    "collapse": "collapse",
    "contract": "contract",
    "expand": "expand",
    "duplicates": "duplicates",
    "notes": "notes",
    "xtset": "xtset",
    "tsset": "tsset",
    "xi": "xi",
    # statistics
    "summarize": "su",
    "tabulate": "ta",
    "tab1": "tab1",
    "tab2": "tab2",
    "tabstat": "tabstat",
    "table": "table",
    "collect": "collect",
    "etable": "etable",
    "correlate": "cor",
    "pwcorr": "pwcorr",
    "mean": "mean",
    "regress": "reg",
    "logit": "logit",
    "logistic": "logistic",
    "probit": "probit",
    "anova": "an",
    "ivregress": "ivregress",
    "xtreg": "xtreg",
    "predict": "predict",
    "margins": "margins",
    "test": "test",
    "lincom": "lincom",
    "estimates": "est",
    "ttest": "ttest",
    "bootstrap": "bootstrap",
    "statsby": "statsby",
    "simulate": "simulate",
    # graphics
    "graph": "gr",
    "twoway": "tw",
    "scatter": "sc",
    "histogram": "hist",
    "line": "line",
}

# Commands that are not words.
_SYMBOLS = {"!": "shell"}


def _build_spellings(table: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling -> canonical name, resolving overlaps as :func:`resolve_command` documents."""
    spellings: dict[str, str] = {}
    for name, minimal in table.items():
        for k in range(len(minimal), len(name)):
            word = name[:k]
            other = spellings.get(word)
            if other is None or len(minimal) > len(table[other]):
                spellings[word] = name
    spellings.update({name: name for name in table})  # an exact name always wins
    return spellings


# Derived once from the literal table above: a constant lookup, so resolving a word is one dict access.
_SPELLINGS = _build_spellings(COMMANDS)


def resolve_command(word: str) -> str | None:
    """Return the canonical command that ``word`` names under Stata's abbreviation rule, or None.

    ``word`` resolves to ``C`` when it is a prefix of ``C`` at least as long as ``C``'s minimal abbreviation.
    An exact name always wins; among several candidates the one with the longest minimum wins ('sca' is
    scalar, minimum sca, not scatter, minimum sc). Unknown words (user-written commands, variables) give None.
    """
    return _SYMBOLS.get(word) or _SPELLINGS.get(word)


def abbreviations(name: str) -> Iterator[str]:
    """Every spelling Stata accepts for ``name``, shortest first."""
    minimal = COMMANDS[name]
    for k in range(len(minimal), len(name) + 1):
        yield name[:k]


def complete_command(prefix: str) -> list[str]:
    """Canonical command names starting with ``prefix`` (for tab completion), sorted."""
    return sorted(name for name in COMMANDS if name.startswith(prefix))
