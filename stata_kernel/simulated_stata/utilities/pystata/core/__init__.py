"""pystata's internals, as in the real package (``pystata.core.stout``: the output thread)."""
