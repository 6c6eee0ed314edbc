"""Pieces behind completion and %set that need no Stata: macro listings, path matches, setting parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from stata_kernel.completion import NameCache, complete, complete_path
from stata_kernel.engine.base import parse_macro_dir
from stata_kernel.settings import KernelSettings, SettingError

MACRO_DIR = """\
S_FN:        C:\\data\\auto.dta
longglobal:  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
             bbbbbbbbbbbbbbbbbbbbbb: not a name
_mylocal:    3
_i:          2
"""


def test_macro_dir_listing_gives_globals_and_locals_without_wrapped_lines():
    assert parse_macro_dir(MACRO_DIR) == (["S_FN", "longglobal"], ["mylocal", "i"])


def test_paths_complete_relative_to_the_given_working_directory(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "auto.dta").write_bytes(b"")
    (tmp_path / "data" / ".hidden").write_bytes(b"")
    assert complete_path("da", str(tmp_path)) == ["data/"]
    assert complete_path("data/", str(tmp_path)) == ["data/auto.dta"]
    assert complete_path("data/.h", str(tmp_path)) == ["data/.hidden"]


def test_a_missing_directory_completes_to_nothing(tmp_path: Path):
    assert complete_path("nope/x", str(tmp_path)) == []


def test_completion_uses_only_the_cache():
    names = NameCache(variables=["price", "pricey", "mpg"], globals=["g1"], locals=["l1"])
    assert complete("list pri", 8, "cr", names, []).matches == ["price", "pricey"]
    assert complete("di `l", 5, "cr", names, []).matches == ["l1'"]
    assert complete("di `l'", 5, "cr", names, []).matches == ["l1"]  # closing quote already there


def test_settings_accept_documented_values():
    s = KernelSettings()
    s.set("graph_width", "800")
    s.set("graph_height", "auto")
    s.set("graph_format", "svg")
    s.set("echo", "off")
    s.set("browse_rows", "50")
    assert (s.graph_width, s.graph_height, s.formats(), s.echo, s.browse_rows) == (800, 0, ("svg",), False, 50)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("graph_width", "10", "between 50 and 8000"),
    ("graph_format", "gif", "one of both, png, svg, pdf"),
    ("echo", "maybe", "on or off"),
    ("colour", "red", "unknown setting"),
])
def test_settings_refuse_bad_values_with_what_is_allowed(name, value, message):
    with pytest.raises(SettingError, match=message):
        KernelSettings().set(name, value)
