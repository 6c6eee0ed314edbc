"""Two import side effects of Stata's own pystata that the simulated one lacks (peers rely on both).

1. Stata's ``pystata/__init__.py`` ends with ``from . import config``: nbstata and pystata-kernel call
   ``pystata.config.init`` right after ``import pystata``.
2. Stata's ``config.init`` imports ``pystata.ipython.stpymagic``, which imports ``pystata.stata``; so
   after init ``pystata.stata`` is an attribute, and nbstata calls ``pystata.stata.run`` on that basis.

Installed (with a ``.pth`` line) only into the peer kernels' venvs under ``.bench/``, and only while the
simulated ``__init__`` lacks the config import. Nothing else changes.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any


class _LoadConfigToo(importlib.abc.Loader):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        if hasattr(module, "config"):
            return
        config = importlib.import_module("pystata.config")
        module.config = config  # type: ignore[attr-defined]
        init = getattr(config, "init")  # noqa: B009 - a module attribute replaced below

        def init_then_import_stata(*args: Any, **kwargs: Any) -> None:
            init(*args, **kwargs)
            importlib.import_module("pystata.stata")

        setattr(config, "init", init_then_import_stata)  # noqa: B010


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name != "pystata":
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None:
                spec.loader = _LoadConfigToo(spec.loader)
                return spec
        return None


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


install()
