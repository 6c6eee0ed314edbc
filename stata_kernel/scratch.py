"""A private temporary directory, made on first use and removed with its owner or at the kernel's exit.

The kernel writes multi-line cells as do-files and exports graphs to files for Stata; each of those
lives in one such directory. A kernel that never needs one (no Stata found, only one-line cells) leaves
nothing behind; a killed kernel (``SIGKILL``) cannot clean up, and its empty directory stays.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path


class ScratchDir:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix=self._prefix))
            # Runs when the owner is collected, or at interpreter exit (a normal kernel shutdown).
            weakref.finalize(self, shutil.rmtree, self._path, ignore_errors=True)
        return self._path
