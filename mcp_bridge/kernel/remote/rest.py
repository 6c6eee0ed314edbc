"""The Jupyter Server REST API for kernels (``/api/kernels``), with errors worded for the user."""

from __future__ import annotations

import contextlib
import ssl
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import KernelUnavailable

REST_TIMEOUT = 30.0
# Restarting a kernel waits for its kernel_info reply on the server; Stata may take a while to load.
RESTART_TIMEOUT = 120.0


class ServerRefused(KernelUnavailable):
    """The server answered a REST request with an HTTP error (``status``) other than a bad token."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ServerAPI:
    """The Jupyter Server REST API for kernels, with failures turned into ``KernelUnavailable``."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._http: httpx.AsyncClient | None = None  # made on first use: no side effects when built
        self._tls: ssl.SSLContext | None = None

    @property
    def tls(self) -> ssl.SSLContext:
        """One TLS setup for REST and websocket: the system's CAs (``SSL_CERT_FILE`` honoured)."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def get_kernel(self, kernel_id: str) -> dict[str, Any] | None:
        """The kernel's model (``execution_state``, ``connections``...), or None when it is gone."""
        response = await self._request("GET", f"/api/kernels/{quote(kernel_id)}", missing_ok=True)
        return None if response is None else dict(response.json())

    async def start_kernel(self, kernel_name: str) -> dict[str, Any]:
        try:
            response = await self._request("POST", "/api/kernels", json={"name": kernel_name}, missing_ok=True)
        except ServerRefused as exc:
            # Kernel Gateway answers an unknown kernelspec with HTTP 500 ("Unknown server error"), not 404.
            names = await self._spec_names() if exc.status == 500 else None
            if names is not None and kernel_name not in names:
                raise KernelUnavailable(await self._no_such_spec(kernel_name)) from exc
            raise
        if response is None:
            raise KernelUnavailable(await self._no_such_spec(kernel_name))
        return dict(response.json())

    async def interrupt(self, kernel_id: str) -> None:
        await self._request("POST", f"/api/kernels/{quote(kernel_id)}/interrupt")

    async def restart(self, kernel_id: str) -> None:
        await self._request("POST", f"/api/kernels/{quote(kernel_id)}/restart", timeout=RESTART_TIMEOUT)

    async def delete(self, kernel_id: str) -> None:
        await self._request("DELETE", f"/api/kernels/{quote(kernel_id)}", missing_ok=True)

    async def kernel_ids(self) -> list[str] | None:
        """The running kernels' ids, or None when the server will not list them.

        Kernel Gateway refuses ``GET /api/kernels`` with 403 unless started with
        ``--JupyterWebsocketPersonality.list_kernels=True``. Only called once a request with the same
        token succeeded, so a 403 here is that refusal, not a bad token.
        """
        response = await self._request("GET", "/api/kernels", refused_ok=True)
        if response is None:
            return None
        return [str(model.get("id")) for model in response.json()]

    async def _spec_names(self) -> list[str] | None:
        with contextlib.suppress(Exception):
            response = await self._request("GET", "/api/kernelspecs")
            assert response is not None
            return sorted((response.json().get("kernelspecs") or {}).keys())
        return None

    async def _no_such_spec(self, kernel_name: str) -> str:
        text = f"The Jupyter Server at {self.url} has no kernelspec named {kernel_name!r}"
        names = await self._spec_names()
        if names is not None:
            text += f" (it has: {', '.join(names) or 'none'})"
        return text + ". Install it there (`python -m stata_kernel install`) or pick one with --kernel-name."

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        missing_ok: bool = False,
        refused_ok: bool = False,
        timeout: float = REST_TIMEOUT,
    ) -> httpx.Response | None:
        """One REST call; None for a 404 with ``missing_ok`` or a 403 with ``refused_ok``."""
        if self._http is None:
            # No proxy from the environment: the websocket (tornado) cannot use one, and both must
            # reach the same server the same way.
            self._http = httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=REST_TIMEOUT,
                                           verify=self.tls, trust_env=False)
        try:
            try:
                response = await self._http.request(method, path, json=json, timeout=timeout)
            except (httpx.ConnectError, httpx.RemoteProtocolError):
                # Once more on a fresh connection: a pooled keep-alive one may have died with the
                # network (the websocket reconnects the same way). A refused connect never ran.
                response = await self._http.request(method, path, json=json, timeout=timeout)
        except httpx.TimeoutException as exc:
            raise KernelUnavailable(
                f"The Jupyter Server at {self.url} did not answer {method} {path} in time."
            ) from exc
        except httpx.HTTPError as exc:
            raise KernelUnavailable(f"Cannot reach the Jupyter Server at {self.url}: {exc}") from exc
        if response.status_code == 403 and refused_ok:
            return None
        if response.status_code == 403 and _server_message(response) == "Resource Limit":
            raise ServerRefused(
                f"The Jupyter Server at {self.url} refused {method} {path}: HTTP 403 Resource Limit (a Kernel "
                "Gateway running as many kernels as its --KernelGatewayApp.max_kernels allows). Shut one down "
                "there or raise the limit.",
                403,
            )
        if response.status_code in (401, 403):
            raise KernelUnavailable(self.auth_failure(response.status_code))
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise ServerRefused(
                f"The Jupyter Server at {self.url} refused {method} {path}: HTTP {response.status_code} "
                f"{_server_message(response)}".rstrip(),
                response.status_code,
            )
        return response

    def auth_failure(self, status: int) -> str:
        given = "the token given was not accepted" if self.token else "no token was given"
        return (
            f"The Jupyter Server at {self.url} refused the request (HTTP {status}): {given}. Pass the "
            "server's token with --token or the JUPYTER_TOKEN environment variable."
        )


def _server_message(response: httpx.Response) -> str:
    with contextlib.suppress(Exception):
        body = response.json()
        return str(body.get("message") or body.get("reason") or "")
    return ""
