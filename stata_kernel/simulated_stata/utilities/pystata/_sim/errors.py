"""Control-flow exceptions of the simulated interpreter."""

from __future__ import annotations

# Stata's standard messages for common return codes (used by `error #` and `exit #`).
STANDARD_MESSAGES: dict[int, str] = {
    1: "--Break--",
    100: "varlist required",
    101: "varlist not allowed",
    102: "too few variables specified",
    103: "too many variables specified",
    104: "nothing to input",
    106: "variable is of the wrong type",
    107: "not possible with numeric variable",
    108: "not possible with string variable",
    109: "type mismatch",
    110: "already defined",
    111: "not found",
    119: "statement out of context",
    120: "invalid %format",
    121: "invalid numlist",
    123: "invalid numlist has too many elements",
    125: "invalid numlist has elements outside of allowed range",
    126: "invalid numlist has noninteger elements",
    130: "expression too long",
    132: "too few or too many quotes",
    133: "unknown function ()",
    170: "unable to chdir",
    190: "request may not be combined with by",
    197: "invalid syntax",
    198: "invalid syntax",
    199: "unrecognized command",
    301: "last estimates not found",
    459: "something that should be true of your data is not",
    498: "",
    601: "file not found",
    602: "file already exists",
    603: "file could not be opened",
    610: "file not Stata format",
    900: "no room to add more variables",
    2000: "no observations",
    2001: "insufficient observations",
    3000: "",
}


def standard_message(rc: int) -> str:
    return STANDARD_MESSAGES.get(rc, "")


class StataError(Exception):
    """A Stata error with its return code; the message is what Stata prints (may be empty)."""

    printed: bool = False  # set once the message has been written to the output stream

    def __init__(self, rc: int, message: str | None = None) -> None:
        self.rc = rc
        self.message = standard_message(rc) if message is None else message
        super().__init__(f"{self.message}\nr({rc});")


class BreakError(StataError):
    def __init__(self) -> None:
        super().__init__(1, "--Break--")


class ExitDo(Exception):
    """`exit` without arguments: leave the do-file quietly."""


class LoopControl(Exception):
    """`continue` / `continue, break` inside loops."""

    def __init__(self, brk: bool) -> None:
        super().__init__("continue")
        self.brk = brk
