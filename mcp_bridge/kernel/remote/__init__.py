"""Kernels on a Jupyter Server (``--server-url``): REST for the kernel's life, a websocket for its messages.

The server owns the kernel process (locally, or on Kubernetes/YARN behind Enterprise Gateway); the
bridge only needs the URL and a token. One module per layer, top to bottom:

- ``kernel``: ``ServerKernel`` implements ``KernelConnection`` with the same run logic as local
  kernels (``local._ChannelKernel``): time limits, cancellation and breaks behave identically.
- ``channels``: ``WebsocketClient`` makes the ``/api/kernels/{id}/channels`` websocket look like the
  small part of ``AsyncKernelClient`` that ``jupyter.KernelChannels`` uses, so routing by parent
  ``msg_id`` and "a run ends at its own idle + reply" are the very same code as for local kernels.
  It reconnects after a drop and tells ``KernelChannels`` of runs whose end was lost.
- ``wire``: subprotocol ``v1.kernel.websocket.jupyter.org`` when the server offers it (binary frames:
  offsets table, channel name, then the message parts), else the legacy JSON text protocol.
- ``rest``: ``ServerAPI``, the REST client (``/api/kernels``), with errors worded for the user.
"""

from __future__ import annotations

from .channels import ConnectionLost, WebsocketClient
from .kernel import ServerKernel, ServerTarget, connect_server_kernel
from .rest import ServerAPI, ServerRefused
from .wire import MessageFactory, decode_legacy, decode_v1, encode_legacy, encode_v1

__all__ = [
    "ConnectionLost", "MessageFactory", "ServerAPI", "ServerKernel", "ServerRefused", "ServerTarget",
    "WebsocketClient", "connect_server_kernel", "decode_legacy", "decode_v1", "encode_legacy", "encode_v1",
]
