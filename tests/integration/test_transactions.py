"""MULTI/EXEC with WATCH, as Redis 7.0: a watched key is invalidated by any change (from this
client or another), by expiry (also a key already expired at EXEC), by FLUSHDB/FLUSHALL/SWAPDB,
RENAME/MOVE/RESTORE/EXPIRE; writes that change nothing leave it alone; WATCH inside MULTI is
an error; EXEC after an invalidation answers a null array; the transaction reaches the AOF
wrapped in MULTI/EXEC. Every test runs against both servers."""

import threading
import time

import pytest

from ember_harness import make_redis
from ember_resp import Err


def watch_then(c, other, key, change, *, setup=None):
    """WATCH `key` on `c`, run `change` (a callable on `other`), then MULTI/PING/EXEC on `c`:
    the EXEC reply (None when the transaction was discarded)."""
    if setup:
        setup()
    assert c.call("WATCH", key) == "OK"
    change(other)
    assert c.call("MULTI") == "OK"
    assert c.call("PING") == "QUEUED"
    return c.call("EXEC")


@pytest.fixture
def pair(conn_factory):
    return conn_factory(), conn_factory()


def test_unmodified_watched_key_lets_exec_run(pair):
    c, other = pair
    other.call("SET", "k", "1")
    assert watch_then(c, other, "k", lambda o: o.call("GET", "k")) == ["PONG"]


@pytest.mark.parametrize("change", [
    ["SET", "k", "2"], ["DEL", "k"], ["INCR", "k"], ["APPEND", "k", "x"], ["EXPIRE", "k", "100"],
    ["PEXPIRE", "k", "0"], ["GETDEL", "k"], ["GETEX", "k", "EX", "100"], ["SETRANGE", "k", "0", "z"],
    ["RENAME", "k", "k2"], ["MOVE", "k", "1"], ["UNLINK", "k"], ["SET", "k", "1", "KEEPTTL"],
])
def test_any_change_from_another_client_fails_exec(pair, change):
    c, other = pair
    other.call("SELECT", "0")
    c.call("SELECT", "0")
    other.call("FLUSHALL")
    other.call("SET", "k", "1")
    assert watch_then(c, other, "k", lambda o: o.call(*change)) is None


def test_rename_touches_the_destination(pair):
    c, other = pair
    other.call("SET", "src", "1")
    assert watch_then(c, other, "dst", lambda o: o.call("RENAME", "src", "dst")) is None


def test_restore_and_persist_touch(pair):
    c, other = pair
    other.call("SET", "k", "1")
    payload = other.call("DUMP", "k")
    assert watch_then(c, other, "k", lambda o: o.call("RESTORE", "k", "0", payload, "REPLACE")) is None
    other.call("EXPIRE", "k", "100")
    assert watch_then(c, other, "k", lambda o: o.call("PERSIST", "k")) is None


@pytest.mark.parametrize("setup, change", [
    (["RPUSH", "k", "a"], ["RPUSH", "k", "b"]),
    (["RPUSH", "k", "a", "b"], ["LPOP", "k"]),
    (["RPUSH", "k", "a", "b"], ["LSET", "k", "0", "z"]),
    (["RPUSH", "k", "a", "b"], ["LREM", "k", "0", "a"]),
    (["RPUSH", "k", "a", "b"], ["LMOVE", "k", "other", "LEFT", "RIGHT"]),
    (["SADD", "k", "a"], ["SADD", "k", "b"]),
    (["SADD", "k", "a", "b"], ["SREM", "k", "a"]),
    (["SADD", "k", "a", "b"], ["SPOP", "k"]),
    (["HSET", "k", "f", "v"], ["HSET", "k", "g", "v"]),
    (["HSET", "k", "f", "v"], ["HSET", "k", "f", "v"]),     # same value: still a write for Redis
    (["HSET", "k", "f", "1"], ["HINCRBY", "k", "f", "1"]),
    (["ZADD", "k", "1", "a"], ["ZADD", "k", "2", "a"]),
    (["ZADD", "k", "1", "a", "2", "b"], ["ZPOPMIN", "k"]),
    (["ZADD", "k", "1", "a", "2", "b"], ["ZREMRANGEBYSCORE", "k", "0", "1"]),
    (["RPUSH", "k", "a"], ["SORT", "emptylist", "STORE", "k"]),   # an empty result deletes k
])
def test_collection_changes_fail_exec(pair, setup, change):
    c, other = pair
    other.call("FLUSHALL")
    other.call(*setup)
    assert watch_then(c, other, "k", lambda o: o.call(*change)) is None


@pytest.mark.parametrize("setup, change", [
    (["SADD", "k", "a"], ["SREM", "k", "nothere"]),
    (["SADD", "k", "a"], ["SADD", "k", "a"]),
    (["HSET", "k", "f", "v"], ["HDEL", "k", "nothere"]),
    (["HSET", "k", "f", "v"], ["HSETNX", "k", "f", "w"]),
    (["ZADD", "k", "1", "a"], ["ZADD", "k", "NX", "5", "a"]),
    (["ZADD", "k", "1", "a"], ["ZADD", "k", "1", "a"]),
    (["ZADD", "k", "1", "a"], ["ZREM", "k", "nothere"]),
    (["RPUSH", "k", "a"], ["LREM", "k", "0", "nothere"]),
    (["SET", "k", "v"], ["DEL", "nothere"]),
    (["SET", "k", "v"], ["SET", "other", "v"]),
    (["SET", "k", "v"], ["GET", "k"]),
    (["SET", "other", "v"], ["SORT", "emptylist", "STORE", "k"]),  # k was not there: no change
])
def test_writes_that_change_nothing_leave_the_watch(pair, setup, change):
    c, other = pair
    other.call("FLUSHALL")
    other.call(*setup)
    assert watch_then(c, other, "k", lambda o: o.call(*change)) == ["PONG"]


def test_own_change_after_watch_fails_exec(c):
    c.call("SET", "k", "1")
    c.call("WATCH", "k")
    c.call("SET", "k", "2")
    c.call("MULTI")
    c.call("INCR", "k")
    assert c.call("EXEC") is None
    assert c.call("GET", "k") == b"2"


def test_watch_remembers_the_database(pair):
    c, other = pair
    c.call("SELECT", "5")
    c.call("SET", "x", "30")
    c.call("WATCH", "x")
    other.call("SELECT", "1")
    other.call("SET", "x", "10")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == ["PONG"]


def test_key_expired_at_exec_fails_it(c):
    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        c.call("SET", "k", "1", "PX", "100")
        c.call("WATCH", "k")
        time.sleep(0.15)
        c.call("MULTI")
        c.call("INCR", "k")
        assert c.call("EXEC") is None
    finally:
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_key_already_expired_at_watch_does_not_fail_exec(c):
    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        c.call("SET", "x", "foo", "PX", "1")
        time.sleep(0.01)
        c.call("WATCH", "x")
        assert c.call("EXISTS", "x") == 0      # its lazy deletion is no change
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == ["PONG"]
        # ... but a new value for it is.
        c.call("SET", "y", "foo", "PX", "1")
        time.sleep(0.01)
        c.call("WATCH", "y")
        c.call("SET", "y", "bar")
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") is None
    finally:
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_active_expiry_of_a_watched_key_fails_exec(c):
    c.call("SET", "x", "foo", "PX", "50")
    c.call("WATCH", "x")
    deadline = time.monotonic() + 5
    while c.call("DBSIZE") != 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None


@pytest.mark.parametrize("flush", [["FLUSHDB"], ["FLUSHALL"], ["FLUSHDB", "ASYNC"]])
def test_flush_touches_watched_keys_that_exist_only(pair, flush):
    c, other = pair
    other.call("SET", "x", "30")
    assert watch_then(c, other, "x", lambda o: o.call(*flush)) is None
    assert watch_then(c, other, "missing", lambda o: o.call(*flush)) == ["PONG"]


def test_swapdb_touches_keys_that_exist_on_either_side(pair):
    c, other = pair
    other.call("FLUSHALL")
    other.call("SET", "x", "30")
    assert watch_then(c, other, "x", lambda o: o.call("SWAPDB", "0", "1")) is None
    other.call("FLUSHALL")
    other.call("SELECT", "1")
    other.call("SET", "y", "30")
    assert watch_then(c, other, "y", lambda o: o.call("SWAPDB", "0", "1")) is None
    other.call("FLUSHALL")
    assert watch_then(c, other, "z", lambda o: o.call("SWAPDB", "0", "1")) == ["PONG"]


def test_watch_inside_multi_is_an_error_and_unwatch_forgets(c, conn_factory):
    other = conn_factory()
    c.call("MULTI")
    assert c.call("WATCH", "x") == Err("ERR WATCH inside MULTI is not allowed")
    assert c.call("EXEC") == []
    c.call("SET", "x", "1")
    c.call("WATCH", "x")
    assert c.call("UNWATCH") == "OK"
    other.call("SET", "x", "2")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == ["PONG"]
    assert c.call("UNWATCH") == "OK"


def test_discard_and_exec_end_the_watch(pair):
    c, other = pair
    c.call("WATCH", "x")
    c.call("SET", "x", "10")
    c.call("MULTI")
    c.call("DISCARD")
    c.call("MULTI")
    c.call("INCR", "x")
    assert c.call("EXEC") == [11]
    # After a failed EXEC nothing is watched any more either.
    c.call("WATCH", "x")
    other.call("SET", "x", "1")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None
    other.call("SET", "x", "2")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") == ["PONG"]


def test_execabort_wins_over_a_touched_watch(pair):
    c, other = pair
    c.call("WATCH", "x")
    other.call("SET", "x", "1")
    c.call("MULTI")
    assert isinstance(c.call("NOSUCHCOMMAND"), Err)
    assert c.call("EXEC") == Err("EXECABORT Transaction discarded because of previous errors.")


def test_null_reply_under_resp3(pair):
    c, other = pair
    c.call("HELLO", "3")
    c.call("WATCH", "x")
    other.call("SET", "x", "1")
    c.call("MULTI")
    c.call("PING")
    assert c.call_raw("EXEC") == b"_\r\n"


def test_blocked_pop_served_touches_the_watched_list(conn_factory):
    c, waiter, pusher = conn_factory(), conn_factory(), conn_factory()
    pusher.call("RPUSH", "l", "a")
    c.call("WATCH", "l")
    assert waiter.call("BLPOP", "l", "1") == [b"l", b"a"]
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None


def test_racing_clients_increment_exactly(server):
    # Optimistic locking: each client retries its GET/SET until its EXEC goes through.
    clients, rounds = 8, 60
    make_redis(server.port).set("counter", 0)
    errors = []

    def work():
        r = make_redis(server.port)
        try:
            for _ in range(rounds):
                while True:
                    with r.pipeline(transaction=True) as pipe:
                        try:
                            pipe.watch("counter")
                            value = int(pipe.get("counter"))
                            pipe.multi()
                            pipe.set("counter", value + 1)
                            pipe.execute()
                            break
                        except Exception as error:   # WatchError: retry
                            if type(error).__name__ != "WatchError":
                                raise
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert int(make_redis(server.port).get("counter")) == clients * rounds


def test_exec_propagates_wrapped_in_multi_exec(server_factory):
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", "always"])
    r = make_redis(srv.port)
    with r.pipeline(transaction=True) as pipe:
        pipe.set("a", "1")
        pipe.incr("a")
        pipe.execute()
    r.set("single", "x")
    text = b"".join(p.read_bytes() for p in sorted((srv.workdir / "appendonlydir").glob("*.incr.aof"))).lower()
    multi = text.find(b"multi")
    assert multi >= 0 and text.find(b"exec") > text.find(b"incrby", multi) > text.find(b"set", multi) > multi, text
    assert text.count(b"multi") == 1, text


def test_smove_to_an_expired_destination_keeps_the_server_up(c):
    # The destination's lazy deletion moves the source's table entry (regression: a crash).
    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        c.call("SET", "dst", "v", "PX", "1")
        c.call("SADD", "src", "m")
        time.sleep(0.01)
        assert c.call("SMOVE", "src", "dst", "m") == 1
        assert c.call("SMEMBERS", "dst") == [b"m"]
        assert c.call("EXISTS", "src") == 0
    finally:
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
