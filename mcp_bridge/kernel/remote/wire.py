"""The kernel websocket's wire formats: ``v1.kernel.websocket.jupyter.org`` binary frames and the legacy
JSON text protocol, and the message dicts both carry (``session.msg`` of jupyter_client, unsigned: the
server signs)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
PROTOCOL_VERSION = "5.3"


def encode_v1(channel: str, msg: Mapping[str, Any]) -> bytes:
    """One message as a ``v1.kernel.websocket.jupyter.org`` binary frame.

    Layout (all integers 64-bit little-endian): the number of offsets, the offsets (from the start
    of the frame) of the channel name, header, parent header, metadata, content and each buffer, then
    an end offset; then those parts back to back. The server adds the HMAC signature itself.
    """
    parts = [
        json.dumps(msg.get(key) or {}, default=str).encode()
        for key in ("header", "parent_header", "metadata", "content")
    ]
    parts += [bytes(buf) for buf in msg.get("buffers") or []]
    chunks = [channel.encode(), *parts]
    count = len(chunks) + 1  # one offset per chunk plus the end offset
    offsets = [8 * (1 + count)]
    for chunk in chunks:
        offsets.append(offsets[-1] + len(chunk))
    head = b"".join(n.to_bytes(8, "little") for n in (count, *offsets))
    return head + b"".join(chunks)


def decode_v1(frame: bytes) -> tuple[str, dict[str, Any]]:
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    chunks = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    channel = chunks[0].decode()
    header, parent, metadata, content = (json.loads(chunk or b"{}") for chunk in chunks[1:5])
    return channel, _message(header, parent, metadata, content, [bytes(b) for b in chunks[5:]])


def encode_legacy(channel: str, msg: Mapping[str, Any]) -> str:
    """The legacy protocol: the message as JSON text with a ``channel`` key (no buffers sent)."""
    body = {key: msg.get(key) or {} for key in ("header", "parent_header", "metadata", "content")}
    body["channel"] = channel
    body["buffers"] = []
    return json.dumps(body, default=str)


def decode_legacy(frame: str | bytes) -> tuple[str, dict[str, Any]]:
    if isinstance(frame, bytes):  # a message with buffers: offsets table (32-bit big-endian), JSON first
        count = int.from_bytes(frame[:4], "big")
        offsets = [int.from_bytes(frame[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(count)]
        offsets.append(len(frame))
        body = json.loads(frame[offsets[0] : offsets[1]])
        buffers = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    else:
        body = json.loads(frame)
        buffers = []
    channel = str(body.get("channel") or "shell")
    return channel, _message(
        body.get("header") or {}, body.get("parent_header") or {}, body.get("metadata") or {},
        body.get("content") or {}, buffers,
    )


def _message(
    header: dict[str, Any], parent: dict[str, Any], metadata: dict[str, Any], content: dict[str, Any],
    buffers: list[bytes],
) -> dict[str, Any]:
    return {
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": buffers,
        "msg_id": header.get("msg_id", ""),
        "msg_type": header.get("msg_type", ""),
    }


class MessageFactory:
    """Builds message dicts (``session.msg`` of jupyter_client); signing is the server's job."""

    def __init__(self, session: str) -> None:
        self.session = session

    def msg(
        self, msg_type: str, content: dict[str, Any] | None = None, parent: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "stata-live-mcp",
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": PROTOCOL_VERSION,
        }
        parent_header = dict(parent.get("header") or {}) if parent else {}
        return _message(header, parent_header, {}, dict(content or {}), [])


# --- the websocket as a kernel client ----------------------------------------------------------
