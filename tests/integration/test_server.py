"""Server commands: INFO CONFIG TIME LASTSAVE DEBUG SHUTDOWN."""

import re
import time

import pytest

from conftest import EMBER
from ember_resp import Err, RawConn, Verbatim

SYNTAX = Err("ERR syntax error")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def info(conn, *sections):
    """INFO as {section: {field: value}} plus the ordered section list."""
    text = conn.call("INFO", *sections)
    assert isinstance(text, bytes), text
    return parse_info(text)


def parse_info(text):
    text = bytes(text).decode()
    sections = {}
    order = []
    current = None
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            current = line[2:]
            order.append(current)
            sections[current] = {}
            continue
        assert current is not None, line
        key, sep, value = line.partition(":")
        assert sep == ":", line
        sections[current][key] = value
    return order, sections


DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


# ---------------------------------------------------------------------- INFO


def test_info_default_sections(c):
    raw = c.call("INFO")
    assert raw.endswith(b"\r\n")
    order, _ = parse_info(raw)
    assert order == DEFAULT_SECTIONS
    order, _ = info(c, "default")
    assert order == DEFAULT_SECTIONS


@pytest.mark.parametrize("arg", ["all", "everything", "ALL"])
def test_info_all_sections(c, arg):
    order, _ = info(c, arg)
    assert order == ALL_SECTIONS


def test_info_section_selection(c):
    assert info(c, "server")[0] == ["Server"]
    assert info(c, "SERVER")[0] == ["Server"]
    # Several sections: canonical order, not argument order.
    assert info(c, "keyspace", "clients")[0] == ["Clients", "Keyspace"]
    assert info(c, "server", "clients", "memory", "stats")[0] == [
        "Server", "Clients", "Memory", "Stats"]
    assert c.call_raw("INFO", "nosuchsection") == b"$0\r\n\r\n"


def test_info_wire_format(c):
    assert c.call_raw("INFO", "keyspace") == b"$12\r\n# Keyspace\r\n\r\n"
    raw = c.call("INFO", "clients", "keyspace")
    assert raw.startswith(b"# Clients\r\nconnected_clients:")
    assert b"\r\n\r\n# Keyspace\r\n" in raw
    assert raw.endswith(b"\r\n# Keyspace\r\n")


def test_info_resp3_is_verbatim(c):
    c.call("HELLO", "3")
    reply = c.call("INFO", "keyspace")
    assert isinstance(reply, Verbatim)
    assert reply.fmt == b"txt"
    assert bytes(reply) == b"# Keyspace\r\n"


def test_info_server(c, server):
    _, s = info(c, "server")
    srv = s["Server"]
    assert srv["redis_version"] == "7.0.15"
    assert srv["redis_mode"] == "standalone"
    assert srv["tcp_port"] == str(server.port)
    assert srv["process_id"] == str(server.proc.pid)
    assert srv["arch_bits"] == "64"
    assert re.fullmatch(r"[0-9a-f]{40}", srv["run_id"])
    assert re.fullmatch(r"\d+", srv["uptime_in_seconds"])
    assert int(srv["uptime_in_days"]) == 0
    assert srv["hz"] == "10"
    assert srv["configured_hz"] == "10"
    assert abs(int(srv["server_time_usec"]) / 1e6 - time.time()) < 5
    assert srv["config_file"] == ""
    for field in ["redis_git_sha1", "redis_git_dirty", "redis_build_id", "os", "multiplexing_api",
                  "lru_clock", "executable", "io_threads_active", "process_supervised"]:
        assert field in srv, field
    # run_id is stable for the lifetime of the process.
    assert info(c, "server")[1]["Server"]["run_id"] == srv["run_id"]


def test_info_clients(c, conn_factory):
    extra = [conn_factory() for _ in range(3)]
    for e in extra:
        assert e.call("PING") == "PONG"
    expected = None
    for _ in range(50):   # closed connections (e.g. the FLUSHALL one) may still be reaped
        listing = c.call("CLIENT", "LIST")
        expected = len(listing.rstrip(b"\n").split(b"\n"))
        _, s = info(c, "clients")
        if int(s["Clients"]["connected_clients"]) == expected:
            break
        time.sleep(0.05)
    cl = s["Clients"]
    assert int(cl["connected_clients"]) == expected
    assert expected >= 4
    assert cl["maxclients"] == "10000"
    assert cl["blocked_clients"] == "0"
    for field in ["cluster_connections", "client_recent_max_input_buffer",
                  "client_recent_max_output_buffer", "tracking_clients",
                  "clients_in_timeout_table"]:
        assert re.fullmatch(r"\d+", cl[field]), field
    extra[0].close()
    for _ in range(50):
        if int(info(c, "clients")[1]["Clients"]["connected_clients"]) == expected - 1:
            break
        time.sleep(0.05)
    assert int(info(c, "clients")[1]["Clients"]["connected_clients"]) == expected - 1


def test_info_memory(c, config):
    _, s = info(c, "memory")
    mem = s["Memory"]
    assert int(mem["used_memory"]) > 0
    assert re.fullmatch(r"\d+(\.\d+)?[BKMG]", mem["used_memory_human"])
    assert mem["maxmemory"] == "0"
    assert mem["maxmemory_human"] == "0B"
    assert mem["maxmemory_policy"] == "noeviction"
    for field in ["used_memory_rss", "used_memory_peak", "used_memory_overhead",
                  "used_memory_dataset", "total_system_memory", "mem_fragmentation_ratio"]:
        assert field in mem, field
    config.set("maxmemory", "100mb")
    config.set("maxmemory-policy", "allkeys-lru")
    mem = info(c, "memory")[1]["Memory"]
    assert mem["maxmemory"] == "104857600"
    assert mem["maxmemory_human"] == "100.00M"
    assert mem["maxmemory_policy"] == "allkeys-lru"


def test_info_memory_grows_with_data(c, r):
    before = int(info(c, "memory")[1]["Memory"]["used_memory"])
    r.set("big", b"x" * (4 << 20))
    after = int(info(c, "memory")[1]["Memory"]["used_memory"])
    assert after - before >= 4 << 20


def test_info_stats_hits_misses(c, config):
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    st = info(c, "stats")[1]["Stats"]
    assert st["keyspace_hits"] == "0"
    assert st["keyspace_misses"] == "0"
    assert st["expired_keys"] == "0"
    assert st["evicted_keys"] == "0"
    assert st["total_error_replies"] == "0"
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GET", "k") == b"v"
    assert c.call("GET", "k") == b"v"
    assert c.call("GET", "missing") is None
    assert c.call("MGET", "k", "missing", "missing2") == [b"v", None, None]
    assert c.call("GET") == arity("get")
    st = info(c, "stats")[1]["Stats"]
    assert st["keyspace_hits"] == "3"
    assert st["keyspace_misses"] == "3"
    assert st["total_error_replies"] == "1"
    for field in ["total_connections_received", "total_commands_processed",
                  "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes",
                  "rejected_connections", "expired_stale_perc", "pubsub_channels",
                  "total_reads_processed", "total_writes_processed"]:
        assert field in st, field


def test_info_stats_commands_and_connections(c, server):
    st = info(c, "stats")[1]["Stats"]
    conns = int(st["total_connections_received"])
    cmds = int(st["total_commands_processed"])
    with RawConn(server.host, server.port) as other:
        for _ in range(5):
            assert other.call("PING") == "PONG"
    st = info(c, "stats")[1]["Stats"]
    assert int(st["total_connections_received"]) == conns + 1
    # 5 PINGs + the first INFO (the current INFO is counted after it runs).
    assert int(st["total_commands_processed"]) == cmds + 6


def test_info_keyspace(c):
    assert c.call("MSET", "a", "1", "b", "2", "c", "3") == "OK"
    assert c.call("EXPIRE", "a", "1000") == 1
    assert c.call("SELECT", "3") == "OK"
    assert c.call("SET", "x", "1") == "OK"
    ks = info(c, "keyspace")[1]["Keyspace"]
    assert sorted(ks) == ["db0", "db3"]
    assert re.fullmatch(r"keys=3,expires=1,avg_ttl=\d+", ks["db0"]), ks["db0"]
    assert ks["db3"] == "keys=1,expires=0,avg_ttl=0"
    assert c.call("FLUSHDB") == "OK"
    assert sorted(info(c, "keyspace")[1]["Keyspace"]) == ["db0"]


def test_info_commandstats(c, config):
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("SET", "k", "v", "EX", "0") == Err("ERR invalid expire time in 'set' command")
    for _ in range(3):
        c.call("GET", "k")
    assert c.call("GET") == arity("get")
    assert c.call("CLIENT", "ID") > 0
    order, s = info(c, "commandstats")
    assert order == ["Commandstats"]
    cs = s["Commandstats"]
    pat = r"calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),failed_calls=(\d+)"
    m = re.fullmatch(pat, cs["cmdstat_get"])
    assert m, cs["cmdstat_get"]
    assert (m.group(1), m.group(4), m.group(5)) == ("3", "1", "0")
    m = re.fullmatch(pat, cs["cmdstat_set"])
    assert m, cs["cmdstat_set"]
    assert (m.group(1), m.group(4), m.group(5)) == ("2", "0", "1")
    m = re.fullmatch(pat, cs["cmdstat_client|id"])
    assert m and m.group(1) == "1"
    assert "cmdstat_del" not in cs


def test_info_errorstats(c, make_list):
    make_list("l")
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    assert c.call("GET", "l").code == "WRONGTYPE"
    assert c.call("GET", "l").code == "WRONGTYPE"
    assert c.call("NOSUCHCMD") == Err("ERR unknown command 'NOSUCHCMD', with args beginning with: ")
    es = info(c, "errorstats")[1]["Errorstats"]
    assert es == {"errorstat_WRONGTYPE": "count=2", "errorstat_ERR": "count=1"}


def test_info_errors(c):
    # INFO accepts any number of section names.
    assert isinstance(c.call("INFO", "a", "b", "c"), bytes)


# -------------------------------------------------------------------- CONFIG


def config_get(c, *patterns):
    reply = c.call("CONFIG", "GET", *patterns)
    assert isinstance(reply, list) and len(reply) % 2 == 0, reply
    return dict(zip(reply[::2], reply[1::2]))


def test_config_get_basic(c, server):
    assert c.call("CONFIG", "GET", "port") == [b"port", str(server.port).encode()]
    assert c.call("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1"]
    assert c.call("CONFIG", "GET", "databases") == [b"databases", b"16"]
    assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]
    assert c.call("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"noeviction"]
    assert c.call("CONFIG", "GET", "proto-max-bulk-len") == [b"proto-max-bulk-len", b"536870912"]
    assert c.call("CONFIG", "GET", "requirepass") == [b"requirepass", b""]
    assert c.call("CONFIG", "GET", "timeout") == [b"timeout", b"0"]
    assert c.call("CONFIG", "GET", "hz") == [b"hz", b"10"]
    assert c.call("CONFIG", "GET", "protected-mode") == [b"protected-mode", b"yes"]
    assert c.call("CONFIG", "GET", "enable-debug-command") == [b"enable-debug-command", b"yes"]
    assert c.call_raw("CONFIG", "GET", "nonexistent") == b"*0\r\n"


def test_config_get_name_case(c, server):
    # An exact (non-glob) name is echoed back as given; matching is case-insensitive.
    assert c.call("CONFIG", "GET", "PORT") == [b"PORT", str(server.port).encode()]
    assert c.call("CONFIG", "GET", "MaxMemory") == [b"MaxMemory", b"0"]


def test_config_get_glob(c, server):
    got = config_get(c, "maxmemory*")
    # Ember's configuration table declares every Redis 7.0 parameter, as Redis lists them.
    expected = {b"maxmemory": b"0", b"maxmemory-policy": b"noeviction", b"maxmemory-samples": b"5",
                b"maxmemory-eviction-tenacity": b"10", b"maxmemory-clients": b"0"}
    assert got == expected
    assert config_get(c, "MAXMEM*") == got   # glob is case-insensitive
    assert config_get(c, "max*-policy") == {b"maxmemory-policy": b"noeviction"}
    assert config_get(c, "p?rt") == {b"port": str(server.port).encode()}
    assert config_get(c, "[ph][oz]*") == {b"port": str(server.port).encode(), b"hz": b"10"}
    everything = config_get(c, "*")
    assert len(everything) > (15 if EMBER else 100)
    assert {b"hz", b"maxmemory-policy", b"requirepass", b"proto-max-bulk-len"} <= set(everything)
    assert everything[b"port"] == str(server.port).encode()


def test_config_get_multiple(c, server):
    reply = c.call("CONFIG", "GET", "port", "hz", "nonexistent")
    assert dict(zip(reply[::2], reply[1::2])) == {b"port": str(server.port).encode(),
                                                  b"hz": b"10"}
    assert len(reply) == 4
    # Duplicates are reported once.
    assert c.call("CONFIG", "GET", "hz", "hz", "h?") == [b"hz", b"10"]
    assert c.call("CONFIG", "GET") == arity("config|get")


def test_config_set(c, config):
    config.set("maxmemory", "1mb")
    assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1048576"]
    config.set("maxmemory", "2gb")
    assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"2147483648"]
    config.set("maxmemory", "12345")
    assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"12345"]
    config.set("maxmemory-policy", "ALLKEYS-LRU")
    assert c.call("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"allkeys-lru"]
    config.set("hz", "20")
    assert c.call("CONFIG", "GET", "hz") == [b"hz", b"20"]
    assert info(c, "server")[1]["Server"]["hz"] == "20"
    config.set("hz", "0")         # clamped to the minimum
    assert c.call("CONFIG", "GET", "hz") == [b"hz", b"1"]
    config.set("timeout", "300")
    assert c.call("CONFIG", "GET", "timeout") == [b"timeout", b"300"]


def test_config_set_multiple(c, config):
    config.set("hz", "10")
    config.set("maxmemory", "0")
    assert c.call("CONFIG", "SET", "hz", "15", "maxmemory", "2mb") == "OK"
    assert config_get(c, "hz", "maxmemory") == {b"hz": b"15", b"maxmemory": b"2097152"}
    # All-or-nothing: one bad value leaves every parameter unchanged.
    assert c.call("CONFIG", "SET", "hz", "abc", "maxmemory", "3mb") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - "
        "argument couldn't be parsed into an integer")
    assert config_get(c, "hz", "maxmemory") == {b"hz": b"15", b"maxmemory": b"2097152"}


def test_config_set_errors(c):
    assert c.call("CONFIG", "SET", "foo", "bar") == Err(
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
    assert c.call("CONFIG", "SET", "maxmemory", "abc") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
        "argument must be a memory value")
    assert c.call("CONFIG", "SET", "maxmemory", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
        "argument must be a memory value")
    assert c.call("CONFIG", "SET", "hz", "x") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - "
        "argument couldn't be parsed into an integer")
    assert c.call("CONFIG", "SET", "timeout", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
        "argument must be between 0 and 2147483647 inclusive")
    assert c.call("CONFIG", "SET", "maxmemory-policy", "foo") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
        "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
        "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
    assert c.call("CONFIG", "SET", "protected-mode", "maybe") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - "
        "argument must be 'yes' or 'no'")
    assert c.call("CONFIG", "SET", "databases", "4") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'databases') - "
        "can't set immutable config")
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "10") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
        "argument must be between 1048576 and 9223372036854775807 inclusive")
    assert c.call("CONFIG", "SET", "hz", "20", "hz", "30") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter")
    assert c.call("CONFIG", "SET", "hz") == arity("config|set")
    assert c.call("CONFIG", "SET", "hz", "10", "maxmemory") == SYNTAX
    assert c.call("CONFIG", "GET", "hz") == [b"hz", b"10"]
    assert c.call("CONFIG", "GET", "databases") == [b"databases", b"16"]


def test_config_resetstat(c):
    assert c.call("GET", "missing") is None
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    _, s = info(c, "stats", "commandstats", "errorstats")
    assert s["Stats"]["keyspace_misses"] == "0"
    # CONFIG RESETSTAT itself is counted after the reset.
    assert s["Stats"]["total_commands_processed"] == "1"
    assert list(s["Commandstats"]) == ["cmdstat_config|resetstat"]
    assert s["Commandstats"]["cmdstat_config|resetstat"].startswith("calls=1,")
    assert s["Errorstats"] == {}
    assert c.call("CONFIG", "RESETSTAT", "x") == arity("config|resetstat")


def test_config_misc_errors(c):
    assert c.call("CONFIG") == arity("config")
    assert c.call("CONFIG", "FOO") == Err("ERR unknown subcommand 'FOO'. Try CONFIG HELP.")
    help_lines = c.call("CONFIG", "HELP")
    assert help_lines[0] == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert "GET <pattern>" in help_lines and "RESETSTAT" in help_lines


def test_config_redis_py(rd, config):
    assert rd.config_get("maxmemory*")["maxmemory-policy"] == "noeviction"
    config.set("hz", "10")
    assert rd.config_set("hz", 11) is True
    assert rd.config_get("hz") == {"hz": "11"}


# ----------------------------------------------------------- TIME LASTSAVE


def test_time(c):
    reply = c.call("TIME")
    assert isinstance(reply, list) and len(reply) == 2
    sec, usec = reply
    assert isinstance(sec, bytes) and isinstance(usec, bytes)
    assert sec.isdigit() and usec.isdigit()
    assert 0 <= int(usec) < 1_000_000
    assert abs(int(sec) + int(usec) / 1e6 - time.time()) < 2
    t2 = c.call("TIME")
    assert (int(t2[0]), int(t2[1])) >= (int(sec), int(usec))
    assert c.call("TIME", "x") == arity("time")


def test_time_redis_py(r):
    sec, usec = r.time()
    assert abs(sec + usec / 1e6 - time.time()) < 2


def test_lastsave(c, server):
    ts = c.call("LASTSAVE")
    assert isinstance(ts, int)
    assert ts <= time.time() + 1
    # Nothing was ever saved: it is the server start time.
    uptime = int(info(c, "server")[1]["Server"]["uptime_in_seconds"])
    assert abs((time.time() - uptime) - ts) <= 3
    assert c.call("LASTSAVE", "x") == arity("lastsave")


# --------------------------------------------------------------------- DEBUG


def test_debug_sleep(c):
    assert c.call("DEBUG", "SLEEP", "0") == "OK"
    t0 = time.monotonic()
    assert c.call("DEBUG", "SLEEP", "0.2") == "OK"
    assert time.monotonic() - t0 >= 0.19


def test_debug_sleep_blocks_server(c, conn_factory):
    other = conn_factory()
    c.send(b"DEBUG SLEEP 0.3\r\n")
    time.sleep(0.05)
    t0 = time.monotonic()
    assert other.call("PING") == "PONG"
    assert time.monotonic() - t0 >= 0.15
    assert c.read() == "OK"


def test_debug_object(c):
    assert c.call("SET", "k", "hello") == "OK"
    reply = c.call("DEBUG", "OBJECT", "k")
    assert isinstance(reply, str), reply     # status reply
    assert re.fullmatch(r"Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 "
                        r"lru:\d+ lru_seconds_idle:\d+", reply), reply
    assert c.call("SET", "n", "123456") == "OK"
    assert re.fullmatch(r"Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:\d+ "
                        r"lru:\d+ lru_seconds_idle:\d+", c.call("DEBUG", "OBJECT", "n"))
    assert c.call("DEBUG", "OBJECT", "missing") == Err("ERR no such key")


def test_debug_populate(c):
    assert c.call("DEBUG", "POPULATE", "3") == "OK"
    assert sorted(c.call("KEYS", "*")) == [b"key:0", b"key:1", b"key:2"]
    assert c.call("MGET", "key:0", "key:2") == [b"value:0", b"value:2"]
    # Existing keys are not overwritten.
    assert c.call("SET", "key:1", "mine") == "OK"
    assert c.call("DEBUG", "POPULATE", "5") == "OK"
    assert c.call("DBSIZE") == 5
    assert c.call("GET", "key:1") == b"mine"
    assert c.call("GET", "key:4") == b"value:4"


def test_debug_populate_prefix_and_size(c):
    assert c.call("DEBUG", "POPULATE", "2", "pfx") == "OK"
    assert c.call("MGET", "pfx:0", "pfx:1") == [b"value:0", b"value:1"]
    assert c.call("DEBUG", "POPULATE", "2", "big", "10") == "OK"
    assert c.call("GET", "big:1") == b"value:1\x00\x00\x00"   # zero-padded
    assert c.call("DEBUG", "POPULATE", "1", "small", "3") == "OK"
    assert c.call("GET", "small:0") == b"val"                 # truncated
    assert c.call("DEBUG", "POPULATE", "0") == "OK"
    assert c.call("DBSIZE") == 5


def test_debug_populate_errors(c):
    positive = Err("ERR value is out of range, must be positive")
    assert c.call("DEBUG", "POPULATE", "-1") == positive
    assert c.call("DEBUG", "POPULATE", "abc") == positive
    assert c.call("DBSIZE") == 0


def test_debug_errors(c):
    assert c.call("DEBUG") == arity("debug")
    assert c.call("DEBUG", "FOO") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.")
    assert c.call("DEBUG", "OBJECT") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.")
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'SET-ACTIVE-EXPIRE'. "
        "Try DEBUG HELP.")


def test_debug_set_active_expire_reply(c):
    assert c.call_raw("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
    assert c.call_raw("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"+OK\r\n"


# ------------------------------------------------------------------ SHUTDOWN


def test_shutdown_nosave(server_factory):
    srv = server_factory.start()
    with srv.raw() as conn:
        assert conn.call("SET", "k", "v") == "OK"
        assert conn.call("SHUTDOWN", "FOO") == SYNTAX
        assert conn.call("SHUTDOWN", "NOSAVE", "SAVE") == SYNTAX
        assert conn.call("SHUTDOWN", "ABORT") == Err("ERR No shutdown in progress.")
        assert conn.call("PING") == "PONG"
        conn.send(b"SHUTDOWN NOSAVE\r\n")
        assert conn.read_until_close(timeout=10) == b""
    assert srv.proc.wait(timeout=10) == 0
    with pytest.raises(OSError):
        RawConn(srv.host, srv.port, timeout=1)


def test_shutdown_redis_py(server_factory):
    srv = server_factory.start()
    client = srv.client()
    try:
        assert client.ping() is True
        # redis-py swallows the expected connection loss.
        assert client.shutdown(nosave=True) is None
    finally:
        client.close()
    assert srv.proc.wait(timeout=10) == 0


# --------------------------------------------------------------- config file


def test_config_file(server_factory):
    srv = server_factory.start(config=(
        "# comment line\n"
        "\n"
        "   # indented comment\n"
        "port {port}\n"
        "bind 127.0.0.1\n"
        "databases 4\n"
        "hz 20\n"
        "maxmemory 2mb\n"
        "maxmemory-policy allkeys-lru\n"
        "enable-debug-command yes\n"))
    with srv.raw() as c:
        assert c.call("CONFIG", "GET", "port") == [b"port", str(srv.port).encode()]
        assert c.call("CONFIG", "GET", "databases") == [b"databases", b"4"]
        assert c.call("CONFIG", "GET", "hz") == [b"hz", b"20"]
        assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"2097152"]
        assert c.call("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy",
                                                              b"allkeys-lru"]
        assert c.call("SELECT", "3") == "OK"
        assert c.call("SELECT", "4") == Err("ERR DB index is out of range")
        assert c.call("DEBUG", "SLEEP", "0") == "OK"
        _, s = info(c, "server")
        assert s["Server"]["config_file"] == str(srv.config_path.resolve())
        assert s["Server"]["hz"] == "20"
        assert s["Server"]["tcp_port"] == str(srv.port)


def test_command_line_overrides_config_file(server_factory):
    srv = server_factory.start(config="port {port}\nbind 127.0.0.1\nhz 20\n",
                               args=["--hz", "30"])
    with srv.raw() as c:
        assert c.call("CONFIG", "GET", "hz") == [b"hz", b"30"]


def test_command_line_options(server_factory):
    srv = server_factory.start(args=["--databases", "2", "--maxmemory", "1mb"])
    with srv.raw() as c:
        assert c.call("CONFIG", "GET", "databases") == [b"databases", b"2"]
        assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1048576"]
        assert c.call("SELECT", "2") == Err("ERR DB index is out of range")
