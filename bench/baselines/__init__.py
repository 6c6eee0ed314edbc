"""Reference implementations measured next to stata-live: floor and echo kernels, the seed MCP server."""
