"""Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, with several real connections:
immediate replies, wake-ups by pushes from other clients, FIFO fairness between waiters, multiple
keys, sub-second timeouts, MULTI/EXEC interaction, CLIENT UNBLOCK, disconnected and killed waiters,
and the INFO `blocked_clients` counter.

A waiter is always seen blocked (INFO clients polled from another connection) before anything
is pushed, so the tests do not depend on sleeps."""

import select
import time

import pytest

from ember_resp import Err, encode_command

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_FLOAT = Err("ERR timeout is not a float or out of range")
NEGATIVE = Err("ERR timeout is negative")


def blocked_clients(conn):
    info = conn.call("INFO", "clients").decode()
    for line in info.splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"no blocked_clients in INFO clients: {info!r}")


def wait_blocked(conn, n, waiter=None, timeout=3.0):
    """Poll INFO clients on `conn` until exactly `n` clients are blocked.

    If `waiter` (the connection expected to block) gets a reply meanwhile, fail at once with it
    (an error such as an unknown command would otherwise only show up as a timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        got = blocked_clients(conn)
        if got == n:
            return
        if waiter is not None and (waiter.buf or select.select([waiter.sock], [], [], 0)[0]):
            raise AssertionError(f"expected the command to block, got {waiter.read()!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {n} blocked clients, INFO says {got}")
        time.sleep(0.005)


def block(waiter, ctl, *cmd, expect=1):
    """Send a blocking command on `waiter` without reading, and wait until the server counts
    `expect` blocked clients (seen from `ctl`)."""
    waiter.send(encode_command(*cmd))
    wait_blocked(ctl, expect, waiter)


def assert_still_blocked(waiter, ctl, n=1):
    assert waiter.read_available(0.05) == b""
    assert blocked_clients(ctl) == n


# --------------------------------------------------------------------------- no blocking needed


def test_immediate_when_data_present(r, c):
    r.rpush("l", "a", "b", "c")
    assert c.call("BLPOP", "l", "0") == [b"l", b"a"]
    assert c.call("BRPOP", "l", "0") == [b"l", b"c"]
    assert c.call("BLPOP", "nokey", "l", "1") == [b"l", b"b"]
    assert r.exists("l") == 0
    r.rpush("k1", "1")
    r.rpush("k2", "2")
    assert c.call("BLPOP", "k2", "k1", "0") == [b"k2", b"2"]     # first non-empty key in order
    assert c.call("BRPOP", "nokey", "k1", "k2", "0") == [b"k1", b"1"]
    r.rpush("k2", "3")
    assert c.call_raw("BLPOP", "k2", "0.5") == b"*2\r\n$2\r\nk2\r\n$1\r\n3\r\n"
    assert blocked_clients(c) == 0


def test_immediate_redis_py(r):
    r.rpush("l", "a", "b")
    assert list(r.blpop(["l"], timeout=1)) == [b"l", b"a"]
    assert list(r.brpop(["nokey", "l"], timeout=1)) == [b"l", b"b"]
    assert r.blpop(["l"], timeout=0.05) is None
    r.rpush("src", "x", "y")
    assert r.blmove("src", "dst", 1, "RIGHT", "LEFT") == b"y"
    assert r.brpoplpush("src", "dst", 1) == b"x"
    assert r.lrange("dst", 0, -1) == [b"x", b"y"]
    assert r.blmpop(1, 1, "dst", direction="LEFT", count=5) == [b"dst", [b"x", b"y"]]


def test_blmpop_immediate(r, c):
    r.rpush("k2", "a", "b", "c")
    assert c.call("BLMPOP", "0", "2", "k1", "k2", "LEFT") == [b"k2", [b"a"]]
    assert c.call("BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "10") == [b"k2", [b"c", b"b"]]
    assert r.exists("k2") == 0


def test_timeout_errors(c):
    for t in ["x", "1x", "", " 1", "nan"]:
        assert c.call("BLPOP", "l", t) == NOT_FLOAT, t
    assert c.call("BRPOP", "l", "abc") == NOT_FLOAT
    assert c.call("BLMOVE", "l", "d", "LEFT", "LEFT", "x") == NOT_FLOAT
    assert c.call("BRPOPLPUSH", "l", "d", "x") == NOT_FLOAT
    assert c.call("BLMPOP", "x", "1", "l", "LEFT") == NOT_FLOAT
    for t in ["-1", "-0.5"]:
        assert c.call("BLPOP", "l", t) == NEGATIVE, t
    assert c.call("BRPOP", "l", "-1") == NEGATIVE
    assert c.call("BLMOVE", "l", "d", "LEFT", "LEFT", "-1") == NEGATIVE
    assert c.call("BRPOPLPUSH", "l", "d", "-1") == NEGATIVE
    assert c.call("BLMPOP", "-1", "1", "l", "LEFT") == NEGATIVE
    assert blocked_clients(c) == 0


def test_blmpop_blmove_argument_errors(c):
    assert c.call("BLMPOP", "0", "0", "l", "LEFT") == Err("ERR numkeys should be greater than 0")
    assert c.call("BLMPOP", "0", "x", "l", "LEFT") == Err("ERR numkeys should be greater than 0")
    assert c.call("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0") == Err(
        "ERR count should be greater than 0")
    assert c.call("BLMPOP", "0", "1", "l", "MIDDLE") == SYNTAX
    assert c.call("BLMPOP", "0", "2", "l", "LEFT") == SYNTAX
    assert c.call("BLMPOP", "0", "1", "l") == Err("ERR wrong number of arguments for 'blmpop' command")
    assert c.call("BLMOVE", "l", "d", "UP", "LEFT", "0") == SYNTAX
    assert c.call("BLPOP", "l") == Err("ERR wrong number of arguments for 'blpop' command")
    assert blocked_clients(c) == 0


def test_wrongtype(r, c):
    r.set("s", "v")
    assert c.call("BLPOP", "s", "0") == WRONGTYPE
    assert c.call("BRPOP", "s", "0") == WRONGTYPE
    assert c.call("BLPOP", "nokey", "s", "0") == WRONGTYPE
    assert c.call("BLMOVE", "s", "d", "LEFT", "LEFT", "0") == WRONGTYPE
    assert c.call("BRPOPLPUSH", "s", "d", "0") == WRONGTYPE
    assert c.call("BLMPOP", "0", "1", "s", "LEFT") == WRONGTYPE
    r.rpush("l", "a", "b")
    assert c.call("BLPOP", "l", "s", "0") == [b"l", b"a"]           # never gets to "s"
    assert c.call("BLMOVE", "l", "s", "LEFT", "LEFT", "0") == WRONGTYPE
    assert c.call("BRPOPLPUSH", "l", "s", "0") == WRONGTYPE
    assert r.lrange("l", 0, -1) == [b"b"]
    assert blocked_clients(c) == 0


def test_blocking_commands_inside_multi_do_not_block(r, c):
    assert c.call("MULTI") == "OK"
    for cmd in [("BLPOP", "nokey", "0"), ("BRPOP", "nokey", "0"),
                ("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "nokey", "d", "0"),
                ("BLMPOP", "0", "1", "nokey", "LEFT")]:
        assert c.call(*cmd) == "QUEUED"
    start = time.monotonic()
    assert c.call_raw("EXEC") == b"*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n"
    assert time.monotonic() - start < 1.0
    r.rpush("l", "a")
    assert c.call("MULTI") == "OK"
    assert c.call("BLPOP", "l", "0") == "QUEUED"
    assert c.call("BLPOP", "l", "0") == "QUEUED"
    assert c.call("EXEC") == [[b"l", b"a"], None]
    assert blocked_clients(c) == 0


# --------------------------------------------------------------------------- timeouts


@pytest.mark.parametrize("cmd,null", [
    (("BLPOP", "nokey", "0.1"), b"*-1\r\n"),
    (("BRPOP", "nokey", "nokey2", "0.1"), b"*-1\r\n"),
    (("BLMPOP", "0.1", "1", "nokey", "LEFT"), b"*-1\r\n"),
    # Redis 7.0 answers every timed-out list command with a null *array*, BLMOVE included.
    (("BLMOVE", "nokey", "d", "LEFT", "RIGHT", "0.1"), b"*-1\r\n"),
    (("BRPOPLPUSH", "nokey", "d", "0.1"), b"*-1\r\n"),
])
def test_subsecond_timeout(c, conn_factory, cmd, null):
    waiter = conn_factory()
    start = time.monotonic()
    assert waiter.call_raw(*cmd) == null
    elapsed = time.monotonic() - start
    assert 0.08 <= elapsed < 1.0, elapsed
    assert blocked_clients(c) == 0
    assert waiter.call("PING") == "PONG"
    assert c.call("EXISTS", "d") == 0


def test_timeout_resp3_null(c):
    assert c.call("HELLO", "3")[b"proto"] == 3
    start = time.monotonic()
    assert c.call_raw("BLPOP", "nokey", "0.1") == b"_\r\n"
    assert c.call_raw("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.1") == b"_\r\n"
    elapsed = time.monotonic() - start
    assert 0.16 <= elapsed < 2.0, elapsed


def test_timeout_then_push_is_not_lost(c, conn_factory):
    waiter = conn_factory()
    assert waiter.call("BLPOP", "l", "0.1") is None
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call("LRANGE", "l", "0", "-1") == [b"a"]


# --------------------------------------------------------------------------- wake-ups


def test_blpop_woken_by_rpush(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    assert_still_blocked(waiter, c)
    assert c.call("RPUSH", "l", "a", "b", "c") == 3       # the length before serving the waiter
    assert waiter.read() == [b"l", b"a"]
    assert c.call("LRANGE", "l", "0", "-1") == [b"b", b"c"]
    assert blocked_clients(c) == 0


def test_brpop_woken_by_lpush(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BRPOP", "l", "5")
    assert c.call("LPUSH", "l", "a", "b", "c") == 3       # list is c b a
    assert waiter.read_raw() == b"*2\r\n$1\r\nl\r\n$1\r\na\r\n"
    assert c.call("LRANGE", "l", "0", "-1") == [b"c", b"b"]


def test_woken_by_single_element_push_removes_key(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    assert c.call("LPUSH", "l", "only") == 1
    assert waiter.read() == [b"l", b"only"]
    assert c.call("EXISTS", "l") == 0


def test_woken_by_lmove_and_rename(r, c, conn_factory):
    waiter = conn_factory()
    r.rpush("src", "a", "b")
    block(waiter, c, "BLPOP", "dst", "0")
    assert c.call("LMOVE", "src", "dst", "LEFT", "LEFT") == b"a"
    assert waiter.read() == [b"dst", b"a"]
    block(waiter, c, "BRPOP", "target", "0")
    assert c.call("RENAME", "src", "target") == "OK"
    assert waiter.read() == [b"target", b"b"]
    assert r.exists("src", "dst", "target") == 0


def test_fifo_fairness_single_push(c, conn_factory):
    a, b, d = conn_factory(), conn_factory(), conn_factory()
    block(a, c, "BLPOP", "l", "0", expect=1)
    block(b, c, "BLPOP", "l", "0", expect=2)
    block(d, c, "BLPOP", "l", "0", expect=3)
    assert c.call("RPUSH", "l", "x", "y", "z") == 3
    assert a.read() == [b"l", b"x"]
    assert b.read() == [b"l", b"y"]
    assert d.read() == [b"l", b"z"]
    assert c.call("EXISTS", "l") == 0
    assert blocked_clients(c) == 0


def test_fifo_fairness_separate_pushes(c, conn_factory):
    a, b, d = conn_factory(), conn_factory(), conn_factory()
    block(a, c, "BRPOP", "l", "0", expect=1)
    block(b, c, "BLPOP", "l", "0", expect=2)
    block(d, c, "BRPOP", "l", "0", expect=3)
    assert c.call("RPUSH", "l", "x") == 1
    assert a.read() == [b"l", b"x"]
    assert_still_blocked(b, c, 2)
    assert d.read_available(0.01) == b""
    assert c.call("RPUSH", "l", "y") == 1
    assert b.read() == [b"l", b"y"]
    assert_still_blocked(d, c, 1)
    assert c.call("RPUSH", "l", "z") == 1
    assert d.read() == [b"l", b"z"]
    assert c.call("EXISTS", "l") == 0


def test_more_waiters_than_elements(c, conn_factory):
    a, b = conn_factory(), conn_factory()
    block(a, c, "BLPOP", "l", "0", expect=1)
    block(b, c, "BLPOP", "l", "0", expect=2)
    assert c.call("RPUSH", "l", "x") == 1
    assert a.read() == [b"l", b"x"]
    assert_still_blocked(b, c, 1)
    assert c.call("LPUSH", "l", "y") == 1
    assert b.read() == [b"l", b"y"]


def test_multiple_keys_served_by_key_that_gets_data(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "k1", "k2", "k3", "0")
    assert c.call("RPUSH", "k2", "v") == 1
    assert waiter.read() == [b"k2", b"v"]
    assert c.call("EXISTS", "k2") == 0
    # Two keys get data in one transaction: the one that got it first serves the waiter.
    block(waiter, c, "BRPOP", "k1", "k2", "k3", "0")
    assert c.call("MULTI") == "OK"
    assert c.call("RPUSH", "k3", "from3") == "QUEUED"
    assert c.call("RPUSH", "k1", "from1") == "QUEUED"
    assert c.call("EXEC") == [1, 1]
    assert waiter.read() == [b"k3", b"from3"]
    assert c.call("LRANGE", "k1", "0", "-1") == [b"from1"]
    assert blocked_clients(c) == 0


def test_waiters_on_different_keys(c, conn_factory):
    a, b = conn_factory(), conn_factory()
    block(a, c, "BLPOP", "ka", "0", expect=1)
    block(b, c, "BLPOP", "kb", "0", expect=2)
    assert c.call("RPUSH", "kb", "1") == 1
    assert b.read() == [b"kb", b"1"]
    assert_still_blocked(a, c, 1)
    assert c.call("RPUSH", "ka", "2") == 1
    assert a.read() == [b"ka", b"2"]


# --------------------------------------------------------------------------- BLMOVE BRPOPLPUSH BLMPOP


def test_blmove_woken(c, conn_factory):
    waiter = conn_factory()
    assert c.call("RPUSH", "dst", "old") == 1
    block(waiter, c, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
    assert c.call("RPUSH", "src", "a", "b") == 2
    assert waiter.read_raw() == b"$1\r\nb\r\n"
    assert c.call("LRANGE", "src", "0", "-1") == [b"a"]
    assert c.call("LRANGE", "dst", "0", "-1") == [b"b", b"old"]
    block(waiter, c, "BLMOVE", "src2", "dst", "LEFT", "RIGHT", "0")
    assert c.call("RPUSH", "src2", "x", "y") == 2
    assert waiter.read() == b"x"
    assert c.call("LRANGE", "dst", "0", "-1") == [b"b", b"old", b"x"]
    assert c.call("LRANGE", "src2", "0", "-1") == [b"y"]


def test_brpoplpush_woken(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BRPOPLPUSH", "src", "dst", "0")
    assert c.call("LPUSH", "src", "a", "b") == 2        # src is b a
    assert waiter.read() == b"a"
    assert c.call("LRANGE", "src", "0", "-1") == [b"b"]
    assert c.call("LRANGE", "dst", "0", "-1") == [b"a"]


def test_blmove_same_key_woken(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLMOVE", "l", "l", "LEFT", "RIGHT", "0")
    assert c.call("RPUSH", "l", "a", "b") == 2
    assert waiter.read() == b"a"
    assert c.call("LRANGE", "l", "0", "-1") == [b"b", b"a"]


def test_blmove_chain_hands_element_on(c, conn_factory):
    x, y = conn_factory(), conn_factory()
    block(x, c, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0", expect=1)
    block(y, c, "BLPOP", "dst", "0", expect=2)
    assert c.call("RPUSH", "src", "v") == 1
    assert x.read() == b"v"
    assert y.read() == [b"dst", b"v"]
    assert c.call("EXISTS", "src", "dst") == 0
    assert blocked_clients(c) == 0


def test_blmpop_woken(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "2")
    assert c.call("RPUSH", "k2", "a", "b", "c") == 3
    assert waiter.read() == [b"k2", [b"c", b"b"]]
    assert c.call("LRANGE", "k2", "0", "-1") == [b"a"]
    block(waiter, c, "BLMPOP", "0", "2", "k1", "k3", "LEFT")
    assert c.call("RPUSH", "k1", "x", "y") == 2
    assert waiter.read_raw() == b"*2\r\n$2\r\nk1\r\n*1\r\n$1\r\nx\r\n"
    block(waiter, c, "BLMPOP", "0", "1", "k4", "LEFT", "COUNT", "10")
    assert c.call("RPUSH", "k4", "p", "q") == 2
    assert waiter.read() == [b"k4", [b"p", b"q"]]
    assert c.call("EXISTS", "k4") == 0


# --------------------------------------------------------------------------- MULTI/EXEC


def test_push_inside_multi_wakes_after_exec(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    assert c.call("MULTI") == "OK"
    assert c.call("LPUSH", "l", "a") == "QUEUED"
    assert c.call("LLEN", "l") == "QUEUED"
    assert c.call("RPUSH", "l", "b") == "QUEUED"
    assert c.call("LRANGE", "l", "0", "-1") == "QUEUED"
    assert waiter.read_available(0.05) == b""
    # Inside the transaction the elements are still there: the waiter is served after EXEC.
    assert c.call("EXEC") == [1, 1, 2, [b"a", b"b"]]
    assert waiter.read() == [b"l", b"a"]
    assert c.call("LRANGE", "l", "0", "-1") == [b"b"]
    assert blocked_clients(c) == 0


def test_push_then_delete_inside_multi_does_not_wake(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    assert c.call("MULTI") == "OK"
    assert c.call("LPUSH", "l", "a") == "QUEUED"
    assert c.call("DEL", "l") == "QUEUED"
    assert c.call("EXEC") == [1, 1]
    assert_still_blocked(waiter, c, 1)
    assert c.call("EXISTS", "l") == 0
    assert c.call("MULTI") == "OK"
    assert c.call("RPUSH", "l", "x", "y") == "QUEUED"
    assert c.call("LPOP", "l") == "QUEUED"
    assert c.call("EXEC") == [2, b"x"]
    assert waiter.read() == [b"l", b"y"]
    assert c.call("EXISTS", "l") == 0


def test_push_then_set_string_inside_multi_does_not_wake(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    assert c.call("MULTI") == "OK"
    assert c.call("RPUSH", "l", "a") == "QUEUED"
    assert c.call("SET", "l", "str") == "QUEUED"
    assert c.call("EXEC") == [1, "OK"]
    assert_still_blocked(waiter, c, 1)
    assert c.call("GET", "l") == b"str"
    assert c.call("DEL", "l") == 1
    assert c.call("RPUSH", "l", "b") == 1
    assert waiter.read() == [b"l", b"b"]


# --------------------------------------------------------------------------- CLIENT UNBLOCK


@pytest.mark.parametrize("cmd", [
    ("BLPOP", "l", "0"),
    ("BLMOVE", "l", "d", "LEFT", "LEFT", "0"),
    ("BLMPOP", "0", "1", "l", "LEFT"),
])
def test_client_unblock_timeout(c, conn_factory, cmd):
    waiter = conn_factory()
    wid = waiter.call("CLIENT", "ID")
    block(waiter, c, *cmd)
    assert c.call("CLIENT", "UNBLOCK", str(wid)) == 1
    assert waiter.read_raw() == b"*-1\r\n"
    wait_blocked(c, 0)
    assert c.call("CLIENT", "UNBLOCK", str(wid)) == 0
    assert waiter.call("PING") == "PONG"
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call("LLEN", "l") == 1


def test_client_unblock_explicit_timeout_and_error(c, conn_factory):
    waiter = conn_factory()
    wid = str(waiter.call("CLIENT", "ID"))
    block(waiter, c, "BRPOP", "l", "0")
    assert c.call("CLIENT", "UNBLOCK", wid, "timeout") == 1
    assert waiter.read() is None
    wait_blocked(c, 0)
    block(waiter, c, "BRPOP", "l", "0")
    assert c.call("CLIENT", "UNBLOCK", wid, "ERROR") == 1
    assert waiter.read_raw() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    wait_blocked(c, 0)
    assert waiter.call("PING") == "PONG"
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call("LLEN", "l") == 1


def test_client_unblock_not_blocked(c, conn_factory):
    other = conn_factory()
    oid = str(other.call("CLIENT", "ID"))
    assert c.call("CLIENT", "UNBLOCK", oid) == 0
    assert c.call("CLIENT", "UNBLOCK", oid, "ERROR") == 0
    assert c.call("CLIENT", "UNBLOCK", "999999999") == 0
    assert c.call("CLIENT", "UNBLOCK", str(c.call("CLIENT", "ID"))) == 0
    assert c.call("CLIENT", "UNBLOCK", oid, "FOO") == Err(
        "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    assert c.call("CLIENT", "UNBLOCK", "x") == Err("ERR value is not an integer or out of range")
    assert other.call("PING") == "PONG"


# --------------------------------------------------------------------------- waiters that go away


def test_disconnected_waiter_leaves_no_waiter(c, conn_factory):
    waiter = conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    waiter.close()
    wait_blocked(c, 0)
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call("LRANGE", "l", "0", "-1") == [b"a"]


def test_disconnected_waiter_skipped_in_queue(c, conn_factory):
    a, b = conn_factory(), conn_factory()
    block(a, c, "BLMOVE", "l", "d", "LEFT", "LEFT", "0", expect=1)
    block(b, c, "BLPOP", "l", "0", expect=2)
    a.close()
    wait_blocked(c, 1)
    assert c.call("RPUSH", "l", "x", "y") == 2
    assert b.read() == [b"l", b"x"]
    assert c.call("LRANGE", "l", "0", "-1") == [b"y"]
    assert c.call("EXISTS", "d") == 0


def test_killed_waiter_leaves_no_waiter(c, conn_factory):
    waiter = conn_factory()
    wid = waiter.call("CLIENT", "ID")
    block(waiter, c, "BRPOPLPUSH", "l", "d", "0")
    assert c.call("CLIENT", "KILL", "ID", str(wid)) == 1
    assert waiter.read_until_close() == b""
    wait_blocked(c, 0)
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call("LLEN", "l") == 1
    assert c.call("EXISTS", "d") == 0


# --------------------------------------------------------------------------- server stays responsive


def test_other_clients_served_while_blocked(c, conn_factory):
    waiter, other = conn_factory(), conn_factory()
    block(waiter, c, "BLPOP", "l", "0")
    start = time.monotonic()
    assert other.call("PING") == "PONG"
    assert other.call("SET", "k", "v") == "OK"
    assert other.call("GET", "k") == b"v"
    assert other.call("LLEN", "l") == 0
    assert time.monotonic() - start < 0.5
    assert_still_blocked(waiter, c, 1)
    assert other.call("RPUSH", "l", "done") == 1
    assert waiter.read() == [b"l", b"done"]


def test_blocked_clients_counter_and_client_list(c, conn_factory):
    assert blocked_clients(c) == 0
    a, b = conn_factory(), conn_factory()
    aid = a.call("CLIENT", "ID")
    block(a, c, "BLPOP", "l", "0", expect=1)
    block(b, c, "BLMPOP", "0", "1", "m", "LEFT", expect=2)
    entry = c.call("CLIENT", "LIST", "ID", str(aid)).decode()
    fields = dict(f.split("=", 1) for f in entry.split())
    assert "b" in fields["flags"]
    assert fields["cmd"] == "blpop"
    assert c.call("RPUSH", "l", "x") == 1
    assert a.read() == [b"l", b"x"]
    wait_blocked(c, 1)
    assert c.call("RPUSH", "m", "y") == 1
    assert b.read() == [b"m", [b"y"]]
    wait_blocked(c, 0)
    entry = c.call("CLIENT", "LIST", "ID", str(aid)).decode()
    fields = dict(f.split("=", 1) for f in entry.split())
    assert "b" not in fields["flags"]
