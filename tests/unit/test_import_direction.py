"""Dependencies point one way: the bridge uses the kernel's Stata text tools (``stata_kernel.syntax``) and
nothing else of the kernel's, and those tools need nothing beyond the standard library.

Modules are found by walking the packages' folders, so a module added later is checked too. Each probe runs
in a fresh interpreter: what an import loads depends on what is already loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ("stata_kernel", "stata_kernel.syntax")  # what the bridge may load of the kernel's package

# Imports each module in turn and reports, per module, the modules its import loaded for the first time.
_PROBE = """
import importlib, json, sys
before = set(sys.modules)
loaded = {}
for name in sys.argv[1:]:
    importlib.import_module(name)
    now = set(sys.modules)
    loaded[name] = sorted(now - before)
    before = now
print(json.dumps(loaded))
"""


def _modules(package: str) -> list[str]:
    folder = ROOT / package.replace(".", "/")
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def _loaded_by(modules: list[str]) -> dict[str, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *modules], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    loaded: dict[str, list[str]] = json.loads(proc.stdout)
    return loaded


def _kernel_private(name: str) -> bool:
    return (name == "stata_kernel" or name.startswith("stata_kernel.")) and not (
        name in SHARED or name.startswith("stata_kernel.syntax.")
    )


def test_importing_any_bridge_module_loads_nothing_of_the_kernel_but_its_syntax_package() -> None:
    modules = _modules("mcp_bridge")
    assert "mcp_bridge.policy" in modules and "mcp_bridge.clients" in modules
    offenders = {name: bad for name, new in _loaded_by(modules).items() if (bad := [m for m in new
                                                                                 if _kernel_private(m)])}
    assert offenders == {}


def _is_module(name: str) -> bool:
    path = ROOT / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(node: ast.AST) -> list[str]:
    """Modules an import statement loads (``from pkg import name`` loads ``pkg.name`` when that is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module] + [f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")]
    return []


def test_no_bridge_module_imports_the_kernel_beyond_syntax_even_inside_a_function() -> None:
    # Lazy imports escape the import-time probe above; read every import statement instead.
    offenders = [
        f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {name}"
        for path in sorted((ROOT / "mcp_bridge").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for name in _imported(node)
        if _kernel_private(name)
    ]
    assert offenders == []


def test_importing_the_syntax_package_loads_only_the_standard_library() -> None:
    modules = _modules("stata_kernel.syntax")
    assert "stata_kernel.syntax.lexer" in modules
    stdlib = sys.stdlib_module_names
    outside = {
        name: bad
        for name, new in _loaded_by(modules).items()
        if (bad := [m for m in new if m.split(".")[0] not in stdlib and not (
            m == "stata_kernel" or m.startswith("stata_kernel.syntax"))])
    }
    assert outside == {}
