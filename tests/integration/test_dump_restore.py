"""DUMP and RESTORE: payloads interchange with redis-server 7.0 both ways, and every reply
(errors included) matches what redis-server answers to the same command.

The server under test comes from conftest (EMBER_TEST_TARGET); a second, real redis-server
(ports 22000-22099) is the oracle and the other end of every transfer."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from ember_harness import HOST, make_redis
from ember_resp import Err, RawConn

FAR_FUTURE_MS = 4102444800000
OK = (True, b"OK", "OK")


def _free_port(low=22000, high=22100):
    for port in range(low, high):
        s = socket.socket()
        try:
            s.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port for the oracle redis-server")


class Oracle:
    def __init__(self, tmp_path, *args):
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip("redis-server not installed")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
             "--dir", str(tmp_path), "--enable-debug-command", "yes", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with RawConn(HOST, self.port, timeout=1.0) as conn:
                    if conn.call("PING") == "PONG":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oracle redis-server did not start")
            time.sleep(0.05)
        self.client = make_redis(self.port)

    def raw(self):
        return RawConn(HOST, self.port, timeout=5.0)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    server = Oracle(tmp_path_factory.mktemp("oracle"))
    yield server
    server.stop()


@pytest.fixture
def o(oracle):
    oracle.client.flushall()
    return oracle.client


def content(client, key):
    """TYPE, OBJECT ENCODING and the value, in a comparable form."""
    kind = client.type(key).decode()
    encoding = client.object("encoding", key)
    if kind == "string":
        value = client.get(key)
    elif kind == "list":
        value = client.lrange(key, 0, -1)
    elif kind == "set":
        value = sorted(client.smembers(key))
    elif kind == "hash":
        value = sorted(client.hgetall(key).items())
    elif kind == "zset":
        value = client.zrange(key, 0, -1, withscores=True)
    else:
        value = None
    return kind, encoding, value


def populate(client):
    """Every type in each of its encodings; returns the keys."""
    client.set("str:short", "hello")
    client.set("str:int", "12345")
    client.set("str:int64", "-9223372036854775808")
    client.set("str:notint", "007")
    client.set("str:empty", "")
    client.set("str:binary", bytes(range(256)))
    client.set("str:compressible", "abc" * 500)
    client.set("str:big", b"\x00\x01xyz" * 100_000)
    client.rpush("list:small", "a", "1", "-2", "70000", "", "b" * 100)
    client.rpush("list:big", *[f"element-{i}" for i in range(5000)])
    client.rpush("list:ints", *range(-1000, 1000))
    client.sadd("set:intset", 1, 2, 3, -100, 70000, 5000000000)
    client.sadd("set:strings", "a", "b", "hello world")
    client.sadd("set:bigints", *range(1000))
    client.sadd("set:big", *[f"m{i}" for i in range(1000)])
    client.hset("hash:small", mapping={"f1": "v1", "f2": "2", "neg": "-77", "empty": ""})
    client.hset("hash:big", mapping={f"field:{i}": f"value:{i}" for i in range(1000)})
    client.hset("hash:longvalue", mapping={"a": "1", "b": "y" * 100})
    client.zadd("zset:small", {"a": 1.5, "b": 2, "c": -3, "d": 0, "e": 1e100, "f": 3.141592653589793})
    client.zadd("zset:inf", {"lo": float("-inf"), "hi": float("inf"), "mid": 0.1})
    client.zadd("zset:big", {f"member:{i}": i / 7 for i in range(1000)})
    client.zadd("zset:longmember", {"m" * 100: 1, "n": 2})
    return sorted(k.decode() for k in client.keys("*"))


def test_dump_missing_key_is_nil(r, o):
    assert r.dump("nosuchkey") is None
    assert o.dump("nosuchkey") is None


def test_redis_payloads_restore_here_and_back(r, o):
    keys = populate(o)
    assert len(keys) == 22
    for key in keys:
        payload = o.dump(key)
        assert r.restore(key, 0, payload) in OK
        assert content(r, key) == content(o, key), key
        mine = r.dump(key)
        assert o.restore(key + ":back", 0, mine) in OK
        assert content(o, key + ":back") == content(o, key), key


def test_payloads_made_here_restore_on_redis(r, o):
    keys = populate(r)
    for key in keys:
        assert o.restore(key, 0, r.dump(key)) in OK
        assert content(o, key) == content(r, key), key


def test_small_payloads_are_byte_identical(r, o):
    # Without LZF (whose output is an implementation detail), the encodings are Redis's own.
    r.config_set("rdbcompression", "no")
    o.config_set("rdbcompression", "no")
    try:
        for client in (r, o):
            client.set("s", "hello")
            client.set("i", "1234")
            client.sadd("si", 5, 1, 3000000000)
            client.hset("h", mapping={"a": "1", "b": "hello"})
            client.zadd("z", {"a": 1, "b": 2.5, "c": -1})
            client.rpush("l", "a", "12", "-5000", "x" * 70)
        for key in ("s", "i", "si", "h", "z", "l"):
            assert r.dump(key) == o.dump(key), key
    finally:
        r.config_set("rdbcompression", "yes")
        o.config_set("rdbcompression", "yes")


def test_restore_follows_the_local_thresholds(r, o):
    o.hset("h", mapping={f"f{i}": "v" for i in range(10)})
    o.sadd("s", *range(10))
    o.zadd("z", {f"m{i}": i for i in range(10)})
    r.config_set("hash-max-listpack-entries", 4)
    r.config_set("set-max-intset-entries", 4)
    r.config_set("zset-max-listpack-entries", 4)
    try:
        for key in ("h", "s", "z"):
            r.restore(key, 0, o.dump(key))
        assert r.object("encoding", "h") == b"hashtable"
        assert r.object("encoding", "s") == b"hashtable"
        assert r.object("encoding", "z") == b"skiplist"
        assert sorted(r.hgetall("h").items()) == sorted(o.hgetall("h").items())
    finally:
        r.config_set("hash-max-listpack-entries", 512)
        r.config_set("set-max-intset-entries", 512)
        r.config_set("zset-max-listpack-entries", 128)


def test_compressed_and_plain_quicklist_nodes_from_redis(r, o):
    o.config_set("list-compress-depth", 1)
    try:
        o.rpush("compressed", *[f"compressible-element-{i % 10}" * 3 for i in range(3000)])
    finally:
        o.config_set("list-compress-depth", 0)
    o.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", 100)
    try:
        o.rpush("plain", "small", "L" * 200, "small2", "M" * 150)
    finally:
        o.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", 1 << 30)
    for key in ("compressed", "plain"):
        r.restore(key, 0, o.dump(key))
        assert r.lrange(key, 0, -1) == o.lrange(key, 0, -1)


def test_compressed_nodes_written_here_load_on_redis(r, o):
    r.config_set("list-compress-depth", 2)
    r.config_set("list-max-listpack-size", 16)
    try:
        r.rpush("l", *[f"compressible-element-{i % 10}" * 3 for i in range(2000)])
        o.restore("l", 0, r.dump("l"))
    finally:
        r.config_set("list-compress-depth", 0)
        r.config_set("list-max-listpack-size", -2)
    assert o.lrange("l", 0, -1) == r.lrange("l", 0, -1)


def test_ttl_options(r, o):
    o.set("k", "v")
    payload = o.dump("k")
    for client in (r, o):
        client.delete("k")
        assert client.restore("k", 5000, payload)
        assert 4000 < client.pttl("k") <= 5000
        assert client.restore("k", FAR_FUTURE_MS, payload, replace=True, absttl=True)
        assert client.pexpiretime("k") == FAR_FUTURE_MS
        assert client.restore("k", 0, payload, replace=True)
        assert client.ttl("k") == -1
        # An expiry already past: OK, and no key (an existing one is deleted by REPLACE).
        assert client.restore("k", 1000, payload, replace=True, absttl=True)
        assert client.exists("k") == 0
        assert client.restore("k2", 1, payload, absttl=True)
        assert client.exists("k2") == 0


def test_idletime_and_freq(r, o):
    payload = (o.set("k", "v"), o.dump("k"))[1]
    assert r.restore("k", 0, payload, idletime=1000)
    assert 1000 <= r.object("idletime", "k") <= 1002
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        assert r.restore("f", 0, payload, frequency=100)
        assert r.object("freq", "f") == 100
        # FREQ under an LFU policy wins; IDLETIME is ignored there.
        assert r.restore("g", 0, payload, idletime=50)
        assert r.object("freq", "g") == 5
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def _same_reply(conn_a, conn_b, *command):
    a = conn_a.call(*command)
    b = conn_b.call(*command)
    assert a == b, (command, a, b)
    return a


def test_errors_match_redis(server, oracle, r, o):
    o.set("src", "value")
    good = o.dump("src")
    bad_crc = good[:-1] + bytes([good[-1] ^ 1])
    bad_version = good[:-10] + b"\x0b\x00" + good[-8:]
    import struct

    def with_crc(body):
        # A valid footer around a broken body: only the decoder can refuse it.
        from binascii import unhexlify  # noqa: F401
        return body + b"\x0a\x00" + struct.pack("<Q", _crc64(body + b"\x0a\x00"))

    garbage = with_crc(b"\x00\xff\xff")
    empty_set = with_crc(b"\x02\x00")
    stream = with_crc(b"\x0f\x00")
    r.set("exists", "1")
    o.set("exists", "1")
    with server.raw() as mine, oracle.raw() as theirs:
        cases = [
            ("RESTORE", "exists", "0", good),
            ("RESTORE", "new", "0", bad_crc),
            ("RESTORE", "new", "0", bad_version),
            ("RESTORE", "new", "0", b"short"),
            ("RESTORE", "new", "0", garbage),
            ("RESTORE", "new", "0", empty_set),
            ("RESTORE", "new", "0", stream),
            ("RESTORE", "new", "-1", good),
            ("RESTORE", "new", "abc", good),
            ("RESTORE", "new", "0", good, "IDLETIME", "-1"),
            ("RESTORE", "new", "0", good, "IDLETIME", "x"),
            ("RESTORE", "new", "0", good, "FREQ", "256"),
            ("RESTORE", "new", "0", good, "FREQ", "-1"),
            ("RESTORE", "new", "0", good, "IDLETIME", "10", "FREQ", "10"),
            ("RESTORE", "new", "0", good, "FREQ", "10", "IDLETIME", "10"),
            ("RESTORE", "new", "0", good, "IDLETIME"),
            ("RESTORE", "new", "0", good, "BOGUS"),
            ("RESTORE", "exists", "-1", bad_crc),  # BUSYKEY comes first
            ("RESTORE", "exists", "0", bad_crc, "REPLACE"),
            ("RESTORE", "new", "0"),
            ("DUMP",),
            ("DUMP", "a", "b"),
        ]
        for command in cases:
            reply = _same_reply(mine, theirs, *command)
            if command[0] == "RESTORE" and len(command) > 3 and command[1] == "new":
                assert isinstance(reply, Err), command
        assert mine.call("EXISTS", "new") == 0


def test_restore_is_case_insensitive_and_replace_works(r, o):
    o.rpush("l", "a", "b")
    payload = o.dump("l")
    r.set("l", "old")
    assert r.execute_command("RESTORE", "l", 0, payload, "rEpLaCe") == b"OK"
    assert r.lrange("l", 0, -1) == [b"a", b"b"]


def _crc64(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc
