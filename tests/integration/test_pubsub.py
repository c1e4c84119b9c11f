"""Pub/sub as Redis 7.0 serves it, against both servers: SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE and
their UNSUBSCRIBE forms with their confirmations, PUBLISH/SPUBLISH fan-out and counts, glob
patterns, PUBSUB introspection, the RESP2 subscriber context, RESP3 pushes on a connection
that also runs commands, CLIENT REPLY OFF, CLIENT LIST fields and TYPE pubsub, INFO, and a
subscriber that cannot keep up being disconnected at client-output-buffer-limit."""

import socket
import time

import pytest

from ember_harness import HOST, make_redis
from ember_resp import Err, encode_command


def test_subscribe_publish_unsubscribe(conn_factory):
    sub, pub = conn_factory(), conn_factory()
    sub.send(encode_command("SUBSCRIBE", "chan1", "chan2", "chan1"))
    assert [sub.read() for _ in range(3)] == [[b"subscribe", b"chan1", 1], [b"subscribe", b"chan2", 2],
                                              [b"subscribe", b"chan1", 2]]
    assert pub.call("PUBLISH", "chan1", "hello") == 1
    assert pub.call("PUBLISH", "nobody", "hello") == 0
    assert sub.read() == [b"message", b"chan1", b"hello"]
    sub.send(encode_command("UNSUBSCRIBE", "chan1", "never"))
    assert [sub.read() for _ in range(2)] == [[b"unsubscribe", b"chan1", 1], [b"unsubscribe", b"never", 1]]
    sub.send(encode_command("UNSUBSCRIBE"))
    assert sub.read() == [b"unsubscribe", b"chan2", 0]
    sub.send(encode_command("UNSUBSCRIBE"))
    assert sub.read() == [b"unsubscribe", None, 0]
    assert sub.call("GET", "x") is None     # out of the subscriber context again


def test_patterns_and_counts(conn_factory):
    sub, pub = conn_factory(), conn_factory()
    sub.send(encode_command("PSUBSCRIBE", "news.*", "h?llo"))
    assert [sub.read() for _ in range(2)] == [[b"psubscribe", b"news.*", 1], [b"psubscribe", b"h?llo", 2]]
    sub.send(encode_command("SUBSCRIBE", "news.tech"))
    assert sub.read() == [b"subscribe", b"news.tech", 3]
    # One delivery per matching subscription: the channel, then the pattern.
    assert pub.call("PUBLISH", "news.tech", "a") == 2
    assert sub.read() == [b"message", b"news.tech", b"a"]
    assert sub.read() == [b"pmessage", b"news.*", b"news.tech", b"a"]
    assert pub.call("PUBLISH", "hello", "b") == 1
    assert sub.read() == [b"pmessage", b"h?llo", b"hello", b"b"]
    assert pub.call("PUBSUB", "NUMPAT") == 2
    assert sorted(pub.call("PUBSUB", "CHANNELS")) == [b"news.tech"]
    assert pub.call("PUBSUB", "CHANNELS", "x*") == []
    assert pub.call("PUBSUB", "NUMSUB", "news.tech", "none") == [b"news.tech", 1, b"none", 0]
    sub.send(encode_command("PUNSUBSCRIBE"))
    assert sorted(sub.read()[1] for _ in range(2)) == [b"h?llo", b"news.*"]
    assert pub.call("PUBSUB", "NUMPAT") == 0


def test_shard_channels_are_apart(conn_factory):
    sub, pub = conn_factory(), conn_factory()
    sub.send(encode_command("SSUBSCRIBE", "s1"))
    assert sub.read() == [b"ssubscribe", b"s1", 1]
    sub.send(encode_command("SUBSCRIBE", "s1"))
    assert sub.read() == [b"subscribe", b"s1", 1]      # counted apart from shard channels
    assert pub.call("SPUBLISH", "s1", "x") == 1
    assert sub.read() == [b"smessage", b"s1", b"x"]
    assert pub.call("PUBLISH", "s1", "y") == 1
    assert sub.read() == [b"message", b"s1", b"y"]
    assert pub.call("PUBSUB", "SHARDCHANNELS") == [b"s1"]
    assert pub.call("PUBSUB", "SHARDNUMSUB", "s1") == [b"s1", 1]
    sub.send(encode_command("SUNSUBSCRIBE"))
    assert sub.read() == [b"sunsubscribe", b"s1", 0]


def test_resp2_subscriber_context(conn_factory):
    sub = conn_factory()
    sub.send(encode_command("SUBSCRIBE", "c"))
    sub.read()
    assert sub.call("GET", "x") == Err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                                       "PING / QUIT / RESET are allowed in this context")
    assert sub.call("PING") == [b"pong", b""]
    assert sub.call("PING", "hi") == [b"pong", b"hi"]
    assert sub.call("RESET") == "RESET"
    assert sub.call("PING") == "PONG"


def test_resp3_subscriber_runs_commands_and_gets_its_own_message_in_order(conn_factory):
    c = conn_factory()
    c.call("HELLO", "3")
    c.send(encode_command("SUBSCRIBE", "c"))
    assert c.read_raw() == b">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"
    assert c.call("SET", "k", "v") == "OK"
    # The message it publishes to itself comes before PUBLISH's own reply, as Redis orders them.
    c.send(encode_command("PUBLISH", "c", "m") + encode_command("PING"))
    assert c.read_raw() == b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n"
    assert c.read_raw() == b":1\r\n"
    assert c.read_raw() == b"+PONG\r\n"


def test_confirmations_and_messages_go_through_client_reply_off(conn_factory):
    sub, pub = conn_factory(), conn_factory()
    sub.send(encode_command("CLIENT", "REPLY", "OFF") + encode_command("SUBSCRIBE", "c"))
    assert sub.read() == [b"subscribe", b"c", 1]
    pub.call("PUBLISH", "c", "x")
    assert sub.read() == [b"message", b"c", b"x"]


def test_client_list_fields_type_and_info(conn_factory):
    sub, ctl = conn_factory(), conn_factory()
    sub.send(encode_command("SUBSCRIBE", "a", "b") + encode_command("PSUBSCRIBE", "p*"))
    for _ in range(3):
        sub.read()
    line = ctl.call("CLIENT", "LIST", "TYPE", "pubsub").decode()
    assert line.count("\n") == 1 and " sub=2 psub=1 " in line and "flags=P" in line, line
    assert ctl.call("CLIENT", "LIST", "TYPE", "normal").decode().count("sub=2") == 0
    info = ctl.call("INFO", "stats").decode()
    assert "pubsub_channels:2" in info and "pubsub_patterns:1" in info
    assert ctl.call("CLIENT", "KILL", "TYPE", "pubsub") == 1


def test_disconnecting_a_subscriber_forgets_it(conn_factory):
    sub, pub = conn_factory(), conn_factory()
    sub.send(encode_command("SUBSCRIBE", "gone"))
    sub.read()
    sub.close()
    deadline = time.monotonic() + 3
    while pub.call("PUBSUB", "NUMSUB", "gone")[1] != 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pub.call("PUBLISH", "gone", "x") == 0


def test_slow_subscriber_is_disconnected_at_the_output_limit(server_factory):
    srv = server_factory.start(args=["--client-output-buffer-limit", "pubsub 1mb 256kb 1"])
    pub = make_redis(srv.port)
    slow = socket.create_connection((HOST, srv.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(encode_command("SUBSCRIBE", "firehose"))
    time.sleep(0.1)
    payload = b"x" * 16384
    # The subscriber reads nothing: once its pending output passes 1 MB it is dropped, instead
    # of the server holding everything published (here 64 MB).
    delivered_to = []
    for _ in range(4096):
        delivered_to.append(pub.publish("firehose", payload))
        if delivered_to[-1] == 0:
            break
    assert delivered_to[-1] == 0, "the subscriber was never disconnected"
    assert pub.info("clients")["connected_clients"] == 1
    stats = pub.info("stats")
    if "client_output_buffer_limit_disconnections" in stats:     # Ember's (and Redis 7.2's) counter
        assert stats["client_output_buffer_limit_disconnections"] == 1
    slow.close()


def test_subscribe_inside_multi(conn_factory):
    c = conn_factory()
    c.call("MULTI")
    assert c.call("SUBSCRIBE", "m") == "QUEUED"
    assert c.call("SSUBSCRIBE", "s") == "QUEUED"
    assert c.call("EXEC") == [[b"subscribe", b"m", 1],
                              Err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")]
