"""The websocket framings, checked against Jupyter Server's own (de)serializers, and end to end on a
server that only speaks the legacy JSON protocol and keeps its default output rate limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from mcp_bridge.kernel.remote import MessageFactory, decode_legacy, decode_v1, encode_legacy, encode_v1
from tests.bridge.helpers import ProgressLog, stdio_client, text_of

from .conftest import TOKEN
from .servers import JupyterServer


def sample() -> dict:
    msg = MessageFactory("s1").msg("execute_request", {"code": 'display "é"', "silent": False})
    msg["parent_header"] = {"msg_id": "p1"}
    return msg


def test_v1_frames_are_read_by_the_server_as_sent() -> None:
    msg = sample()
    channel, parts = deserialize_msg_from_ws_v1(encode_v1("shell", msg))
    assert channel == "shell"
    assert [json.loads(p) for p in parts[:4]] == [msg["header"], msg["parent_header"], {}, msg["content"]]


def test_v1_frames_from_the_server_are_decoded_with_their_buffers() -> None:
    msg = sample()
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    frame = serialize_msg_to_ws_v1([*parts, b"\x00buffer"], "iopub")
    channel, decoded = decode_v1(frame)
    assert channel == "iopub"
    assert decoded["header"] == msg["header"] and decoded["content"] == msg["content"]
    assert decoded["parent_header"]["msg_id"] == "p1" and decoded["buffers"] == [b"\x00buffer"]


def test_legacy_text_and_binary_messages_round_trip() -> None:
    msg = sample()
    channel, decoded = decode_legacy(encode_legacy("control", msg))
    assert channel == "control" and decoded["content"] == msg["content"]
    binary = serialize_binary_message({**msg, "channel": "iopub", "buffers": [b"abc"]})
    channel, decoded = decode_legacy(binary)
    assert channel == "iopub" and decoded["buffers"] == [b"abc"]
    assert deserialize_binary_message(binary)["content"] == decoded["content"]


@pytest.fixture(scope="module")
def legacy_server(tmp_path_factory: pytest.TempPathFactory, sim_dir: str) -> Iterator[JupyterServer]:
    """Legacy JSON protocol only (as some gateways), default iopub rate limits."""
    server = JupyterServer(Path(tmp_path_factory.mktemp("legacy")), sim_dir, TOKEN,
                           "--ZMQChannelsWebsocketConnection.kernel_ws_protocol=")
    try:
        yield server
    finally:
        server.stop()


async def test_runs_stream_and_fail_the_same_over_the_legacy_protocol(
    legacy_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    args = ("--server-url", legacy_server.url, "--token", TOKEN)
    async with stdio_client(*args, env=remote_env) as client:
        progress = ProgressLog()
        result = await client.call_tool(
            "stata_run", {"code": 'display "one"\nsleep 300\ndisplay "two"'}, progress_callback=progress
        )
        failed = await client.call_tool("stata_run", {"code": "this_is_not_a_command"})
    assert not result.is_error and "one" in progress.text and "two" in progress.text
    assert progress.time_of("one\n") < progress.time_of("two\n")
    assert failed.is_error and failed.structured_content["rc"] == 199


async def test_the_default_rate_limit_cuts_a_flood_and_says_so(
    legacy_server: JupyterServer, remote_env: dict[str, str]
) -> None:
    """Why docs/deployment.md asks for iopub_data_rate_limit=1e10: by default a flood has holes."""
    args = ("--server-url", legacy_server.url, "--token", TOKEN)
    async with stdio_client(*args, env=remote_env) as client:
        result = await client.call_tool("stata_run", {"code": "_sim_flood, bytes(6000000) linelen(100)"})
        # The log is read in pages; stata_log_search looks through all of it.
        run_id = result.structured_content["run_id"]
        notice = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": "IOPub data rate exceeded"})
        lines = await client.call_tool("stata_log_search", {"run_id": run_id, "pattern": "SEQ "})
    assert notice.structured_content["total"] >= 1, text_of(result)[-500:]
    assert lines.structured_content["total"] < 60000
