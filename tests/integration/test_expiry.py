"""Key expiration: lazy (on access) and active (background cycle)."""

import time

import pytest

from ember_resp import Err


@pytest.fixture
def no_active_expire(c):
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
    yield
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == "OK"


def wait_for(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_lazy_expiry_px(c):
    assert c.call("SET", "k", "v", "PX", "50") == "OK"
    assert c.call("GET", "k") == b"v"
    time.sleep(0.12)
    assert c.call("GET", "k") is None
    assert c.call("EXISTS", "k") == 0
    assert c.call("TTL", "k") == -2
    assert c.call("PTTL", "k") == -2


def test_ttl_counts_down(c):
    assert c.call("SET", "k", "v", "PX", "1500") == "OK"
    first = c.call("PTTL", "k")
    assert 1400 < first <= 1500
    time.sleep(0.3)
    second = c.call("PTTL", "k")
    assert first - second >= 250
    assert c.call("TTL", "k") in (1, 2)


@pytest.mark.parametrize("setter", [
    ("SET", "k", "v", "PX", "50"),
    ("PSETEX", "k", "50", "v"),
    ("SET", "k", "v", "PXAT", "{now_ms_plus_50}"),
])
def test_various_ways_to_set_short_ttl(c, setter):
    now_ms = int(time.time() * 1000)
    args = [a.format(now_ms_plus_50=now_ms + 50) for a in setter]
    assert c.call(*args) == "OK"
    time.sleep(0.12)
    assert c.call("GET", "k") is None


def test_pexpire_and_getex_short_ttl(c):
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("PEXPIRE", "a", "50") == 1
    assert c.call("GETEX", "b", "PX", "50") == b"2"
    time.sleep(0.12)
    assert c.call("MGET", "a", "b") == [None, None]


def test_expired_keys_invisible_to_keys_but_counted_by_dbsize(c, no_active_expire):
    for i in range(10):
        assert c.call("SET", f"k{i}", "v", "PX", "50") == "OK"
    assert c.call("SET", "keep", "v") == "OK"
    time.sleep(0.12)
    # DBSIZE counts logically expired keys that were not reclaimed yet ...
    assert c.call("DBSIZE") == 11
    info = c.call("INFO", "keyspace")
    assert info.startswith(b"# Keyspace\r\ndb0:keys=11,expires=10,avg_ttl=")
    # ... KEYS filters them out (without deleting them) ...
    assert c.call("KEYS", "*") == [b"keep"]
    assert c.call("DBSIZE") == 11
    # ... and SCAN filters and deletes them.
    cursor, keys = c.call("SCAN", "0", "COUNT", "1000")
    assert cursor == b"0" and keys == [b"keep"]
    assert c.call("DBSIZE") == 1


def test_lazy_expiry_deletes_on_access(c, no_active_expire):
    keys = [f"k{i}" for i in range(12)]
    for k in keys:
        assert c.call("SET", k, "v", "PX", "50") == "OK"
    time.sleep(0.12)
    accessors = [("EXISTS", "k0", 0), ("GET", "k1", None), ("TTL", "k2", -2),
                 ("MGET", "k3", [None]), ("TYPE", "k4", "none"), ("TOUCH", "k5", 0),
                 ("STRLEN", "k6", 0), ("PERSIST", "k7", 0), ("PTTL", "k8", -2),
                 ("GETDEL", "k9", None)]
    size = 12
    for cmd, key, expected in accessors:
        assert c.call(cmd, key) == expected, cmd
        size -= 1
        assert c.call("DBSIZE") == size, cmd
    assert c.call("EXPIRE", "k10", "100") == 0
    assert c.call("DBSIZE") == 1
    assert c.call("OBJECT", "ENCODING", "k11") is None
    assert c.call("DBSIZE") == 0


def test_write_to_expired_key_starts_fresh(c, no_active_expire):
    assert c.call("SET", "s", "old", "PX", "50") == "OK"
    assert c.call("SET", "n", "41", "PX", "50") == "OK"
    assert c.call("SET", "x", "old", "PX", "50") == "OK"
    assert c.call("SET", "y", "old", "PX", "50") == "OK"
    time.sleep(0.12)
    assert c.call("APPEND", "s", "new") == 3
    assert c.call("GET", "s") == b"new"
    assert c.call("TTL", "s") == -1
    assert c.call("INCR", "n") == 1
    assert c.call("SETNX", "x", "fresh") == 1
    assert c.call("SET", "y", "z", "NX", "GET") is None
    assert c.call("GET", "y") == b"z"


def test_expired_key_and_keyspace_commands(c, no_active_expire):
    for k in ["a", "b", "c"]:
        assert c.call("SET", k, "v", "PX", "50") == "OK"
    assert c.call("SET", "dst", "v") == "OK"
    time.sleep(0.12)
    assert c.call("RENAME", "a", "z") == Err("ERR no such key")
    assert c.call("COPY", "b", "z") == 0
    assert c.call("MOVE", "c", "1") == 0
    assert c.call("RANDOMKEY") == b"dst"
    assert c.call("DBSIZE") == 1


def test_expired_keys_stat(c, no_active_expire):
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    for i in range(5):
        assert c.call("SET", f"k{i}", "v", "PX", "50") == "OK"
    time.sleep(0.12)
    for i in range(5):
        assert c.call("GET", f"k{i}") is None
    stats = c.call("INFO", "stats").decode()
    assert "\r\nexpired_keys:5\r\n" in stats


def test_active_expiry(c):
    n = 200
    payload = [("SET", f"active:{i}", "v", "PX", "100") for i in range(n)]
    for cmd in payload:
        assert c.call(*cmd) == "OK"
    assert c.call("SET", "persistent", "v") == "OK"
    assert c.call("DBSIZE") == n + 1
    # Do not touch the keys: the background cycle must reclaim them.
    assert wait_for(lambda: c.call("DBSIZE") == 1, timeout=3.0)
    assert c.call("GET", "persistent") == b"v"
    info = c.call("INFO", "keyspace")
    assert info == b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"


def test_active_expiry_other_db(c):
    assert c.call("SELECT", "9") == "OK"
    for i in range(50):
        assert c.call("SET", f"k{i}", "v", "PX", "100") == "OK"
    assert c.call("SELECT", "0") == "OK"
    assert c.call("SET", "x", "1") == "OK"
    assert c.call("SELECT", "9") == "OK"
    assert wait_for(lambda: c.call("DBSIZE") == 0, timeout=3.0)


def test_active_expiry_can_be_disabled(c):
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
    try:
        for i in range(20):
            assert c.call("SET", f"k{i}", "v", "PX", "50") == "OK"
        time.sleep(0.5)
        assert c.call("DBSIZE") == 20
    finally:
        assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == "OK"
    assert wait_for(lambda: c.call("DBSIZE") == 0, timeout=3.0)


def test_persist_prevents_expiry(c):
    assert c.call("SET", "k", "v", "PX", "100") == "OK"
    assert c.call("PERSIST", "k") == 1
    time.sleep(0.2)
    assert c.call("GET", "k") == b"v"


def test_overwrite_clears_pending_expiry(c):
    assert c.call("SET", "k", "v", "PX", "100") == "OK"
    assert c.call("SET", "k", "v2") == "OK"
    time.sleep(0.2)
    assert c.call("GET", "k") == b"v2"


def test_redis_py_expiry(r):
    r.set("k", "v", px=50)
    time.sleep(0.12)
    assert r.get("k") is None
    assert r.exists("k") == 0
