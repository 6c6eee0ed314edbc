"""Side-by-side benchmarks of stata-live against the alternatives, on the simulated Stata.

Run ``python -m bench`` (``--smoke`` for the quick check, ``--only SECTION`` for one section).
"""
