"""stata-live: a Jupyter kernel for Stata that streams output while code runs."""

__version__ = "0.1.0"

KERNEL_NAME = "stata-live"
DISPLAY_NAME = "Stata (live)"
