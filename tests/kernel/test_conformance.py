"""Jupyter protocol conformance through jupyter_kernel_test (real ZMQ, message schema validation)."""

from __future__ import annotations

import os
import tempfile
import unittest
from pathlib import Path

import jupyter_kernel_test

from tests import harness


class StataLiveKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = harness.TEST_KERNEL_NAME
    language_name = "stata"
    file_extension = ".do"

    code_hello_world = 'display "hello, world"'
    code_generate_error = "this_is_not_a_stata_command"
    code_display_data = [
        {"code": "sysuse auto, clear\nscatter price mpg", "mime": "image/png"},
        {"code": "sysuse auto, clear\nhistogram mpg", "mime": "image/svg+xml"},
    ]
    complete_code_samples = ["display 1", "forvalues i = 1/3 {\n display `i'\n}", "* a comment"]
    incomplete_code_samples = ["forvalues i = 1/3 {", "display 1 ///", "/* open comment"]

    _saved_env: dict[str, str | None]
    _tmp: tempfile.TemporaryDirectory[str]

    @classmethod
    def setUpClass(cls) -> None:
        cls._tmp = tempfile.TemporaryDirectory()
        root = Path(cls._tmp.name)
        harness.write_kernelspec(root)
        overrides = harness.kernel_env(harness.simulator_dir(), root)
        overrides["JUPYTER_PATH"] = str(root)
        cls._saved_env = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "STATA_DIR", "HOME", "XDG_CONFIG_HOME")}
        for key in cls._saved_env:
            if key in overrides:
                os.environ[key] = overrides[key]
        super().setUpClass()

    def test_error(self) -> None:
        """Like the base test, except that Stata also writes its error message to the output stream
        (real pystata does): exactly one ``error`` message, any number of ``stream`` messages."""
        reply, output_msgs = self.execute_helper(code=self.code_generate_error)
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in output_msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        others = {m["msg_type"] for m in output_msgs} - {"error", "stream"}
        self.assertEqual(others, set())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        for key, value in cls._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        cls._tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
