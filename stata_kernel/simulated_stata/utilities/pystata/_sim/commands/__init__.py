"""Command implementations, one module per area; each exposes ``register(registry)``."""
