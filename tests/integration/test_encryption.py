"""Encryption at rest (`encryption-key-file`, Ember only): RDB and AOF files are sealed with
AES-256-GCM, load back with the key, are refused with another, survive kill -9 under
`appendfsync always`, and follow a key rotation at the next rewrite or save."""

import hashlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

from conftest import EMBER, EMBER_BIN, Server, pick_port
from ember_harness import HOST, make_redis

pytestmark = pytest.mark.skipif(not EMBER, reason="encryption at rest is Ember's, Redis has none")

MARKER = "plaintext-marker-7f3a9c"


def _new_key():
    return os.urandom(32)


def _key_id(key):
    return hashlib.sha256(key).digest()[:8]


def _write_keys(path, *keys):
    path.write_text("".join(key.hex() + "\n" for key in keys))


def _argv(port, workdir, keyfile, *extra):
    argv = [EMBER_BIN, "--port", port, "--bind", HOST, "--save", "", "--dir", workdir,
            "--enable-debug-command", "yes"]
    if keyfile is not None:
        argv += ["--encryption-key-file", keyfile]
    return [str(a) for a in argv + list(extra)]


def _start(workdir, keyfile, *extra):
    port = pick_port()
    srv = Server(_argv(port, workdir, keyfile, *extra), port, workdir)
    srv.start()
    return srv


def _refused(workdir, keyfile, *extra):
    """Starts the server expecting it to refuse: its exit code and output."""
    run = subprocess.run(_argv(pick_port(), workdir, keyfile, *extra), cwd=workdir, capture_output=True,
                         text=True, timeout=30)
    return run.returncode, run.stdout + run.stderr


def _wait_rewrite(client, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if info["aof_rewrite_in_progress"] == 0 and info["aof_rewrite_scheduled"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("AOF rewrite did not finish")


def _aof_files(workdir):
    directory = Path(workdir) / "appendonlydir"
    return {p.name: p.read_bytes() for p in directory.iterdir() if not p.name.endswith(".manifest")}


def _assert_sealed(data, key, name):
    assert data[:8] == b"EMBERENC", name
    assert data[12:20] == _key_id(key), f"{name}: key id {data[12:20].hex()}"
    assert MARKER.encode() not in data, name


def test_save_restart_loads_and_the_file_holds_no_plaintext(tmp_path):
    key = _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, key)
    srv = _start(tmp_path, keyfile)
    try:
        client = srv.client()
        client.set("secret", MARKER)
        client.rpush("list", *[f"{MARKER}-{i}" for i in range(100)])
        assert client.save()
        _assert_sealed((tmp_path / "dump.rdb").read_bytes(), key, "dump.rdb")
        assert client.execute_command("DEBUG", "RELOAD") in (b"OK", "OK", True)
        assert client.get("secret") == MARKER.encode()
    finally:
        srv.stop()
    srv.start()
    try:
        client = srv.client()
        assert client.get("secret") == MARKER.encode()
        assert client.llen("list") == 100
        # BGSAVE is sealed too.
        client.set("after", MARKER)
        client.bgsave()
        deadline = time.monotonic() + 30
        while client.info("persistence")["rdb_bgsave_in_progress"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.info("persistence")["rdb_last_bgsave_status"] == "ok"
        _assert_sealed((tmp_path / "dump.rdb").read_bytes(), key, "dump.rdb after BGSAVE")
    finally:
        srv.stop()


def test_another_key_no_key_or_a_bad_key_file_refuse_to_start(tmp_path):
    key = _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, key)
    srv = _start(tmp_path, keyfile)
    try:
        srv.client().set("k", MARKER)
        assert srv.client().save()
    finally:
        srv.stop()
    other = tmp_path / "other-key"
    _write_keys(other, _new_key())
    code, output = _refused(tmp_path, other)
    assert code != 0
    assert "dump.rdb" in output and "not in encryption-key-file" in output and _key_id(key).hex() in output, output
    code, output = _refused(tmp_path, None)
    assert code != 0 and "no encryption-key-file is configured" in output, output
    code, output = _refused(tmp_path, tmp_path / "missing-key")
    assert code != 0 and "missing-key" in output, output
    garbled = tmp_path / "garbled-key"
    garbled.write_text("not-a-key\n")
    code, output = _refused(tmp_path, garbled)
    assert code != 0 and "garbled-key" in output, output
    # The right key still loads: nothing was changed by the refusals.
    srv.start()
    try:
        assert srv.client().get("k") == MARKER.encode()
    finally:
        srv.stop()


def test_kill9_with_appendfsync_always_loses_no_acknowledged_write(tmp_path):
    key = _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, key)
    srv = _start(tmp_path, keyfile, "--appendonly", "yes", "--appendfsync", "always")
    acknowledged = [[] for _ in range(6)]
    stop = threading.Event()

    def work(n):
        client = make_redis(srv.port)
        i = 0
        try:
            while not stop.is_set():
                ident = f"{MARKER}:{n}:{i}"
                client.rpush("l", ident)
                acknowledged[n].append(ident)
                i += 1
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pass

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(len(acknowledged))]
    for t in threads:
        t.start()
    time.sleep(1.5)
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(10)
    total = sum(len(a) for a in acknowledged)
    assert total > 50, "the load did not run"
    for name, data in _aof_files(tmp_path).items():
        _assert_sealed(data, key, name)
    srv.start()
    try:
        present = set(x.decode() for x in srv.client().lrange("l", 0, -1))
        missing = [i for worker in acknowledged for i in worker if i not in present]
        assert missing == []
    finally:
        srv.stop()


def test_bgrewriteaof_output_is_encrypted_and_loads(tmp_path):
    key = _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, key)
    for preamble in ("yes", "no"):
        workdir = tmp_path / f"preamble-{preamble}"
        workdir.mkdir()
        srv = _start(workdir, keyfile, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
        try:
            client = srv.client()
            for i in range(200):
                client.set(f"k{i}", f"{MARKER}-{i}")
            client.hset("h", mapping={f"f{i}": MARKER for i in range(20)})
            client.bgrewriteaof()
            _wait_rewrite(client)
            client.set("after", MARKER)
            files = _aof_files(workdir)
            assert any(".base." in name for name in files)
            for name, data in files.items():
                _assert_sealed(data, key, name)
            # The manifest stays plaintext: it names the files, as Redis's tools expect.
            manifest = (workdir / "appendonlydir" / "appendonly.aof.manifest").read_text()
            assert "type b" in manifest
        finally:
            srv.stop()
        srv.start()
        try:
            client = srv.client()
            assert client.get("k199") == f"{MARKER}-199".encode()
            assert client.get("after") == MARKER.encode()
            assert client.hlen("h") == 20
        finally:
            srv.stop()


def test_rotation_old_key_second_loads_then_files_move_to_the_new_key(tmp_path):
    old, new = _new_key(), _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, old)
    srv = _start(tmp_path, keyfile, "--appendonly", "yes")
    try:
        client = srv.client()
        client.set("before", MARKER)
        assert client.save()
    finally:
        srv.stop()
    _assert_sealed((tmp_path / "dump.rdb").read_bytes(), old, "dump.rdb")

    _write_keys(keyfile, new, old)
    srv.start()
    try:
        client = srv.client()
        assert client.get("before") == MARKER.encode()
        client.set("rotated", MARKER)
        client.bgrewriteaof()
        _wait_rewrite(client)
        assert client.save()
        for name, data in _aof_files(tmp_path).items():
            _assert_sealed(data, new, name)
        _assert_sealed((tmp_path / "dump.rdb").read_bytes(), new, "dump.rdb")
    finally:
        srv.stop()

    _write_keys(keyfile, new)
    srv.start()
    try:
        client = srv.client()
        assert client.get("before") == MARKER.encode()
        assert client.get("rotated") == MARKER.encode()
    finally:
        srv.stop()
    # The RDB file alone, with only the new key.
    srv_rdb = _start(tmp_path, keyfile)
    try:
        assert srv_rdb.client().get("rotated") == MARKER.encode()
    finally:
        srv_rdb.stop()


def test_a_torn_last_chunk_is_a_truncated_tail(tmp_path):
    key = _new_key()
    keyfile = tmp_path / "key"
    _write_keys(keyfile, key)
    srv = _start(tmp_path, keyfile, "--appendonly", "yes", "--appendfsync", "always")
    try:
        client = srv.client()
        for i in range(10):
            client.set(f"k{i}", f"{MARKER}-{i}")
    finally:
        srv.stop()
    manifest = (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text()
    last = [line.split()[1] for line in manifest.splitlines() if line.endswith("type i")][-1]
    path = tmp_path / "appendonlydir" / last
    data = path.read_bytes()
    # The process died in the middle of writing the last batch.
    path.write_bytes(data[:-5])
    code, output = _refused(tmp_path, keyfile, "--appendonly", "yes", "--aof-load-truncated", "no")
    assert code != 0 and last in output and "aof-load-truncated" in output, output
    srv.start()
    try:
        client = srv.client()
        assert [client.get(f"k{i}") for i in (0, 8, 9)] == [f"{MARKER}-0".encode(), f"{MARKER}-8".encode(), None]
        assert "Truncating the AOF" in srv.logpath.read_text()
        _assert_sealed(path.read_bytes(), key, last)
    finally:
        srv.stop()
    # Sealed again whole: it now loads even with aof-load-truncated no.
    strict = _start(tmp_path, keyfile, "--appendonly", "yes", "--aof-load-truncated", "no")
    try:
        assert strict.client().get("k8") == f"{MARKER}-8".encode()
    finally:
        strict.stop()
