"""Hostile or unusual input found by comparing with redis-server 7.0.15:

* blocking timeouts below a millisecond (Redis rounds the milliseconds up; only 0 waits forever,
  and small negatives such as -0.0001 round up to 0);
* half-closed connections (the client shuts down its write side after sending): every reply
  of what was read still arrives, then the server closes; a client blocked in BLPOP when its
  input ends is closed at once without a reply, and is no longer counted as blocked;
* HRANDFIELD/ZRANDMEMBER counts near the 64-bit limits with WITHVALUES/WITHSCORES.

Runs against either target (EMBER_TEST_TARGET=redis checks the expectations on the oracle)."""

import socket
import time

import pytest

from ember_resp import Err, encode_command

OUT_OF_RANGE = Err("ERR value is out of range")
OUT_OF_LONG = Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
NOT_INTEGER = Err("ERR value is not an integer or out of range")
NEGATIVE = Err("ERR timeout is negative")


# --------------------------------------------------------------------------- sub-ms timeouts

SUB_MS = [
    ("BLPOP", "bk", "0.001"),
    ("BLPOP", "bk", "0.0009"),
    ("BLPOP", "bk", "1e-3"),
    ("BLPOP", "bk", "0.0001"),
    ("BRPOP", "bk", "0.0005"),
    ("BRPOP", "bk", "bk2", "0.001"),
    ("BRPOPLPUSH", "bk", "dst", "0.0005"),
    ("BLMOVE", "bk", "dst", "LEFT", "RIGHT", "0.001"),
    ("BLMPOP", "0.001", "1", "bk", "LEFT"),
    ("BZPOPMIN", "bz", "0.001"),
    ("BZPOPMAX", "bz", "0.0009"),
    ("BZMPOP", "0.001", "1", "bz", "MIN"),
]


@pytest.mark.parametrize("command", SUB_MS, ids=[" ".join(c) for c in SUB_MS])
def test_sub_millisecond_timeout_times_out(c, command):
    started = time.monotonic()
    c.send(encode_command(*command))
    reply = c.read()  # the connection's timeout (5 s) fails a command that blocks forever
    elapsed = time.monotonic() - started
    assert reply is None
    # Redis answers within its timer granularity (100 ms at hz 10); far below a second.
    assert elapsed < 1.0


@pytest.mark.parametrize("timeout", ["-0.0001", "-0.0009", "-0.001"])
def test_tiny_negative_timeout_rounds_up_to_forever(c, conn_factory, timeout):
    c.send(encode_command("BLPOP", "bk", timeout))
    assert c.read_available(0.3) == b""
    other = conn_factory()
    assert other.call("RPUSH", "bk", "v") == 1
    assert c.read() == [b"bk", b"v"]


@pytest.mark.parametrize("timeout", ["-0.002", "-0.0015", "-1"])
def test_negative_timeout_of_a_millisecond_or_more_is_an_error(c, timeout):
    assert c.call("BLPOP", "bk", timeout) == NEGATIVE


def test_zero_still_waits_forever(c, conn_factory):
    c.send(encode_command("BLPOP", "bk", "0"))
    assert c.read_available(0.3) == b""
    other = conn_factory()
    assert other.call("LPUSH", "bk", "x") == 1
    assert c.read() == [b"bk", b"x"]


# --------------------------------------------------------------------------- half-closed sockets


def half_closed_exchange(server, payload, timeout=3.0):
    """Sends `payload`, shuts the write side, and reads until the server closes.
    Returns (bytes received, whether the server closed within `timeout`)."""
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    try:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return received, False
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
        return received, False
    finally:
        sock.close()


def test_half_closed_ping_gets_its_reply(server):
    received, closed = half_closed_exchange(server, b"PING\r\n")
    assert received == b"+PONG\r\n"
    assert closed


def test_half_closed_resp_ping_gets_its_reply(server):
    received, closed = half_closed_exchange(server, encode_command("PING", "hello"))
    assert received == b"$5\r\nhello\r\n"
    assert closed


def test_half_closed_pipeline_gets_every_reply(server, c):
    received, closed = half_closed_exchange(server, b"INCR hc\r\n" * 100)
    assert received == b"".join(b":%d\r\n" % n for n in range(1, 101))
    assert closed
    assert c.call("GET", "hc") == b"100"


def test_half_closed_large_pipeline_gets_every_reply(server, c):
    payload = b"".join(encode_command("SET", "k%d" % n, "v" * 100) for n in range(5000))
    received, closed = half_closed_exchange(server, payload, timeout=10.0)
    assert received == b"+OK\r\n" * 5000
    assert closed
    assert c.call("DBSIZE") == 5000


def test_half_closed_partial_command_is_dropped(server, c):
    received, closed = half_closed_exchange(server, b"PING\r\n*2\r\n$3\r\nGET\r\n$2\r\nk")
    assert received == b"+PONG\r\n"
    assert closed


def blocked_clients(conn):
    for line in conn.call("INFO", "clients").decode().splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":", 1)[1])
    raise AssertionError("no blocked_clients")


def test_half_closed_blocked_client_is_closed_without_reply(server, c):
    # As Redis: the client's end of input frees it; BLPOP does not answer, nor do the
    # commands queued behind it, but what came before it does.
    payload = encode_command("PING") + encode_command("BLPOP", "bk", "0") + encode_command("PING")
    received, closed = half_closed_exchange(server, payload)
    assert received == b"+PONG\r\n"
    assert closed
    deadline = time.monotonic() + 2
    while blocked_clients(c) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert blocked_clients(c) == 0
    # Nothing is popped for the departed client.
    assert c.call("RPUSH", "bk", "v") == 1
    time.sleep(0.05)
    assert c.call("LRANGE", "bk", "0", "-1") == [b"v"]


def test_half_closed_after_blocking_with_timeout(server, c):
    payload = encode_command("BLPOP", "bk", "5")
    started = time.monotonic()
    received, closed = half_closed_exchange(server, payload)
    assert received == b""
    assert closed
    assert time.monotonic() - started < 2


# --------------------------------------------------------------------------- random counts

HALF = 4611686018427387903  # LONG_MAX / 2


@pytest.mark.parametrize("count,expected", [
    ("9223372036854775807", OUT_OF_RANGE),
    (str(HALF + 1), OUT_OF_RANGE),
    (str(-HALF - 1), OUT_OF_RANGE),
    ("-9223372036854775807", OUT_OF_RANGE),
    ("-9223372036854775808", OUT_OF_LONG),
    ("9223372036854775808", NOT_INTEGER),
    ("abc", NOT_INTEGER),
])
def test_hrandfield_withvalues_count_limits(c, count, expected):
    c.call("HSET", "h", "a", "1", "b", "2")
    assert c.call("HRANDFIELD", "h", count, "WITHVALUES") == expected
    # The count is judged before the key is looked up.
    assert c.call("HRANDFIELD", "missing", count, "WITHVALUES") == expected


def test_hrandfield_withvalues_at_the_limit_is_accepted(c):
    c.call("HSET", "h", "a", "1", "b", "2")
    reply = c.call("HRANDFIELD", "h", str(HALF), "WITHVALUES")
    assert sorted(reply) == [b"1", b"2", b"a", b"b"]
    assert c.call("HRANDFIELD", "missing", str(HALF), "WITHVALUES") == []


def test_hrandfield_without_values_takes_any_long(c):
    c.call("HSET", "h", "a", "1", "b", "2")
    assert sorted(c.call("HRANDFIELD", "h", "9223372036854775807")) == [b"a", b"b"]
    assert c.call("HRANDFIELD", "h", "-9223372036854775808") == OUT_OF_LONG


@pytest.mark.parametrize("count,expected", [
    ("9223372036854775807", OUT_OF_RANGE),
    (str(HALF + 1), OUT_OF_RANGE),
    (str(-HALF - 1), OUT_OF_RANGE),
    ("-9223372036854775808", OUT_OF_LONG),
])
def test_zrandmember_withscores_count_limits(c, count, expected):
    c.call("ZADD", "z", "1", "a", "2", "b")
    assert c.call("ZRANDMEMBER", "z", count, "WITHSCORES") == expected


def test_srandmember_count_limits(c):
    c.call("SADD", "s", "a", "b")
    assert sorted(c.call("SRANDMEMBER", "s", "9223372036854775807")) == [b"a", b"b"]
    assert c.call("SRANDMEMBER", "s", "-9223372036854775808") == OUT_OF_LONG
    assert c.call("SRANDMEMBER", "s", "9223372036854775808") == NOT_INTEGER
