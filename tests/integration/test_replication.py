"""The primary side of replication against the real binary: SYNC and PSYNC send an RDB of a
background save and then the stream of changes (as Redis 7.0 writes it, so the same tests run
against redis-server), and a real redis-server runs as Ember's replica and ends up with the same
data (DEBUG DIGEST). The replica redis-server uses ports 22300-22399."""

import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import EMBER
from ember_harness import HOST, make_redis


def _read_snapshot(conn):
    """After SYNC: newlines (keep-alives) may come first, then `$<size>\\r\\n` and the file."""
    while True:
        line = conn._line()
        if line:
            break
    assert line.startswith(b"$"), line
    size = int(line[1:])
    # The file is not followed by CRLF: the stream starts right after its last byte.
    while len(conn.buf) < size:
        conn._fill()
    data, conn.buf = conn.buf[:size], conn.buf[size:]
    return data


def _next_command(conn, timeout=5.0):
    """The next command of the stream, as a list of byte strings (the name lowercased)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = conn.read()
            break
        except socket.timeout:
            if time.monotonic() > deadline:
                raise
    assert isinstance(value, list), value
    return [value[0].lower()] + value[1:]


def _attach(server, command="SYNC"):
    client = server.client()
    client.config_set("repl-ping-replica-period", 3600)
    conn = server.raw(timeout=10)
    conn.send(command + "\r\n")
    return client, conn


@pytest.fixture
def fresh(server_factory):
    return server_factory.start(["--enable-debug-command", "yes"])


def test_sync_sends_the_snapshot_then_every_change(fresh, tmp_path):
    client = fresh.client()
    client.set("before", "1")
    client.rpush("list", "a", "b")
    client, conn = _attach(fresh)
    rdb = _read_snapshot(conn)
    assert rdb.startswith(b"REDIS0010")
    (tmp_path / "snapshot.rdb").write_bytes(rdb)
    if shutil.which("redis-check-rdb"):
        check = subprocess.run(["redis-check-rdb", str(tmp_path / "snapshot.rdb")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    assert b"before" in rdb and b"list" in rdb


def test_stream_is_in_deterministic_form(fresh):
    client, conn = _attach(fresh)
    _read_snapshot(conn)
    client.set("foo", "bar")
    make_redis(fresh.port, db=9).incr("n")
    client.set("e", "v", px=100_000)
    pipe = client.pipeline(transaction=True)
    pipe.set("x", "1").set("y", "2")
    pipe.execute()
    client.getdel("foo")
    client.set("gone", "1", px=50)
    time.sleep(0.2)
    client.get("gone")  # met expired: leaves as a DEL

    stream = [_next_command(conn) for _ in range(12)]
    assert stream[0] == [b"select", b"0"]
    assert stream[1] == [b"set", b"foo", b"bar"]
    assert stream[2] == [b"select", b"9"]
    assert stream[3] == [b"incrby", b"n", b"1"]
    assert stream[4] == [b"select", b"0"]
    name, key, value, pxat, when = stream[5]
    assert (name, key, value, pxat.upper()) == (b"set", b"e", b"v", b"PXAT")
    assert abs(int(when) - (time.time() * 1000 + 100_000)) < 10_000
    assert stream[6:9] == [[b"multi"], [b"set", b"x", b"1"], [b"set", b"y", b"2"]]
    assert stream[9] == [b"exec"]
    assert stream[10] == [b"del", b"foo"]
    assert stream[11][:3] == [b"set", b"gone", b"1"]
    assert _next_command(conn) == [b"del", b"gone"]


def test_psync_answers_with_a_full_resync_and_info_lists_the_replica(fresh):
    client = fresh.client()
    client.config_set("repl-ping-replica-period", 3600)
    conn = fresh.raw(timeout=10)
    conn.send("REPLCONF listening-port 4321\r\n")
    assert conn.read() == "OK"
    conn.send("PSYNC ? -1\r\n")
    line = conn._line()
    assert re.fullmatch(rb"\+FULLRESYNC [0-9a-f]{40} \d+", line), line
    replid = line.split()[1].decode()
    _read_snapshot(conn)
    info = client.info("replication")
    assert info["master_replid"] == replid
    assert info["connected_slaves"] == 1
    deadline = time.monotonic() + 5
    while info["slave0"]["state"] != "online" and time.monotonic() < deadline:
        time.sleep(0.05)
        info = client.info("replication")
    assert info["slave0"]["state"] == "online"
    assert info["slave0"]["port"] == 4321
    assert any(entry["flags"] == "S" for entry in client.client_list())
    client.set("k", "v")
    assert _next_command(conn) == [b"select", b"0"]
    assert _next_command(conn) == [b"set", b"k", b"v"]
    assert client.info("replication")["master_repl_offset"] > 0
    role = client.execute_command("ROLE")
    assert role[0] == b"master"
    conn.close()
    deadline = time.monotonic() + 5
    while client.info("replication")["connected_slaves"] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.info("replication")["connected_slaves"] == 0


def test_pings_every_period(fresh):
    client, conn = _attach(fresh)
    _read_snapshot(conn)
    client.config_set("repl-ping-replica-period", 1)
    assert client.config_get("repl-ping-replica-period") == {"repl-ping-replica-period": "1"}
    assert _next_command(conn, timeout=5) == [b"ping"]


def test_sync_inside_multi_is_refused(fresh):
    conn = fresh.raw()
    conn.send("MULTI\r\nSYNC\r\n")
    assert conn.read() == "OK"
    reply = conn.read()
    assert "not allowed" in str(reply), reply


def _replica_port():
    for port in range(22300, 22400):
        s = socket.socket()
        try:
            s.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


@pytest.mark.skipif(not EMBER, reason="a redis-server replica of ember-server")
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_redis_server_replicates_from_ember(fresh, tmp_path):
    source = fresh.client()
    source.set("s", "v")
    source.hset("h", mapping={"a": "1", "b": "2"})
    source.zadd("z", {"m": 1.5})
    port = _replica_port()
    replica = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", HOST, "--dir", str(tmp_path), "--save", "",
         "--enable-debug-command", "yes", "--replicaof", HOST, str(fresh.port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        follower = make_redis(port)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if follower.info("replication").get("master_link_status") == "up":
                    break
            except Exception:
                pass
            time.sleep(0.1)
        assert follower.info("replication")["master_link_status"] == "up"
        # Changes after the snapshot, in several databases, with expiries and transactions.
        for i in range(200):
            source.rpush("list", i)
            source.sadd("set", i % 37)
        source.set("ttl", "x", ex=1000)
        source.set("short", "x", px=30)
        make_redis(fresh.port, db=3).incrbyfloat("f", 1.25)
        pipe = source.pipeline(transaction=True)
        pipe.lpop("list").spop("set").hincrby("h", "a", 5)
        pipe.execute()
        time.sleep(0.1)
        source.get("short")
        digest = source.execute_command("DEBUG", "DIGEST")
        deadline = time.monotonic() + 10
        while follower.execute_command("DEBUG", "DIGEST") != digest and time.monotonic() < deadline:
            time.sleep(0.1)
        assert follower.execute_command("DEBUG", "DIGEST") == digest
        assert make_redis(port, db=3).get("f") == b"1.25"
        # The replica's acknowledgements reach INFO.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            line = source.info("replication").get("slave0", {})
            if line.get("offset", 0) == source.info("replication")["master_repl_offset"]:
                break
            time.sleep(0.1)
        assert source.info("replication")["slave0"]["port"] == port
        assert source.info("replication")["slave0"]["offset"] == source.info("replication")["master_repl_offset"]
    finally:
        replica.terminate()
        replica.wait(timeout=10)


@pytest.mark.skipif(not EMBER, reason="encryption at rest is Ember's")
def test_replica_gets_the_plain_rdb_when_files_are_encrypted(server_factory, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("ab" * 32 + "\n")
    key_file.chmod(0o600)
    fresh = server_factory.start(["--encryption-key-file", str(key_file)])
    client = fresh.client()
    client.set("secret", "value")
    client, conn = _attach(fresh)
    rdb = _read_snapshot(conn)
    assert rdb.startswith(b"REDIS0010") and b"secret" in rdb
    on_disk = (fresh.workdir / "dump.rdb").read_bytes()
    assert on_disk.startswith(b"EMBERENC") and b"secret" not in on_disk
    client.set("after", "1")
    assert _next_command(conn) == [b"select", b"0"]
    assert _next_command(conn) == [b"set", b"after", b"1"]


def _wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_rdb_del_sync_files_removes_the_file_made_for_a_replica(server_factory):
    # Neither save points nor the AOF: the snapshot exists only for the replica, and goes once
    # the replica has it.
    server = server_factory.start(["--save", "", "--appendonly", "no", "--rdb-del-sync-files", "yes"])
    server.client().set("k", "v")
    client, conn = _attach(server)
    assert b"k" in _read_snapshot(conn)
    assert _wait_until(lambda: not (server.workdir / "dump.rdb").exists())
    assert client.get("k") == b"v"


def test_rdb_del_sync_files_keeps_the_file_when_persistence_is_on(server_factory):
    for extra in (["--save", "", "--rdb-del-sync-files", "no"], ["--save", "3600", "1", "--rdb-del-sync-files", "yes"]):
        server = server_factory.start(["--appendonly", "no", *extra])
        server.client().set("k", "v")
        client, conn = _attach(server)
        assert b"k" in _read_snapshot(conn)
        # Two replication cron rounds: Redis would have removed it by then.
        time.sleep(2.5)
        assert (server.workdir / "dump.rdb").exists(), extra
        conn.close()
        server.stop()
