"""Protocol conformance (jupyter_kernel_test, schema-validated replies) of the notebook features:
completion, inspect, is_complete under tricky input, and stderr for a failed graph export."""

from __future__ import annotations

import unittest

from tests.kernel import test_conformance as base


class NotebookFeatureConformance(base.StataLiveKernelTests):
    """The base suite again (one kernel start), plus the samples below that it skips without them."""

    completion_samples = [
        {"text": "summa", "matches": {"summarize"}},
        {"text": "%brow", "matches": {"browse"}},
        {"text": "display $nosuchglobalprefix", "matches": set()},
    ]
    code_inspect_sample = "regress"
    code_page_something = "summarize?"
    code_stderr = "%set graph_format pdf\nsysuse auto, clear\nscatter price mpg"  # the simulator has no PDF
    complete_code_samples = [
        'display "{"', "display 1 // {", "/* a /* b */ c */", "%head 3", "%%noecho\ndisplay 1",
    ]
    incomplete_code_samples = [
        "/* a /* b */ c", "foreach v of varlist * {\n  display `v'", "%%quietly\nforvalues i = 1/2 {",
    ]
    invalid_code_samples = ["}", 'display "unterminated']


if __name__ == "__main__":
    unittest.main()
