"""Remote-kernel tests: a real ``jupyter server`` with the stata-live kernelspec, bridges over MCP.

The bridge processes get no ``STATA_DIR`` and no local kernelspec: everything Stata lives behind
the server, as on a department machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bridge.helpers import simulator_env

from .servers import JupyterServer, KernelGateway

TOKEN = "remote-test-token"
GATEWAY_TOKEN = "gateway-test-token"
# Raised so that a flood reaches the bridge whole (see docs/deployment.md).
NO_RATE_LIMIT = "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1e10"
# The server notices a dead kernel (and restarts it) within this many seconds (default 3).
QUICK_RESTARTER = "--KernelRestarter.time_to_dead=0.5"


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory, sim_dir: str) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("server"), sim_dir, TOKEN, NO_RATE_LIMIT, QUICK_RESTARTER)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kernel_gateway(tmp_path_factory: pytest.TempPathFactory, sim_dir: str) -> Iterator[KernelGateway]:
    """``jupyter kernelgateway`` 3.x with its defaults (kernels are not listed), the output rate limit raised."""
    gateway = KernelGateway(tmp_path_factory.mktemp("gateway"), sim_dir, GATEWAY_TOKEN, NO_RATE_LIMIT)
    try:
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture(scope="session")
def remote_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The bridge's environment: no Stata, no kernelspec, no Jupyter token in the environment."""
    env = {k: v for k, v in simulator_env().items() if not k.startswith(("STATA_", "JUPYTER"))}
    env["JUPYTER_PATH"] = str(tmp_path_factory.mktemp("empty-jupyter-path"))
    env["HOME"] = str(tmp_path_factory.mktemp("bridge-home"))
    return env


@pytest.fixture
def server_kernel(jupyter_server: JupyterServer) -> Iterator[str]:
    """A kernel the test starts on the server (as a notebook would); shut down afterwards."""
    with jupyter_server.kernel() as kernel_id:
        yield kernel_id


@pytest.fixture
def gateway_kernel(kernel_gateway: KernelGateway) -> Iterator[str]:
    """A kernel started on the gateway by someone else (another tool, a notebook)."""
    with kernel_gateway.kernel() as kernel_id:
        yield kernel_id


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    return tmp_path
