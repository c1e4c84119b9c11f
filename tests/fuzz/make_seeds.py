#!/usr/bin/env python3
"""Writes the RDB and DUMP seed corpora of the fuzz targets with the real redis-server 7.0
(and ember-server's DUMP outputs, when a built ember-server is given).

    python3 tests/fuzz/make_seeds.py [--ember .build/debug/ember-server]

tests/fuzz/corpus/FuzzRDBLoad/<name>: a settings byte, then an RDB file redis-server saved
holding one type and encoding (every type, every encoding, expiries, LRU/LFU, several dbs),
plus a few of Redis's test-suite assets. tests/fuzz/corpus/FuzzDumpPayload/<name>: a settings
byte, then a DUMP payload without its 10-byte footer (the target appends a valid one).
tests/fuzz/corpus/FuzzAOFReplay/<name>: a settings byte, then an AOF file redis-server wrote
(incremental command files, rewritten bases with and without an RDB preamble, an old-style
preamble-then-commands file); tests/fuzz/corpus/FuzzAOFManifest/<name>: their manifests.
Uses ports 26000-26999.
"""
import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RDB_DIR = HERE / "corpus" / "FuzzRDBLoad"
DUMP_DIR = HERE / "corpus" / "FuzzDumpPayload"
AOF_DIR = HERE / "corpus" / "FuzzAOFReplay"
MANIFEST_DIR = HERE / "corpus" / "FuzzAOFManifest"
ASSETS = ROOT.parent / "shared" / "redis-7.0.15-tests" / "tests" / "assets"


def free_port(start):
    for port in range(start, 27000):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in 26000-26999")


def start(binary, workdir, port, extra=()):
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir, "--save", "",
            "--appendonly", "no", "--enable-debug-command", "yes"] + list(extra)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return proc, client
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{binary} did not start")


# name -> commands building the keyspace (each scenario saved in its own file).
SCENARIOS = {
    "string-raw": [["SET", "s", "hello world, a plain string"], ["SET", "empty", ""]],
    "string-int": [["SET", "i", "12345"], ["SET", "neg", "-9223372036854775808"], ["SET", "i8", "7"]],
    "string-lzf": [["SET", "lzf", "abcabcabcabc" * 20]],
    "list-listpack": [["RPUSH", "l", "a", "b", "1", "-7", "300000", "x" * 70]],
    "list-quicklist": [["RPUSH", "l"] + [f"element-{i}" for i in range(300)]],
    "list-compressed": [["CONFIG", "SET", "list-compress-depth", "1"], ["CONFIG", "SET", "list-max-listpack-size", "4"],
                        ["RPUSH", "l"] + [f"compressible-element-{i % 3}" * 3 for i in range(24)]],
    "list-plain": [["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"], ["RPUSH", "l", "small", "p" * 200, "tail"]],
    "set-intset": [["SADD", "s", "1", "2", "-3", "70000", "5000000000"]],
    "set-hashtable": [["SADD", "s", "a", "b", "c", "1"]],
    "hash-listpack": [["HSET", "h", "f1", "v1", "f2", "2", "f3", "-300000"]],
    "hash-hashtable": [["HSET", "h", "long", "v" * 80, "f2", "2"]],
    "zset-listpack": [["ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d"]],
    "zset-skiplist": [["ZADD", "z", "1", "a", "2", "b" * 80, "3", "c"]],
    "expires-dbs": [["SET", "a", "1", "PX", "100000000"], ["SELECT", "3"], ["SET", "b", "2", "EX", "100000"],
                    ["HSET", "h", "f", "v"], ["PEXPIRE", "h", "500000000"], ["SELECT", "15"], ["SADD", "s", "x"]],
    "lru": [["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["SET", "a", "1"], ["RPUSH", "l", "x"]],
    "lfu": [["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], ["SET", "a", "1"], ["GET", "a"], ["SADD", "s", "1"]],
    "stream": [["XADD", "st", "1-1", "f", "v"], ["SET", "after", "x"]],
    "function": [["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"], ["SET", "k", "v"]],
    "mixed": [["SET", "s", "v"], ["RPUSH", "l", "1", "2"], ["SADD", "si", "1", "2"], ["SADD", "ss", "x"],
              ["HSET", "h", "f", "v"], ["ZADD", "z", "1", "m"]],
}
ASSET_NAMES = ["encodings.rdb", "hash-ziplist.rdb", "hash-zipmap.rdb", "list-quicklist.rdb", "zset-ziplist.rdb",
               "corrupt_empty_keys.rdb", "scriptbackup.rdb"]


AOF_COMMANDS = [c for name in ("string-raw", "string-int", "list-listpack", "set-intset", "set-hashtable",
                                "hash-listpack", "hash-hashtable", "zset-listpack", "zset-skiplist")
                for c in SCENARIOS[name]] + [
    ["SET", "ex", "1", "EX", "1000"], ["PEXPIREAT", "s", "4102444800000"], ["INCRBYFLOAT", "f", "1.5"],
    ["MULTI"], ["LPUSH", "l", "in-tx"], ["SADD", "s2", "1"], ["EXEC"], ["SELECT", "2"], ["SET", "db2", "x"],
    ["DEL", "db2"], ["RPOPLPUSH", "nope", "x"], ["ZINCRBY", "z", "1", "a"], ["HINCRBY", "h", "n", "3"],
    ["SETRANGE", "sr", "5", "abc"], ["SETBIT", "bits", "7", "1"], ["PFADD", "hll", "a", "b"],
    ["LMOVE", "l", "l2", "LEFT", "RIGHT"], ["SINTERSTORE", "s3", "s", "s2"], ["ZUNIONSTORE", "z2", "1", "z"],
    ["RENAME", "l2", "l3"], ["COPY", "l3", "l4"], ["SWAPDB", "0", "2"], ["FLUSHDB"], ["SWAPDB", "0", "2"],
]


def aof_seeds(redis_bin, workdir, port):
    """AOF files and manifests redis-server writes."""
    AOF_DIR.mkdir(parents=True, exist_ok=True)
    MANIFEST_DIR.mkdir(parents=True, exist_ok=True)
    aofdir = Path(workdir, "aof")
    for preamble in ("no", "yes"):
        shutil.rmtree(aofdir, ignore_errors=True)
        proc, client = start(redis_bin, workdir, port, ["--appendonly", "yes", "--appenddirname", "aof",
                                                        "--aof-use-rdb-preamble", preamble, "--aof-timestamp-enabled",
                                                        "yes" if preamble == "no" else "no"])
        try:
            time.sleep(0.3)
            for command in AOF_COMMANDS:
                try:
                    client.execute_command(*command)
                except redis.ResponseError:
                    pass  # a WRONGTYPE among the mix is fine: the AOF holds only what succeeded
            time.sleep(1.2)  # everysec
            for path in aofdir.iterdir():
                if path.name.endswith(".incr.aof"):
                    (AOF_DIR / f"incr-ts{preamble}").write_bytes(b"\x00" + path.read_bytes())
            client.execute_command("BGREWRITEAOF")
            for _ in range(100):
                if client.info("persistence")["aof_rewrite_in_progress"] == 0:
                    break
                time.sleep(0.1)
            time.sleep(0.3)
            client.execute_command("SET", "after-rewrite", "1")
            client.execute_command("LPUSH", "l", "after")
            time.sleep(1.2)
            base = incr = None
            for path in sorted(aofdir.iterdir()):
                data = path.read_bytes()
                if ".base." in path.name:
                    base = data
                    (AOF_DIR / f"base-preamble{preamble}").write_bytes(b"\x05" + data)
                elif path.name.endswith(".incr.aof"):
                    incr = data
                elif path.name.endswith(".manifest"):
                    (MANIFEST_DIR / f"redis-preamble{preamble}").write_bytes(data)
            if base is not None and incr is not None:
                # An old-style single file: the RDB preamble, then commands.
                (AOF_DIR / f"single-preamble{preamble}").write_bytes(b"\x01" + base + incr)
        finally:
            proc.kill()
            proc.wait()
    manifests = {
        "base-and-incr": b"file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
        "history": b"file a.1.base.aof seq 1 type h\nfile a.2.base.aof seq 2 type b\nfile a.3.incr.aof seq 3 type i\n"
                   b"file a.4.incr.aof seq 4 type i\n",
        "quoted": b'file "name with \\x41 space" seq 7 type i\r\n# comment\n\nfile \'x\' seq 8 type i\n',
        "unknown-key": b"file a seq 1 type b extra value\n",
    }
    for name, data in manifests.items():
        (MANIFEST_DIR / name).write_bytes(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default="/usr/bin/redis-server")
    parser.add_argument("--ember")
    args = parser.parse_args()
    RDB_DIR.mkdir(parents=True, exist_ok=True)
    DUMP_DIR.mkdir(parents=True, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="ember-fuzz-seeds-")
    try:
        port = free_port(26000)
        for name, commands in SCENARIOS.items():
            proc, client = start(args.redis, workdir, port)
            try:
                for command in commands:
                    client.execute_command(*command)
                client.execute_command("SAVE")
                data = Path(workdir, "dump.rdb").read_bytes()
                os.remove(Path(workdir, "dump.rdb"))  # the next server must start empty
                # Settings byte: 0 plain; 1 deep validation; 5 deep and small limits.
                (RDB_DIR / name).write_bytes(b"\x00" + data)
                (RDB_DIR / (name + "-deep")).write_bytes(b"\x05" + data)
                for db in range(16):
                    client.execute_command("SELECT", db)
                    for key in client.keys("*"):
                        payload = client.dump(key)
                        label = f"{name}-{key.decode(errors='replace')}".replace("/", "_")
                        (DUMP_DIR / f"redis-{label}").write_bytes(b"\x00" + payload[:-10])
                        (DUMP_DIR / f"redis-{label}-deep").write_bytes(b"\x05" + payload[:-10])
            finally:
                proc.kill()
                proc.wait()
        aof_seeds(args.redis, workdir, port)
        for asset in ASSET_NAMES:
            path = ASSETS / asset
            if path.exists():
                (RDB_DIR / ("asset-" + asset[:-4])).write_bytes(b"\x00" + path.read_bytes())
        if args.ember:
            port = free_port(26100)
            proc, client = start(args.ember, workdir, port)
            try:
                for name, commands in SCENARIOS.items():
                    if name in ("stream", "function", "list-plain"):
                        continue
                    client.execute_command("FLUSHALL")
                    for command in commands:
                        try:
                            client.execute_command(*command)
                        except redis.ResponseError:
                            pass
                    for db in range(16):
                        client.execute_command("SELECT", db)
                        for key in client.keys("*"):
                            payload = client.dump(key)
                            label = f"{name}-{key.decode(errors='replace')}".replace("/", "_")
                            (DUMP_DIR / f"ember-{label}").write_bytes(b"\x01" + payload[:-10])
            finally:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(os.listdir(RDB_DIR))} RDB seeds, {len(os.listdir(DUMP_DIR))} DUMP seeds, "
          f"{len(os.listdir(AOF_DIR))} AOF seeds, {len(os.listdir(MANIFEST_DIR))} manifests")


if __name__ == "__main__":
    main()
