"""The floor for any kernel on this Stata: Stata's ``StataSO_Execute`` called directly on the shell thread,
no threads at all, the output buffer read once after it returns and published as one stream message.

Stata is found like stata_setup does it: ``$STATA_DIR/utilities`` on ``sys.path``, ``config.init``. It does
not use ``pystata.stata.run``, whose output thread costs 15–30 ms a call on every release (docs/real-stata.md):
that would make the floor slower than the kernels measured against it. Several lines run from a do-file.
"""

from __future__ import annotations

import os
import sys
import tempfile
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
    banner = "floor kernel (benchmark reference): StataSO_Execute called directly"

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
        self._tmp = tempfile.mkdtemp(prefix="bench-floor-")

    def do_execute(  # type: ignore[override]
        self, code: str, silent: bool, store_history: bool = True,
        user_expressions: dict[str, Any] | None = None, allow_stdin: bool = False, **kwargs: Any,
    ) -> dict[str, Any]:
        error: str | None = None
        stlib = self._config.stlib
        stlib.StataSO_ClearOutputBuffer()
        line = code.strip()
        if "\n" in line:
            path = os.path.join(self._tmp, "cell.do")
            with open(path, "w", encoding="utf-8") as f:
                f.write(line + "\n")
            line = f'include "{path}"'
        rc = stlib.StataSO_Execute(line.encode("utf-8"), False)
        text = self._config.get_output() or ""
        if rc:
            error = f"r({rc});"
        if text and not silent:
            self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": text})
        if error is not None:
            content = {"ename": "StataError", "evalue": error, "traceback": []}
            self.send_response(self.iopub_socket, "error", content)
            return {"status": "error", "execution_count": self.execution_count, **content}
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=FloorKernel)
