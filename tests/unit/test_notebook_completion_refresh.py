"""Which cells make the kernel reread names for completion afterwards."""

from __future__ import annotations

import pytest

from stata_kernel.completion import cannot_change_names


@pytest.mark.parametrize("code", ["display 1", "di 1\nsleep 10", "quietly summarize price", "list in 1/3", ""])
def test_read_only_cells_need_no_refresh(code):
    assert cannot_change_names(code)


@pytest.mark.parametrize("code", ["generate x = 1", "display 1\ncd /tmp", "sysuse auto", "local a 1",
                                  "forvalues i = 1/2 {\n display 1\n}", "my_program 1", "drop price"])
def test_cells_that_may_change_names_are_refreshed(code):
    assert not cannot_change_names(code)
