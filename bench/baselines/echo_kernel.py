"""A bare ipykernel kernel that only echoes the code: the cost of the Jupyter machinery alone."""

from __future__ import annotations

from typing import Any

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel


class EchoKernel(Kernel):
    implementation = "bench-echo"
    implementation_version = "1.0"
    language = "stata"
    language_version = ""
    language_info = {"name": "stata", "mimetype": "text/plain", "file_extension": ".do"}
    banner = "echo kernel (benchmark reference, no Stata)"

    def do_execute(  # type: ignore[override]
        self, code: str, silent: bool, store_history: bool = True,
        user_expressions: dict[str, Any] | None = None, allow_stdin: bool = False, **kwargs: Any,
    ) -> dict[str, Any]:
        if not silent:
            self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": code + "\n"})
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=EchoKernel)
