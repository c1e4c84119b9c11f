"""RDB files between ember-server and redis-server 7.0: each loads what the other writes,
with the same content (every type and encoding, expiries, several databases).

Needs ember-server's startup load and SAVE (the persistence subsystem); the tests skip while
those are missing. The oracle redis-server runs on ports 22100-22199."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import EMBER
from ember_harness import HOST, make_redis
from ember_resp import RawConn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rdb"


def _free_port():
    for port in range(22100, 22200):
        s = socket.socket()
        try:
            s.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


class RedisOn:
    """A redis-server loading `directory/filename` at start."""

    def __init__(self, directory, filename, *args):
        binary = shutil.which("redis-server")
        if not binary:
            pytest.skip("redis-server not installed")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
             "--dir", str(directory), "--dbfilename", filename, "--enable-debug-command", "yes", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server refused {directory}/{filename}")
            try:
                with RawConn(HOST, self.port, timeout=1.0) as conn:
                    if conn.call("PING") == "PONG":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        self.client = make_redis(self.port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def describe(client, databases=16):
    out = {}
    for db in range(databases):
        client.execute_command("SELECT", db)
        for key in client.keys("*"):
            kind = client.type(key).decode()
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
            expire = client.pexpiretime(key)
            out[(db, key)] = (kind, client.object("encoding", key), value, expire if expire > 0 else None)
    client.execute_command("SELECT", 0)
    return out


def _ember_loaded(client):
    info = client.info("keyspace")
    return bool(info)


def test_ember_loads_a_redis_file(server_factory, tmp_path):
    if not EMBER:
        pytest.skip("compares ember-server with redis-server")
    source = FIXTURES / "dump.rdb"
    with RedisOn(FIXTURES, "dump.rdb") as oracle:
        expected = describe(oracle.client)
    work = tmp_path / "ember"
    work.mkdir()
    shutil.copy(source, work / "dump.rdb")
    ember = server_factory.start(args=["--dir", str(work), "--dbfilename", "dump.rdb", "--save", ""])
    client = ember.client()
    if not _ember_loaded(client):
        pytest.skip("ember-server does not load its RDB file at startup yet")
    assert describe(client) == expected


def test_redis_loads_a_file_ember_saved(server_factory, tmp_path):
    if not EMBER:
        pytest.skip("compares ember-server with redis-server")
    work = tmp_path / "ember"
    work.mkdir()
    shutil.copy(FIXTURES / "dump.rdb", work / "dump.rdb")
    ember = server_factory.start(args=["--dir", str(work), "--dbfilename", "dump.rdb", "--save", ""])
    client = ember.client()
    if not _ember_loaded(client):
        pytest.skip("ember-server does not load its RDB file at startup yet")
    client.execute_command("SELECT", 3)
    client.set("written-by-ember", "yes", pxat=4102444800000)
    client.rpush("ember-list", *[f"e{i}" for i in range(3000)])
    client.execute_command("SELECT", 0)
    expected = describe(client)
    (work / "dump.rdb").unlink()
    try:
        client.save()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"ember-server cannot SAVE yet: {error}")
    saved = work / "dump.rdb"
    assert saved.exists()
    check = subprocess.run(["redis-check-rdb", str(saved)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with RedisOn(work, "dump.rdb") as oracle:
        assert describe(oracle.client) == expected


@pytest.mark.skipif(shutil.which("redis-check-rdb") is None, reason="redis-check-rdb is not installed")
@pytest.mark.parametrize("command", ["SAVE", "BGSAVE"])
def test_saved_file_records_the_memory_in_use(server_factory, tmp_path, command):
    # The `used-mem` aux field, as Redis writes it: the memory in use when the save began.
    srv = server_factory.start(args=["--save", ""])
    client = srv.client()
    client.rpush("list", *[f"e{i}" for i in range(1000)])
    client.execute_command(command)
    deadline = time.time() + 30
    while client.info("persistence")["rdb_bgsave_in_progress"] and time.time() < deadline:
        time.sleep(0.05)
    check = subprocess.run(["redis-check-rdb", str(srv.workdir / "dump.rdb")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    used = [line.split("'")[1] for line in check.stdout.splitlines() if "AUX FIELD used-mem" in line]
    assert used and int(used[0]) > 0, check.stdout
