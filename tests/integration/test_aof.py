"""The append-only file against the real binary: nothing acknowledged is lost to kill -9, the
AOF directory moves between ember-server and redis-server both ways, and it can be turned on
live. The redis-server these tests start besides the target uses ports 22200-22299."""

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

from ember_harness import HOST, make_redis


def _free_port():
    for port in range(22200, 22300):
        s = socket.socket()
        try:
            s.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def _info(client, field):
    value = client.info("persistence").get(field)
    return None if value is None else str(value)


def _wait_rewrite_done(client, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _info(client, "aof_rewrite_in_progress") == "0" and _info(client, "aof_rewrite_scheduled") == "0":
            return
        time.sleep(0.05)
    raise AssertionError("AOF rewrite did not finish")


def _load(workers, seconds, port):
    """Clients doing INCR c and RPUSH l <id> until the server dies; what each had acknowledged."""
    acknowledged_incr = [0] * workers
    acknowledged_ids = [[] for _ in range(workers)]
    sent = [0] * workers
    stop = threading.Event()

    def work(n):
        client = make_redis(port)
        i = 0
        try:
            while not stop.is_set():
                sent[n] += 1
                client.incr("c")
                acknowledged_incr[n] += 1
                ident = f"{n}:{i}"
                client.rpush("l", ident)
                acknowledged_ids[n].append(ident)
                i += 1
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pass

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(workers)]
    for t in threads:
        t.start()
    return threads, stop, acknowledged_incr, acknowledged_ids, sent


@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_kill9_loses_no_acknowledged_write(server_factory, fsync):
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", fsync])
    client = make_redis(srv.port)
    assert client.ping()
    threads, stop, incrs, ids, sent = _load(8, 1.5, srv.port)
    time.sleep(1.5)
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(10)
    acknowledged = sum(incrs)
    assert acknowledged > 100, "the load did not run"
    srv.start()
    client = make_redis(srv.port)
    counter = int(client.get("c") or 0)
    # Every acknowledged INCR is there; at most the ones in flight at the kill are extra.
    assert acknowledged <= counter <= sum(sent)
    present = set(x.decode() for x in client.lrange("l", 0, -1))
    missing = [i for worker in ids for i in worker if i not in present]
    assert missing == []
    manifest = Path(srv.workdir) / "appendonlydir" / "appendonly.aof.manifest"
    check = subprocess.run(["redis-check-aof", str(manifest)], capture_output=True, text=True)
    assert "is valid" in check.stdout or "are valid" in check.stdout, check.stdout + check.stderr


def _fill(client):
    client.set("s", "text")
    client.set("n", 12345)
    client.set("ttl", "v", px=10_000_000)
    client.rpush("list", *[f"e{i}" for i in range(300)])
    client.hset("hash", mapping={f"f{i}": i for i in range(10)})
    client.sadd("ints", 1, 2, 3)
    client.sadd("strs", "a", "b", "c")
    client.zadd("z", {"a": 1.5, "b": -2, "c": 3})
    client.incrbyfloat("float", "1.5")
    client.spop("strs")
    client.execute_command("SELECT", 3)
    client.set("in-db-3", "x")
    client.execute_command("SELECT", 0)


class RedisOn:
    def __init__(self, directory, *args):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", HOST, "--dir", str(directory),
             "--save", "", "--daemonize", "no", "--enable-debug-command", "yes", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.client = make_redis(self.port)
                self.client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def redis_available():
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")


@pytest.mark.parametrize("rewrite", [False, True])
def test_redis_loads_embers_aof_directory(server_factory, tmp_path, redis_available, target, rewrite):
    if target != "ember":
        pytest.skip("compares ember-server with redis-server")
    srv = server_factory.start(args=["--appendonly", "yes", "--enable-debug-command", "yes"])
    client = make_redis(srv.port)
    _fill(client)
    if rewrite:
        client.bgrewriteaof()
        _wait_rewrite_done(client)
        client.rpush("list", "after-rewrite")
    digest = client.execute_command("DEBUG", "DIGEST")
    srv.stop()
    shutil.copytree(Path(srv.workdir) / "appendonlydir", tmp_path / "appendonlydir")
    reference = RedisOn(tmp_path, "--appendonly", "yes")
    try:
        assert reference.client.execute_command("DEBUG", "DIGEST") == digest
    finally:
        reference.stop()


def test_ember_loads_redis_aof_directory(server_factory, tmp_path, redis_available, target):
    if target != "ember":
        pytest.skip("compares ember-server with redis-server")
    reference = RedisOn(tmp_path, "--appendonly", "yes")
    try:
        _fill(reference.client)
        reference.client.bgrewriteaof()
        _wait_rewrite_done(reference.client)
        reference.client.hset("hash", "late", "1")
        digest = reference.client.execute_command("DEBUG", "DIGEST")
    finally:
        reference.stop()
    srv = server_factory.start(args=["--appendonly", "yes", "--enable-debug-command", "yes"])
    srv.stop()
    shutil.rmtree(Path(srv.workdir) / "appendonlydir", ignore_errors=True)
    shutil.copytree(tmp_path / "appendonlydir", Path(srv.workdir) / "appendonlydir")
    srv.start()
    assert make_redis(srv.port).execute_command("DEBUG", "DIGEST") == digest


def test_appendonly_turned_on_live_keeps_the_data(server_factory):
    srv = server_factory.start(args=["--enable-debug-command", "yes"])
    client = make_redis(srv.port)
    _fill(client)
    assert client.config_set("appendonly", "yes")
    _wait_rewrite_done(client)
    assert _info(client, "aof_enabled") == "1"
    client.set("after", "on")
    digest = client.execute_command("DEBUG", "DIGEST")
    srv.stop()
    srv.argv += ["--appendonly", "yes"]
    srv.start()
    assert make_redis(srv.port).execute_command("DEBUG", "DIGEST") == digest


def test_debug_loadaof_reloads_the_same_data(server_factory):
    srv = server_factory.start(args=["--appendonly", "yes", "--enable-debug-command", "yes"])
    client = make_redis(srv.port)
    _fill(client)
    digest = client.execute_command("DEBUG", "DIGEST")
    assert client.execute_command("DEBUG", "LOADAOF") in (b"OK", "OK", True)
    assert client.execute_command("DEBUG", "DIGEST") == digest


def test_expired_key_recreated_replays_as_the_new_value(server_factory):
    # The DEL of an expired key goes into the AOF before the command that recreates it.
    srv = server_factory.start(args=["--appendonly", "yes", "--enable-debug-command", "yes"])
    client = make_redis(srv.port)
    client.rpush("k", "old1", "old2")
    client.pexpire("k", 50)
    time.sleep(0.2)
    client.rpush("k", "new")
    srv.stop()
    srv.start()
    assert make_redis(srv.port).lrange("k", 0, -1) == [b"new"]


def _incremental_aof(srv):
    files = sorted((srv.workdir / "appendonlydir").glob("*.incr.aof"))
    return b"".join(path.read_bytes() for path in files)


def test_expiries_propagate_as_unlink_with_lazyfree_lazy_expire(server_factory):
    # Redis 7.0: an expired key (met on access, by the active cycle, or given a time in the
    # past by EXPIRE/GETEX) leaves as UNLINK when lazyfree-lazy-expire frees it lazily.
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", "always",
                                     "--lazyfree-lazy-expire", "yes"])
    client = make_redis(srv.port)
    client.set("lazy", "v", px=1)
    time.sleep(0.05)
    assert client.get("lazy") is None
    client.set("past", "v")
    client.expire("past", -1)
    client.set("getex", "v")
    assert client.getex("getex", exat=1) == b"v"
    client.config_set("lazyfree-lazy-expire", "no")
    client.set("eager", "v", px=1)
    time.sleep(0.05)
    assert client.get("eager") is None
    text = _incremental_aof(srv)
    assert b"$6\r\nUNLINK\r\n$4\r\nlazy\r\n" in text
    assert b"$6\r\nUNLINK\r\n$4\r\npast\r\n" in text
    assert b"$6\r\nUNLINK\r\n$5\r\ngetex\r\n" in text
    assert b"$3\r\nDEL\r\n$5\r\neager\r\n" in text


def test_flushdb_and_flushall_of_empty_databases_still_reach_the_aof(server_factory):
    # Redis 7.0 forces their propagation: a replica or AOF must see every flush.
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", "always"])
    client = make_redis(srv.port)
    client.flushdb()
    client.flushall()
    with client.pipeline(transaction=True) as tx:
        tx.flushdb()
        tx.get("nothing")
        tx.execute()
    text = _incremental_aof(srv)
    assert text.count(b"$7\r\nflushdb\r\n") + text.count(b"$7\r\nFLUSHDB\r\n") == 2, text
    assert text.count(b"$8\r\nflushall\r\n") + text.count(b"$8\r\nFLUSHALL\r\n") == 1, text


def _resp(*words):
    return b"".join([b"*%d\r\n" % len(words)] + [b"$%d\r\n%s\r\n" % (len(w), w) for w in words])


@pytest.mark.parametrize("layout", ["no directory", "interrupted"])
def test_old_single_file_aof_is_upgraded(server_factory, layout):
    # Redis 7.0's upgrade of a pre-7 appendonly.aof in `dir`: also when an earlier upgrade
    # wrote the manifest (naming the old file as the base) but died before moving the file.
    srv = server_factory.start(args=["--appendonly", "no"])
    srv.stop()
    (srv.workdir / "appendonly.aof").write_bytes(_resp(b"SET", b"k1", b"v1") + _resp(b"SET", b"k2", b"v2"))
    if layout == "interrupted":
        (srv.workdir / "appendonlydir").mkdir()
        (srv.workdir / "appendonlydir" / "appendonly.aof.manifest").write_text("file appendonly.aof seq 1 type b\n")
    srv.argv += ["--appendonly", "yes"]
    srv.start()
    client = make_redis(srv.port)
    assert client.mget("k1", "k2") == [b"v1", b"v2"]
    assert not (srv.workdir / "appendonly.aof").exists()
    assert (srv.workdir / "appendonlydir" / "appendonly.aof").exists()
    manifest = (srv.workdir / "appendonlydir" / "appendonly.aof.manifest").read_text().splitlines()
    assert manifest == ["file appendonly.aof seq 1 type b", "file appendonly.aof.1.incr.aof seq 1 type i"]


def test_timestamp_annotations_open_the_incremental_file_and_the_rewritten_base(server_factory):
    # aof-timestamp-enabled: `#TS:<seconds>` comes before the SELECT of the first change,
    # and a rewrite without RDB preamble starts its base with one (rewriteAppendOnlyFileRio).
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", "always"])
    client = make_redis(srv.port, db=9)
    client.config_set("aof-timestamp-enabled", "yes")
    client.config_set("aof-use-rdb-preamble", "no")
    client.set("foo", "bar")
    before = int(time.time())
    first = _incremental_aof(srv).split(b"\r\n")
    assert first[0].startswith(b"#TS:") and abs(int(first[0][4:]) - before) <= 2, first[:4]
    assert first[1:6] == [b"*2", b"$6", b"SELECT", b"$1", b"9"], first[:8]
    client.bgrewriteaof()
    _wait_rewrite_done(client)
    bases = sorted((srv.workdir / "appendonlydir").glob("*.base.aof"))
    assert len(bases) == 1
    assert bases[0].read_bytes().split(b"\r\n")[0].startswith(b"#TS:")


def test_swapdb_and_the_expiry_met_by_a_served_key_reach_the_aof(server_factory):
    # SWAPDB is a change (Redis's dirty++); a key readied for a blocked client but found
    # expired leaves as DEL right after the command that readied it.
    srv = server_factory.start(args=["--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes"])
    client = make_redis(srv.port)
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    client.set("a", "1")
    client.swapdb(0, 1)
    waiter = make_redis(srv.port)
    blocked = threading.Thread(target=lambda: waiter.brpop("k", 0.5))
    blocked.start()
    deadline = time.monotonic() + 5
    while client.info("clients")["blocked_clients"] != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    with client.pipeline(transaction=True) as tx:
        tx.rpush("k", "hello")
        tx.pexpire("k", 100)
        tx.execute_command("DEBUG", "SLEEP", "0.2")
        tx.execute()
    blocked.join()
    text = _incremental_aof(srv).lower()
    assert b"$6\r\nswapdb\r\n$1\r\n0\r\n$1\r\n1\r\n" in text, text
    exec_at = text.rfind(b"$4\r\nexec\r\n")
    assert exec_at > 0 and text.find(b"$3\r\ndel\r\n$1\r\nk\r\n", exec_at) > exec_at, text
