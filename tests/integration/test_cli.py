"""redis-cli against the server: raw and formatted output, -x, --pipe, -3,
-n, -r, --csv, --scan, --bigkeys, -a, -e.

When stdout is not a TTY (as here) redis-cli defaults to raw output;
``--no-raw`` forces the human-readable formatting."""
import re

from conftest import EMBER

from ember_harness import Cli


def test_cli_ping(cli):
    assert cli("PING") == "PONG\n"
    assert cli("--no-raw", "PING") == "PONG\n"
    assert cli("PING", "hello") == "hello\n"


def test_cli_set_get(cli):
    assert cli("SET", "k", "v") == "OK\n"
    assert cli("GET", "k") == "v\n"
    assert cli("--no-raw", "GET", "k") == '"v"\n'
    assert cli("GET", "missing") == "\n"
    assert cli("--no-raw", "GET", "missing") == "(nil)\n"


def test_cli_integer_and_arrays(cli):
    assert cli("--no-raw", "INCR", "n") == "(integer) 1\n"
    assert cli("INCR", "n") == "2\n"
    assert cli("MSET", "a", "1", "b", "2") == "OK\n"
    assert cli("--no-raw", "MGET", "a", "missing", "b") == '1) "1"\n2) (nil)\n3) "2"\n'
    assert cli("MGET", "a", "missing", "b") == "1\n\n2\n"
    assert cli("--no-raw", "KEYS", "nomatch") == "(empty array)\n"
    assert cli("--no-raw", "TYPE", "a") == "string\n"
    assert cli("--no-raw", "INCRBYFLOAT", "f", "1.5") == '"1.5"\n'


def test_cli_nested_arrays(cli):
    assert cli("MSET", "key1", "ohmytext", "key2", "mynewtext") == "OK\n"
    assert cli("--no-raw", "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4",
               "WITHMATCHLEN") == (
        '1) "matches"\n'
        '2) 1) 1) 1) (integer) 4\n'
        '         2) (integer) 7\n'
        '      2) 1) (integer) 5\n'
        '         2) (integer) 8\n'
        '      3) (integer) 4\n'
        '3) "len"\n'
        '4) (integer) 6\n')


def test_cli_errors(cli):
    res = cli.run("--no-raw", "SET", "a", "b", "EX", "0")
    assert res.returncode == 0
    assert res.stdout == b"(error) ERR invalid expire time in 'set' command\n"
    res = cli.run("SET", "a", "b", "EX", "0")
    assert res.stdout == b"ERR invalid expire time in 'set' command\n\n"
    res = cli.run("NOSUCHCMD")
    assert res.stdout == b"ERR unknown command 'NOSUCHCMD', with args beginning with: \n\n"
    # -e: exit code 1 and the error on stderr.
    res = cli.run("-e", "NOSUCHCMD", "x")
    assert res.returncode == 1
    assert res.stdout == b""
    assert res.stderr == b"ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' \n"


def test_cli_binary_value_formatting(cli, r):
    r.set("bin", b"a\x01b\n\"")
    assert cli("--no-raw", "GET", "bin") == '"a\\x01b\\n\\""\n'
    assert cli.run("GET", "bin").stdout == b"a\x01b\n\"\n"


def test_cli_stdin_x(cli, r):
    res = cli.run("-x", "SET", "fromstdin", input=b"line1\nline2\n")
    assert res.stdout == b"OK\n"
    assert r.get("fromstdin") == b"line1\nline2\n"   # trailing newline is kept
    res = cli.run("-x", "APPEND", "fromstdin", input=b"\x00more")
    assert res.stdout == b"17\n"
    assert r.get("fromstdin") == b"line1\nline2\n\x00more"


def test_cli_pipe_inline(cli, r):
    data = "".join(f"SET key:{i} {i}\r\n" for i in range(500)) + "INCR key:7\r\n"
    res = cli.run("--pipe", input=data)
    assert res.returncode == 0
    assert res.stdout.decode().endswith("errors: 0, replies: 501\n")
    assert r.dbsize() == 500
    assert r.get("key:7") == b"8"


def test_cli_pipe_resp(cli, r):
    from ember_resp import encode_command
    data = b"".join(encode_command("SET", f"p{i}", "v" * i)
                    for i in range(200))
    data += encode_command("INCR", "p5")      # WRONG: not an integer
    res = cli.run("--pipe", input=data)
    assert res.returncode == 1
    assert res.stdout.decode().endswith("errors: 1, replies: 201\n")
    assert res.stderr == b"ERR value is not an integer or out of range\n"
    assert r.strlen("p199") == 199


def test_cli_resp3(cli):
    assert cli("-3", "--no-raw", "GET", "missing") == "(nil)\n"
    assert cli("-3", "--no-raw", "CONFIG", "GET", "maxmemory") == '1# "maxmemory" => "0"\n'
    assert cli("-3", "CONFIG", "GET", "maxmemory") == "maxmemory 0\n"
    assert cli("-3", "--no-raw", "CONFIG", "GET", "nonexistent") == "(empty hash)\n"
    out = cli("-3", "--no-raw", "HELLO", "3")
    lines = out.splitlines()
    if EMBER:
        assert re.fullmatch(r'8# "ember_version" => "\d+\.\d+\.\d+"', lines.pop())
    assert lines[:3] == ['1# "server" => "redis"', '2# "version" => "7.0.15"',
                         '3# "proto" => (integer) 3']
    assert lines[4:] == ['5# "mode" => "standalone"', '6# "role" => "master"',
                         '7# "modules" => (empty array)']
    assert cli("-3", "--no-raw", "LCS", "m1", "m2", "IDX") == (
        '1# "matches" => (empty array)\n2# "len" => (integer) 0\n')


def test_cli_resp3_client_info_shows_resp3(cli):
    assert "resp=3" in cli("-3", "CLIENT", "INFO")
    assert "resp=2" in cli("CLIENT", "INFO")


def test_cli_select_db(cli, r):
    assert cli("-n", "2", "SET", "x", "indb2") == "OK\n"
    assert cli("-n", "2", "GET", "x") == "indb2\n"
    assert cli("--no-raw", "-n", "2", "DBSIZE") == "(integer) 1\n"
    assert r.get("x") is None
    res = cli.run("-n", "16", "PING")
    assert res.stderr == b"SELECT 16 failed: ERR DB index is out of range\n"


def test_cli_repeat(cli):
    assert cli("-r", "3", "INCR", "cnt") == "1\n2\n3\n"


def test_cli_csv(cli):
    assert cli("MSET", "a", "1", "b", "hello") == "OK\n"
    assert cli("--csv", "MGET", "a", "b", "missing") == '"1","hello",NULL\n'
    assert cli("--csv", "INCR", "n") == "1\n"


def test_cli_scan(cli, r):
    r.mset({"k1": "a", "k2": "bb", "other": "c"})
    assert sorted(cli("--scan", "--pattern", "k*").split()) == ["k1", "k2"]
    assert sorted(cli("--scan").split()) == ["k1", "k2", "other"]


def test_cli_bigkeys(cli, r):
    r.mset({"k1": "a", "k2": "bbbbb", "other": "cc"})
    out = cli("--bigkeys")
    assert "Sampled 3 keys in the keyspace!" in out
    assert "Biggest string found '\"k2\"' has 5 bytes" in out
    assert "3 strings with 8 bytes (100.00% of keys, avg size 2.67)" in out


def test_cli_info(cli):
    assert cli("INFO", "keyspace") == "# Keyspace\r\n"
    assert cli("SET", "a", "1") == "OK\n"
    assert cli("INFO", "keyspace") == "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"


def test_cli_with_password(server_factory):
    srv = server_factory.start(args=["--requirepass", "clipw"])
    cli = Cli(srv.port)
    res = cli.run("PING")
    assert res.stdout == b"NOAUTH Authentication required.\n\n"
    res = cli.run("-a", "clipw", "--no-auth-warning", "PING")
    assert res.stdout == b"PONG\n"
    res = cli.run("--user", "default", "--pass", "clipw", "--no-auth-warning", "SET", "k", "v")
    assert res.stdout == b"OK\n"
    res = cli.run("-a", "wrong", "--no-auth-warning", "PING")
    assert res.stderr == (b"AUTH failed: WRONGPASS invalid username-password pair "
                          b"or user is disabled.\n")
    res = cli.run("-3", "-a", "clipw", "--no-auth-warning", "--no-raw", "GET", "k")
    assert res.stdout == b'"v"\n'


def test_cli_shutdown(server_factory):
    srv = server_factory.start()
    cli = Cli(srv.port)
    res = cli.run("SHUTDOWN", "NOSAVE")
    assert res.stdout == b""
    assert srv.proc.wait(timeout=10) == 0
