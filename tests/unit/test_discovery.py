"""Finding Stata: option, environment, config file, default locations, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from stata_kernel.discovery import detect_edition, find_stata
from stata_kernel.errors import StataNotFound


def make_stata(root: Path, *executables: str) -> Path:
    (root / "utilities" / "pystata").mkdir(parents=True)
    for name in executables:
        (root / name).write_text("#!/bin/sh\n")
    return root


def test_option_wins_over_environment(tmp_path):
    a = make_stata(tmp_path / "a", "stata-se")
    b = make_stata(tmp_path / "b", "stata-mp")
    found = find_stata(str(a), env={"STATA_DIR": str(b)}, config_files=[], defaults=[])
    assert (found.stata_dir, found.edition, found.source) == (a, "se", "--stata-dir option")


def test_environment_directory_and_edition(tmp_path):
    a = make_stata(tmp_path / "a", "stata-mp", "stata-se")
    found = find_stata(env={"STATA_DIR": str(a), "STATA_EDITION": "se"}, config_files=[], defaults=[])
    assert (found.stata_dir, found.edition) == (a, "se")


def test_edition_detected_from_executables_preferring_mp(tmp_path):
    assert detect_edition(make_stata(tmp_path / "mp", "stata", "stata-se", "stata-mp")) == "mp"
    assert detect_edition(make_stata(tmp_path / "se", "stata", "stata-se")) == "se"
    assert detect_edition(make_stata(tmp_path / "be", "stata")) == "be"
    assert detect_edition(make_stata(tmp_path / "win", "StataSE-64.exe")) == "se"


def test_config_file_is_read_after_the_environment(tmp_path):
    a = make_stata(tmp_path / "a", "stata")
    conf = tmp_path / "stata-live.conf"
    conf.write_text(f"[stata]\ndir = {a}\nedition = be\n")
    found = find_stata(env={}, config_files=[conf], defaults=[])
    assert (found.stata_dir, found.edition) == (a, "be")
    assert str(conf) in found.source


def test_default_locations_are_tried_last(tmp_path):
    a = make_stata(tmp_path / "usr-local-stata18", "stata-mp")
    found = find_stata(env={}, config_files=[tmp_path / "missing.conf"], defaults=[tmp_path / "nope", a])
    assert found.stata_dir == a and found.source == "default location"


def test_not_found_lists_every_place_searched(tmp_path):
    with pytest.raises(StataNotFound) as info:
        find_stata(env={"STATA_DIR": str(tmp_path / "gone")}, config_files=[tmp_path / "x.conf"],
                   defaults=[tmp_path / "d1", tmp_path / "d2"])
    text = str(info.value)
    for needle in ("--stata-dir option", "STATA_DIR", "gone", "x.conf", "d1", "d2"):
        assert needle in text


def test_directory_without_pystata_is_rejected(tmp_path):
    (tmp_path / "fake").mkdir()
    with pytest.raises(StataNotFound, match="no utilities/pystata"):
        find_stata(str(tmp_path / "fake"), env={}, config_files=[], defaults=[])


def test_unknown_edition_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="mp, se, be"):
        find_stata(str(tmp_path), "ultra", env={}, config_files=[], defaults=[])
