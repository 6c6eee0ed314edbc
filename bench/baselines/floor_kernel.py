"""The floor for any kernel on this Stata: pystata called directly on the shell thread, no threads of
its own, output collected and published as one stream message after ``run`` returns (plus the tail).

Stata is found like stata_setup does it: ``$STATA_DIR/utilities`` on ``sys.path``, ``config.init``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ipykernel.kernelapp import IPKernelApp
from ipykernel.kernelbase import Kernel


class _Collect:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


class FloorKernel(Kernel):
    implementation = "bench-floor"
    implementation_version = "1.0"
    language = "stata"
    language_version = ""
    language_info = {"name": "stata", "mimetype": "text/x-stata", "file_extension": ".do"}
    banner = "floor kernel (benchmark reference): pystata called directly"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        sys.path.append(os.path.join(os.environ["STATA_DIR"], "utilities"))
        from pystata import config

        config.init(os.environ.get("STATA_EDITION", "mp"), splash=False)
        from pystata import stata

        self._config = config
        self._stata = stata
        self._out = _Collect()
        config.stoutputf = self._out

    def do_execute(  # type: ignore[override]
        self, code: str, silent: bool, store_history: bool = True,
        user_expressions: dict[str, Any] | None = None, allow_stdin: bool = False, **kwargs: Any,
    ) -> dict[str, Any]:
        error: SystemError | None = None
        try:
            self._stata.run(code)
        except SystemError as exc:
            error = exc
        text = self._out.take() + (self._config.get_output() or "")
        if text and not silent:
            self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": text})
        if error is not None:
            content = {"ename": "StataError", "evalue": str(error), "traceback": []}
            self.send_response(self.iopub_socket, "error", content)
            return {"status": "error", "execution_count": self.execution_count, **content}
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=FloorKernel)
