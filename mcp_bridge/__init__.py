"""MCP bridge: lets AI agents run Stata through a stata-live kernel and watch its output live.

Data path: MCP client -> ``server`` (tools in ``tools/``) -> ``kernel`` (Jupyter protocol) -> Stata,
and back: iopub events -> ``kernel`` events -> ``relay`` (progress notifications) -> MCP client.
"""

from stata_kernel import __version__

__all__ = ["__version__"]
