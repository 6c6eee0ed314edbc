"""Finding a Stata installation.

Lookup order (docs/architecture.md, "Finding Stata"): the kernel's command-line option, then the
environment (``STATA_DIR``, ``STATA_EDITION``), then a config file, then the usual install locations of
the platform. Every place looked at is recorded so that "not found" can name them all. The simulated Stata
shipped with this package is never used unless one of these points at it.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import StataNotFound

EDITIONS = ("mp", "se", "be")

# Executable names per edition, per platform; the first edition whose executable exists wins (mp > se > be).
_EXECUTABLES: dict[str, tuple[str, ...]] = {
    "mp": ("stata-mp", "StataMP-64.exe", "StataMP.exe", "StataMP.app", "xstata-mp"),
    "se": ("stata-se", "StataSE-64.exe", "StataSE.exe", "StataSE.app", "xstata-se"),
    "be": ("stata", "StataBE-64.exe", "StataBE.exe", "StataBE.app", "Stata-64.exe", "Stata.app", "xstata"),
}


@dataclass(frozen=True)
class StataInstallation:
    """A Stata directory (the one holding ``utilities/pystata``) and the edition to start."""

    stata_dir: Path
    edition: str
    source: str  # where it was found: "option", "environment", "config file ...", "default location"

    @property
    def utilities(self) -> Path:
        return self.stata_dir / "utilities"

    @property
    def simulated(self) -> bool:
        return (self.stata_dir / "SIMULATED.txt").is_file()


def config_file_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """Config files, most specific first: ``$STATA_LIVE_CONFIG``, the user's, then the environment's."""
    env = os.environ if env is None else env
    paths: list[Path] = []
    if env.get("STATA_LIVE_CONFIG"):
        paths.append(Path(env["STATA_LIVE_CONFIG"]).expanduser())
    if sys.platform == "win32":
        base = env.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        paths.append(Path(base) / "stata-live" / "stata-live.conf")
    else:
        base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        paths.append(Path(base) / "stata-live" / "stata-live.conf")
    paths.append(Path(sys.prefix) / "etc" / "stata-live.conf")
    return paths


def default_locations(platform: str | None = None) -> list[Path]:
    """Where Stata is usually installed, newest versions first."""
    platform = platform or sys.platform
    versions = ("19", "18", "17", "")
    if platform == "win32":
        roots = [Path(os.environ.get("PROGRAMFILES", r"C:\Program Files"))]
        roots.append(Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")))
        names = [f"Stata{v}" for v in versions] + ["StataNow"]
        return [root / name for root in roots for name in names]
    if platform == "darwin":
        return [Path("/Applications/StataNow"), Path("/Applications/Stata")] + [
            Path(f"/Applications/Stata{v}") for v in versions if v
        ]
    dirs = [Path(f"/usr/local/stata{v}") for v in versions] + [Path("/usr/local/statanow")]
    dirs += [Path(f"/opt/stata{v}") for v in versions]
    return dirs


def detect_edition(stata_dir: Path) -> str | None:
    """The best edition whose executable is present (mp > se > be), or None."""
    for edition in EDITIONS:
        if any((stata_dir / name).exists() for name in _EXECUTABLES[edition]):
            return edition
    return None


def _normalise_edition(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    edition = value.strip().lower()
    if edition in ("ic", "stata"):  # older names of BE
        edition = "be"
    if edition not in EDITIONS:
        raise ValueError(f"unknown Stata edition {value!r}: use one of mp, se, be")
    return edition


def _read_config(path: Path) -> tuple[str | None, str | None]:
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None, None
    section = parser["stata"] if parser.has_section("stata") else None
    if section is None:
        return None, None
    return section.get("dir"), section.get("edition")


def _candidate(path: str | Path) -> Path:
    return Path(path).expanduser()


def _is_stata_dir(path: Path) -> bool:
    return (path / "utilities" / "pystata").is_dir()


def find_stata(
    stata_dir: str | None = None,
    edition: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_files: Iterable[Path] | None = None,
    defaults: Iterable[Path] | None = None,
) -> StataInstallation:
    """Locate Stata; raise :class:`StataNotFound` naming every place searched."""
    env = os.environ if env is None else env
    searched: list[str] = []
    edition = _normalise_edition(edition)
    env_edition = _normalise_edition(env.get("STATA_EDITION"))

    def accept(path: Path, source: str, wanted: str | None) -> StataInstallation | None:
        if not _is_stata_dir(path):
            searched.append(f"{path} ({source}): no utilities/pystata there")
            return None
        chosen = wanted or detect_edition(path)
        if chosen is None:
            searched.append(f"{path} ({source}): no stata-mp, stata-se or stata executable to tell the edition")
            return None
        return StataInstallation(path, chosen, source)

    if stata_dir:
        found = accept(_candidate(stata_dir), "--stata-dir option", edition or env_edition)
        if found:
            return found
    else:
        searched.append("--stata-dir option: not given")

    if env.get("STATA_DIR"):
        found = accept(_candidate(env["STATA_DIR"]), "STATA_DIR environment variable", edition or env_edition)
        if found:
            return found
    else:
        searched.append("STATA_DIR environment variable: not set")

    for path in config_file_paths(env) if config_files is None else config_files:
        if not path.is_file():
            searched.append(f"config file {path}: does not exist")
            continue
        conf_dir, conf_edition = _read_config(path)
        if not conf_dir:
            searched.append(f"config file {path}: no 'dir' in a [stata] section")
            continue
        found = accept(_candidate(conf_dir), f"config file {path}", edition or env_edition or
                       _normalise_edition(conf_edition))
        if found:
            return found

    for path in default_locations() if defaults is None else defaults:
        if path.is_dir():
            found = accept(path, "default location", edition or env_edition)
            if found:
                return found
        else:
            searched.append(f"{path} (default location): does not exist")

    raise StataNotFound(searched)
