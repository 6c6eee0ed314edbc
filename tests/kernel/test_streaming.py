"""Output reaches the frontend while Stata runs, not at the end."""

from __future__ import annotations

from stata_kernel.publishing import MAX_STREAM_CHARS
from tests.harness import execute

LOOP = """\
forvalues i = 1/6 {
    display "tick `i'"
    sleep 250
}
display "done"
"""


def test_loop_output_streams_in_several_messages_spread_over_the_run(kernel):
    run = execute(kernel, LOOP)
    assert run.status == "ok"
    streams = run.streams
    assert len(streams) >= 4, f"expected output spread over several messages, got {len(streams)}"
    duration = run.reply_at - run.sent_at
    spread = streams[-1].time - streams[0].time
    # 6 x 250 ms of sleeps: the first tick must arrive long before the last one.
    assert spread >= 0.5 * duration - 0.3, (spread, duration)
    assert streams[0].time - run.sent_at < 0.5 * duration


def test_every_stream_message_arrives_before_the_execute_reply(kernel):
    run = execute(kernel, LOOP)
    assert all(a.time <= run.reply_at for a in run.streams)
    types = [a.msg_type for a in run.iopub]
    assert types.index("status") == 0
    assert types[-1] == "status"


def test_streamed_text_assembles_to_the_full_output_in_order(kernel):
    run = execute(kernel, LOOP)
    text = run.text
    positions = [text.index(f"tick {i}\n") for i in range(1, 7)]
    assert positions == sorted(positions)
    assert text.rstrip().endswith("done")


def test_stream_messages_carry_the_request_as_parent(kernel):
    run = execute(kernel, 'display "hello"')
    assert run.streams, "no stream message"
    for arrival in run.streams:
        assert arrival.msg["parent_header"]["msg_id"] == run.msg_id
        assert arrival.msg["content"]["name"] == "stdout"
    assert "hello" in run.text


def test_single_line_output_is_complete_including_the_tail(kernel):
    run = execute(kernel, 'display "the last piece must not be lost"')
    assert run.text.strip() == "the last piece must not be lost"


def test_silent_execution_publishes_no_stream(kernel):
    run = execute(kernel, 'display "quiet please"', silent=True)
    assert run.status == "ok"
    assert run.streams == []


def test_a_flood_goes_out_in_messages_of_at_most_a_million_characters(kernel):
    """Stata's buffer may hold megabytes between two reads; each stream message carries at most 1,000,000
    characters (kernel memory while serialising, frontends rendering), and together they are the output."""
    total = 6_000_000
    run = execute(kernel, f"_sim_flood, bytes({total})", timeout=120)
    assert run.status == "ok"
    sizes = [len(a.msg["content"]["text"]) for a in run.streams]
    assert max(sizes) <= MAX_STREAM_CHARS == 1_000_000
    assert sum(sizes) >= total and run.text.count("SEQ ") == total // 80
