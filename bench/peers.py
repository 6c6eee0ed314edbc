"""The kernels compared: ours, nbstata and pystata-kernel from PyPI (own venvs), echo and floor.

Each peer gets a venv under ``.bench/`` with the pins it needs and its own config file pointing at
the simulated Stata, so it imports pystata exactly as with a real Stata. ``HOME`` and
``XDG_CONFIG_HOME`` point at a scratch directory so a developer's own configs cannot interfere.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .kernelclient import KernelDef
from .paths import BENCH, PYTHON, SCRATCH


@dataclass(frozen=True)
class PeerVenv:
    name: str
    pins: tuple[str, ...]
    module: str  # python -m MODULE -f CONN
    config_name: str  # file under <venv>/etc/
    config_text: str  # with {stata_dir} and {edition}

    @property
    def root(self) -> Path:
        return SCRATCH / self.name

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"


NBSTATA = PeerVenv(
    name="nbstata",
    pins=("nbstata==0.8.7",),
    module="nbstata",
    config_name="nbstata.conf",
    config_text="[nbstata]\nstata_dir = {stata_dir}\nedition = {edition}\necho = False\n",
)
PYSTATA_KERNEL = PeerVenv(
    name="pystata-kernel",
    # 0.3.2 breaks on numpy 2; it imports pkg_resources (setuptools < 81).
    pins=("pystata-kernel==0.3.2", "numpy<2", "setuptools<81", "stata_setup==0.1.3"),
    module="pystata-kernel",
    config_name="pystata-kernel.conf",
    config_text="[pystata-kernel]\nstata_dir = {stata_dir}\nedition = {edition}\ngraph_format = png\n"
    "echo = False\nsplash = False\n",
)
PEERS = (NBSTATA, PYSTATA_KERNEL)


def _site_packages(venv: PeerVenv) -> Path:
    found = sorted((venv.root / "lib").glob("python3*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages in {venv.root}")
    return found[0]


def simulator_needs_config_shim(stata_dir: str) -> bool:
    """Stata's pystata ``__init__`` imports ``config``; the simulator's may not (peers rely on it)."""
    init = Path(stata_dir, "utilities", "pystata", "__init__.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(init)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "config" for a in node.names):
            return False
    return True


def ensure_venv(venv: PeerVenv, stata_dir: str, edition: str, log: Path) -> None:
    """Create/refresh the venv when its pins changed; (re)write its config file every time."""
    marker = venv.root / ".bench-pins"
    wanted = "\n".join(venv.pins)
    if not (marker.exists() and marker.read_text() == wanted and venv.python.exists()):
        if venv.root.exists():
            shutil.rmtree(venv.root)
        with log.open("a") as out:
            subprocess.run([PYTHON, "-m", "venv", str(venv.root)], check=True, stdout=out, stderr=out)
            subprocess.run([str(venv.python), "-m", "pip", "install", "-q", *venv.pins],
                           check=True, stdout=out, stderr=out)
        marker.write_text(wanted)
    etc = venv.root / "etc"
    etc.mkdir(exist_ok=True)
    (etc / venv.config_name).write_text(venv.config_text.format(stata_dir=stata_dir, edition=edition))
    site = _site_packages(venv)
    shim = site / "bench_pystata_compat.py"
    pth = site / "bench_pystata_compat.pth"
    if simulator_needs_config_shim(stata_dir):
        shutil.copyfile(BENCH / "baselines" / "pystata_compat.py", shim)
        pth.write_text("import bench_pystata_compat\n")
    else:
        shim.unlink(missing_ok=True)
        pth.unlink(missing_ok=True)


def isolated_home() -> dict[str, str]:
    home = SCRATCH / "home"
    (home / ".config").mkdir(parents=True, exist_ok=True)
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}


def ours() -> KernelDef:
    return KernelDef("bench-stata-live", "stata-live (this project)",
                     [PYTHON, "-m", "stata_kernel", "-f", "{connection_file}"], interrupt_mode="message")


def peer(venv: PeerVenv, label: str) -> KernelDef:
    return KernelDef(f"bench-{venv.name}", label, [str(venv.python), "-m", venv.module, "-f", "{connection_file}"],
                     env=isolated_home())


def echo() -> KernelDef:
    return KernelDef("bench-echo", "ipykernel echo (no Stata)",
                     [PYTHON, str(BENCH / "baselines" / "echo_kernel.py"), "-f", "{connection_file}"])


def floor() -> KernelDef:
    return KernelDef("bench-floor", "floor: StataSO_Execute directly, no threads",
                     [PYTHON, str(BENCH / "baselines" / "floor_kernel.py"), "-f", "{connection_file}"])
