"""COMMAND introspection (COMMAND, COUNT, INFO, LIST, GETKEYS, DOCS) and the
generic unknown-command / wrong-arity errors.

The expected tables below were captured from Redis 7.0.15 (the oracle).
Only commands in Ember's current scope are listed; the server may know
more commands, but these must be described exactly like this."""

import pytest

from conftest import EMBER
from ember_resp import Err, redis_py_raw

# Ember carries the facts of Redis's command table but not its prose (the project may not copy
# it): COMMAND DOCS has no summary/complexity/history and key specs have no notes.
PROSE_DOC_FIELDS = (b"summary", b"complexity", b"history", b"doc_flags", b"deprecated_since", b"replaced_by")

SYNTAX = Err("ERR syntax error")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


# name: (arity, flags, first_key, last_key, step, acl_categories, tips)
COMMAND_TABLE = {
    "get": (2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"], []),
    "set": (-3, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"], []),
    "setnx": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "setex": (4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"], []),
    "psetex": (4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"], []),
    "getex": (-2, ["write", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "getdel": (2, ["write", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "getset": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "mget": (-2, ["readonly", "fast"], 1, -1, 1, ["@read", "@string", "@fast"], ["request_policy:multi_shard"]),
    "mset": (-3, ["write", "denyoom"], 1, -1, 2, ["@write", "@string", "@slow"], ["request_policy:multi_shard", "response_policy:all_succeeded"]),
    "msetnx": (-3, ["write", "denyoom"], 1, -1, 2, ["@write", "@string", "@slow"], ["request_policy:multi_shard", "response_policy:agg_min"]),
    "incr": (2, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "decr": (2, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "incrby": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "decrby": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "incrbyfloat": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "append": (3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"], []),
    "strlen": (2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"], []),
    "getrange": (4, ["readonly"], 1, 1, 1, ["@read", "@string", "@slow"], []),
    "setrange": (4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"], []),
    "substr": (4, ["readonly"], 1, 1, 1, ["@read", "@string", "@slow"], []),
    "lcs": (-3, ["readonly"], 1, 2, 1, ["@read", "@string", "@slow"], []),
    "del": (-2, ["write"], 1, -1, 1, ["@keyspace", "@write", "@slow"], ["request_policy:multi_shard", "response_policy:agg_sum"]),
    "unlink": (-2, ["write", "fast"], 1, -1, 1, ["@keyspace", "@write", "@fast"], ["request_policy:multi_shard", "response_policy:agg_sum"]),
    "exists": (-2, ["readonly", "fast"], 1, -1, 1, ["@keyspace", "@read", "@fast"], ["request_policy:multi_shard", "response_policy:agg_sum"]),
    "type": (2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"], []),
    "expire": (-3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "pexpire": (-3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "expireat": (-3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "pexpireat": (-3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "expiretime": (2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"], []),
    "pexpiretime": (2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"], []),
    "ttl": (2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"], ["nondeterministic_output"]),
    "pttl": (2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"], ["nondeterministic_output"]),
    "persist": (2, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "keys": (2, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow", "@dangerous"], ["request_policy:all_shards", "nondeterministic_output_order"]),
    "scan": (-2, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"], ["nondeterministic_output", "request_policy:special"]),
    "rename": (3, ["write"], 1, 2, 1, ["@keyspace", "@write", "@slow"], []),
    "renamenx": (3, ["write", "fast"], 1, 2, 1, ["@keyspace", "@write", "@fast"], []),
    "randomkey": (1, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"], ["request_policy:all_shards", "nondeterministic_output"]),
    "dbsize": (1, ["readonly", "fast"], 0, 0, 0, ["@keyspace", "@read", "@fast"], ["request_policy:all_shards", "response_policy:agg_sum"]),
    "flushdb": (-1, ["write"], 0, 0, 0, ["@keyspace", "@write", "@slow", "@dangerous"], ["request_policy:all_shards", "response_policy:all_succeeded"]),
    "flushall": (-1, ["write"], 0, 0, 0, ["@keyspace", "@write", "@slow", "@dangerous"], ["request_policy:all_shards", "response_policy:all_succeeded"]),
    "move": (3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"], []),
    "copy": (-3, ["write", "denyoom"], 1, 2, 1, ["@keyspace", "@write", "@slow"], []),
    "swapdb": (3, ["write", "fast"], 0, 0, 0, ["@keyspace", "@write", "@fast", "@dangerous"], []),
    "touch": (-2, ["readonly", "fast"], 1, -1, 1, ["@keyspace", "@read", "@fast"], ["request_policy:multi_shard", "response_policy:agg_sum"]),
    "object": (-2, [], 0, 0, 0, ["@slow"], []),
    "ping": (-1, ["fast"], 0, 0, 0, ["@fast", "@connection"], ["request_policy:all_shards", "response_policy:all_succeeded"]),
    "echo": (2, ["loading", "stale", "fast"], 0, 0, 0, ["@fast", "@connection"], []),
    "hello": (-1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0, ["@fast", "@connection"], []),
    "auth": (-2, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0, ["@fast", "@connection"], []),
    "quit": (-1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0, ["@fast", "@connection"], []),
    "reset": (1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0, ["@fast", "@connection"], []),
    "select": (2, ["loading", "stale", "fast"], 0, 0, 0, ["@fast", "@connection"], []),
    "client": (-2, [], 0, 0, 0, ["@slow"], []),
    "info": (-1, ["loading", "stale"], 0, 0, 0, ["@slow", "@dangerous"], ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"]),
    "config": (-2, [], 0, 0, 0, ["@slow"], []),
    "time": (1, ["loading", "stale", "fast"], 0, 0, 0, ["@fast"], ["nondeterministic_output"]),
    "lastsave": (1, ["loading", "stale", "fast"], 0, 0, 0, ["@admin", "@fast", "@dangerous"], ["nondeterministic_output"]),
    "debug": (-2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous"], []),
    "shutdown": (-1, ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"], 0, 0, 0, ["@admin", "@slow", "@dangerous"], []),
    "command": (-1, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], ["nondeterministic_output_order"]),
}

# In-scope subcommands: name -> same tuple as COMMAND_TABLE
SUBCOMMANDS = {
    "object": {
        "object|encoding": (3, ["readonly"], 2, 2, 1, ["@keyspace", "@read", "@slow"], ["nondeterministic_output"]),
        "object|freq": (3, ["readonly"], 2, 2, 1, ["@keyspace", "@read", "@slow"], ["nondeterministic_output"]),
        "object|help": (2, ["loading", "stale"], 0, 0, 0, ["@keyspace", "@slow"], []),
        "object|idletime": (3, ["readonly"], 2, 2, 1, ["@keyspace", "@read", "@slow"], ["nondeterministic_output"]),
        "object|refcount": (3, ["readonly"], 2, 2, 1, ["@keyspace", "@read", "@slow"], ["nondeterministic_output"]),
    },
    "client": {
        "client|getname": (2, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "client|help": (2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "client|id": (2, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "client|info": (2, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], ["nondeterministic_output"]),
        "client|kill": (-3, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous", "@connection"], []),
        "client|list": (-2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous", "@connection"], ["nondeterministic_output"]),
        "client|no-evict": (3, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous", "@connection"], []),
        "client|reply": (3, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "client|setname": (3, ["noscript", "loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
    },
    "config": {
        "config|get": (-3, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous"], []),
        "config|help": (2, ["loading", "stale"], 0, 0, 0, ["@slow"], []),
        "config|resetstat": (2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous"], []),
        "config|set": (-4, ["admin", "noscript", "loading", "stale"], 0, 0, 0, ["@admin", "@slow", "@dangerous"], ["request_policy:all_nodes", "response_policy:all_succeeded"]),
    },
    "command": {
        "command|count": (2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "command|docs": (-2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], ["nondeterministic_output_order"]),
        "command|getkeys": (-4, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "command|help": (2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], []),
        "command|info": (-2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], ["nondeterministic_output_order"]),
        "command|list": (-2, ["loading", "stale"], 0, 0, 0, ["@slow", "@connection"], ["nondeterministic_output_order"]),
    },
}

# (flags, begin_search index, lastkey, keystep, limit[, notes]); all in-scope
# commands use begin_search "index" and find_keys "range".
KEY_SPECS = {
    "get": [(["RO", "access"], 1, 0, 1, 0)],
    "set": [(["RW", "access", "update", "variable_flags"], 1, 0, 1, 0,
                "RW and ACCESS due to the optional `GET` argument")],
    "setnx": [(["OW", "insert"], 1, 0, 1, 0)],
    "setex": [(["OW", "update"], 1, 0, 1, 0)],
    "psetex": [(["OW", "update"], 1, 0, 1, 0)],
    "getex": [(["RW", "access", "update"], 1, 0, 1, 0, "RW and UPDATE because it changes the TTL")],
    "getdel": [(["RW", "access", "delete"], 1, 0, 1, 0)],
    "getset": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "mget": [(["RO", "access"], 1, -1, 1, 0)],
    "mset": [(["OW", "update"], 1, -1, 2, 0)],
    "msetnx": [(["OW", "insert"], 1, -1, 2, 0)],
    "incr": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "decr": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "incrby": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "decrby": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "incrbyfloat": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "append": [(["RW", "insert"], 1, 0, 1, 0)],
    "strlen": [(["RO"], 1, 0, 1, 0)],
    "getrange": [(["RO", "access"], 1, 0, 1, 0)],
    "setrange": [(["RW", "update"], 1, 0, 1, 0)],
    "substr": [(["RO", "access"], 1, 0, 1, 0)],
    "lcs": [(["RO", "access"], 1, 1, 1, 0)],
    "del": [(["RM", "delete"], 1, -1, 1, 0)],
    "unlink": [(["RM", "delete"], 1, -1, 1, 0)],
    "exists": [(["RO"], 1, -1, 1, 0)],
    "type": [(["RO"], 1, 0, 1, 0)],
    "expire": [(["RW", "update"], 1, 0, 1, 0)],
    "pexpire": [(["RW", "update"], 1, 0, 1, 0)],
    "expireat": [(["RW", "update"], 1, 0, 1, 0)],
    "pexpireat": [(["RW", "update"], 1, 0, 1, 0)],
    "expiretime": [(["RO", "access"], 1, 0, 1, 0)],
    "pexpiretime": [(["RO", "access"], 1, 0, 1, 0)],
    "ttl": [(["RO", "access"], 1, 0, 1, 0)],
    "pttl": [(["RO", "access"], 1, 0, 1, 0)],
    "persist": [(["RW", "update"], 1, 0, 1, 0)],
    "rename": [(["RW", "access", "delete"], 1, 0, 1, 0), (["OW", "update"], 2, 0, 1, 0)],
    "renamenx": [(["RW", "access", "delete"], 1, 0, 1, 0), (["OW", "insert"], 2, 0, 1, 0)],
    "move": [(["RW", "access", "update"], 1, 0, 1, 0)],
    "copy": [(["RO", "access"], 1, 0, 1, 0), (["OW", "update"], 2, 0, 1, 0)],
    "touch": [(["RO"], 1, -1, 1, 0)],
    "object|encoding": [(["RO"], 2, 0, 1, 0)],
    "object|freq": [(["RO"], 2, 0, 1, 0)],
    "object|idletime": [(["RO"], 2, 0, 1, 0)],
    "object|refcount": [(["RO"], 2, 0, 1, 0)],
}

# Structural COMMAND DOCS facts (summary/complexity/history text is not checked).
_DOCS = {
    "get": {"since": "1.0.0",
     "group": "string",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0}]},
    "set": {"since": "1.0.0",
     "group": "string",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0},
                   {"name": "value", "type": "string"},
                   {"name": "condition",
                    "type": "oneof",
                    "since": "2.6.12",
                    "flags": ["optional"],
                    "arguments": [{"name": "nx", "type": "pure-token", "token": "NX"},
                                  {"name": "xx", "type": "pure-token", "token": "XX"}]},
                   {"name": "get",
                    "type": "pure-token",
                    "token": "GET",
                    "since": "6.2.0",
                    "flags": ["optional"]},
                   {"name": "expiration",
                    "type": "oneof",
                    "flags": ["optional"],
                    "arguments": [{"name": "seconds",
                                   "type": "integer",
                                   "token": "EX",
                                   "since": "2.6.12"},
                                  {"name": "milliseconds",
                                   "type": "integer",
                                   "token": "PX",
                                   "since": "2.6.12"},
                                  {"name": "unix-time-seconds",
                                   "type": "unix-time",
                                   "token": "EXAT",
                                   "since": "6.2.0"},
                                  {"name": "unix-time-milliseconds",
                                   "type": "unix-time",
                                   "token": "PXAT",
                                   "since": "6.2.0"},
                                  {"name": "keepttl",
                                   "type": "pure-token",
                                   "token": "KEEPTTL",
                                   "since": "6.0.0"}]}]},
    "getex": {"since": "6.2.0",
     "group": "string",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0},
                   {"name": "expiration",
                    "type": "oneof",
                    "flags": ["optional"],
                    "arguments": [{"name": "seconds", "type": "integer", "token": "EX"},
                                  {"name": "milliseconds", "type": "integer", "token": "PX"},
                                  {"name": "unix-time-seconds",
                                   "type": "unix-time",
                                   "token": "EXAT"},
                                  {"name": "unix-time-milliseconds",
                                   "type": "unix-time",
                                   "token": "PXAT"},
                                  {"name": "persist",
                                   "type": "pure-token",
                                   "token": "PERSIST"}]}]},
    "expire": {"since": "1.0.0",
     "group": "generic",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0},
                   {"name": "seconds", "type": "integer"},
                   {"name": "condition",
                    "type": "oneof",
                    "since": "7.0.0",
                    "flags": ["optional"],
                    "arguments": [{"name": "nx", "type": "pure-token", "token": "NX"},
                                  {"name": "xx", "type": "pure-token", "token": "XX"},
                                  {"name": "gt", "type": "pure-token", "token": "GT"},
                                  {"name": "lt", "type": "pure-token", "token": "LT"}]}]},
    "lcs": {"since": "7.0.0",
     "group": "string",
     "arguments": [{"name": "key1", "type": "key", "key_spec_index": 0},
                   {"name": "key2", "type": "key", "key_spec_index": 0},
                   {"name": "len",
                    "type": "pure-token",
                    "token": "LEN",
                    "flags": ["optional"]},
                   {"name": "idx",
                    "type": "pure-token",
                    "token": "IDX",
                    "flags": ["optional"]},
                   {"name": "len",
                    "type": "integer",
                    "token": "MINMATCHLEN",
                    "flags": ["optional"]},
                   {"name": "withmatchlen",
                    "type": "pure-token",
                    "token": "WITHMATCHLEN",
                    "flags": ["optional"]}]},
    "copy": {"since": "6.2.0",
     "group": "generic",
     "arguments": [{"name": "source", "type": "key", "key_spec_index": 0},
                   {"name": "destination", "type": "key", "key_spec_index": 1},
                   {"name": "destination-db",
                    "type": "integer",
                    "token": "DB",
                    "flags": ["optional"]},
                   {"name": "replace",
                    "type": "pure-token",
                    "token": "REPLACE",
                    "flags": ["optional"]}]},
    "scan": {"since": "2.8.0",
     "group": "generic",
     "arguments": [{"name": "cursor", "type": "integer"},
                   {"name": "pattern",
                    "type": "pattern",
                    "token": "MATCH",
                    "flags": ["optional"]},
                   {"name": "count",
                    "type": "integer",
                    "token": "COUNT",
                    "flags": ["optional"]},
                   {"name": "type",
                    "type": "string",
                    "token": "TYPE",
                    "since": "6.0.0",
                    "flags": ["optional"]}]},
    "incrbyfloat": {"since": "2.6.0",
     "group": "string",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0},
                   {"name": "increment", "type": "double"}]},
    "ping": {"since": "1.0.0",
     "group": "connection",
     "arguments": [{"name": "message", "type": "string", "flags": ["optional"]}]},
    "hello": {"since": "6.0.0",
     "group": "connection",
     "arguments": [{"name": "arguments",
                    "type": "block",
                    "flags": ["optional"],
                    "arguments": [{"name": "protover", "type": "integer"},
                                  {"name": "username_password",
                                   "type": "block",
                                   "token": "AUTH",
                                   "flags": ["optional"],
                                   "arguments": [{"name": "username", "type": "string"},
                                                 {"name": "password", "type": "string"}]},
                                  {"name": "clientname",
                                   "type": "string",
                                   "token": "SETNAME",
                                   "flags": ["optional"]}]}]},
    "flushall": {"since": "1.0.0",
     "group": "server",
     "arguments": [{"name": "async",
                    "type": "oneof",
                    "flags": ["optional"],
                    "arguments": [{"name": "async",
                                   "type": "pure-token",
                                   "token": "ASYNC",
                                   "since": "4.0.0"},
                                  {"name": "sync",
                                   "type": "pure-token",
                                   "token": "SYNC",
                                   "since": "6.2.0"}]}]},
    "object|encoding": {"since": "2.2.3",
     "group": "generic",
     "arguments": [{"name": "key", "type": "key", "key_spec_index": 0}]},
}

SCOPE = sorted(COMMAND_TABLE)
DOCS = _DOCS


def entry_to_tuple(entry):
    name, ar, flags, first, last, step, acl, tips, specs, subs = entry
    return name, (ar, list(flags), first, last, step, list(acl), [t.decode() for t in tips])


def decode_key_specs(specs):
    out = []
    for spec in specs:
        d = dict(zip(spec[::2], spec[1::2]))
        bs = dict(zip(d[b"begin_search"][::2], d[b"begin_search"][1::2]))
        fk = dict(zip(d[b"find_keys"][::2], d[b"find_keys"][1::2]))
        assert bs[b"type"] == b"index" and fk[b"type"] == b"range", spec
        bss = dict(zip(bs[b"spec"][::2], bs[b"spec"][1::2]))
        fks = dict(zip(fk[b"spec"][::2], fk[b"spec"][1::2]))
        t = (list(d[b"flags"]), bss[b"index"], fks[b"lastkey"], fks[b"keystep"], fks[b"limit"])
        if b"notes" in d:
            t += (d[b"notes"].decode(),)
        out.append(t)
    return out


# ------------------------------------------------------------------ COMMAND


def test_command_count_matches_command_and_list(c):
    count = c.call("COMMAND", "COUNT")
    assert isinstance(count, int) and count >= len(SCOPE)
    everything = c.call("COMMAND")
    assert isinstance(everything, list) and len(everything) == count
    # COMMAND (and COMMAND COUNT) cover top-level commands only ...
    top = [e[0] for e in everything]
    assert all(b"|" not in n and n == n.lower() for n in top)
    subs = [s[0] for e in everything for s in e[9]]
    assert all(sub[0].startswith(e[0] + b"|") for e in everything for sub in e[9])
    # ... while COMMAND LIST also lists every subcommand.
    names = c.call("COMMAND", "LIST")
    assert len(names) == len(set(names)) == count + len(subs)
    assert sorted(names) == sorted(top + subs)
    for name in SCOPE:
        assert name.encode() in names, name
    assert c.call("COMMAND", "COUNT", "x") == arity("command|count")


def test_command_entries_have_ten_fields(c):
    for entry in c.call("COMMAND"):
        assert len(entry) == 10, entry[0]
        assert isinstance(entry[0], bytes) and isinstance(entry[1], int)
        assert all(isinstance(f, str) for f in entry[2]), entry   # status replies
        assert all(isinstance(a, str) and a.startswith("@") for a in entry[6]), entry


@pytest.mark.parametrize("name", SCOPE)
def test_command_info_entry(c, name):
    reply = c.call("COMMAND", "INFO", name)
    assert len(reply) == 1
    got_name, got = entry_to_tuple(reply[0])
    assert got_name == name.encode()
    assert got == COMMAND_TABLE[name]


@pytest.mark.parametrize("name", sorted(KEY_SPECS))
def test_command_info_key_specs(c, name):
    (entry,) = c.call("COMMAND", "INFO", name)
    expected = [spec[:5] for spec in KEY_SPECS[name]] if EMBER else KEY_SPECS[name]
    assert decode_key_specs(entry[8]) == expected


@pytest.mark.parametrize("parent", sorted(SUBCOMMANDS))
def test_command_info_subcommands(c, parent):
    (entry,) = c.call("COMMAND", "INFO", parent)
    subs = {}
    for sub in entry[9]:
        name, (ar, flags, first, last, step, acl, tips) = entry_to_tuple(sub)
        subs[name.decode()] = (ar, flags, first, last, step, acl, tips)
        assert sub[9] == []
    for name, expected in SUBCOMMANDS[parent].items():
        assert subs.get(name) == expected, name
    # A subcommand can also be asked for directly.
    for name, expected in SUBCOMMANDS[parent].items():
        (sub,) = c.call("COMMAND", "INFO", name)
        assert entry_to_tuple(sub) == (name.encode(), expected)


def test_command_info_get_wire_format(c):
    assert c.call_raw("COMMAND", "INFO", "get") == (
        b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        b"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n"
        b"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
        b"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
        b"*2\r\n$5\r\nindex\r\n:1\r\n"
        b"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
        b"*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
        b"*0\r\n")


def test_command_info_get_resp3_wire_format(c):
    c.call("HELLO", "3")
    assert c.call_raw("COMMAND", "INFO", "get") == (
        b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        b"~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n"
        b"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n"
        b"$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
        b"%1\r\n$5\r\nindex\r\n:1\r\n"
        b"$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
        b"%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
        b"~0\r\n")


def test_command_info_get_set_together(c):
    reply = c.call("COMMAND", "INFO", "get", "set")
    assert [entry_to_tuple(e) for e in reply] == [
        (b"get", COMMAND_TABLE["get"]), (b"set", COMMAND_TABLE["set"])]


def test_command_info_unknown_and_case(c):
    reply = c.call("COMMAND", "INFO", "get", "nosuchcmd", "GET", "object|nosuch")
    assert len(reply) == 4
    assert reply[1] is None and reply[3] is None
    assert reply[0] == reply[2]                  # lookup is case-insensitive
    assert reply[2][0] == b"get"                 # canonical lower-case name
    assert c.call_raw("COMMAND", "INFO", "nosuchcmd") == b"*1\r\n$-1\r\n"


def test_command_info_no_args_lists_everything(c):
    count = c.call("COMMAND", "COUNT")
    assert len(c.call("COMMAND", "INFO")) == count


def test_command_entry_matches_command_info(c):
    by_name = {e[0]: e for e in c.call("COMMAND")}
    for name in ["get", "set", "del", "client", "config"]:
        (info,) = c.call("COMMAND", "INFO", name)
        assert entry_to_tuple(by_name[name.encode()]) == entry_to_tuple(info)


def test_command_redis_py(r):
    cmds = r.command()
    assert cmds["get"]["arity"] == 2
    assert cmds["set"]["flags"] == ["write", "denyoom"]
    assert r.command_count() == len(cmds)


# -------------------------------------------------------------- COMMAND LIST


@pytest.mark.parametrize("pattern,expected", [
    ("incr*", ["incr", "incrby", "incrbyfloat"]),
    ("*expire*", ["expire", "expireat", "expiretime", "pexpire", "pexpireat", "pexpiretime"]),
    ("*ttl*", ["pttl", "ttl"]),
    ("object|*", ["object|encoding", "object|freq", "object|help", "object|idletime",
                  "object|refcount"]),
    ("*swap*", ["swapdb"]),
    ("GET", ["get"]),                    # case-insensitive
    ("lc?", ["lcs"]),
    ("nosuch*", []),
])
def test_command_list_filterby_pattern(c, pattern, expected):
    got = c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", pattern)
    assert sorted(got) == [e.encode() for e in expected]


def test_command_list_filterby_pattern_includes_subcommands(c):
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "client*"))
    assert {b"client", b"client|id", b"client|kill", b"client|list", b"client|setname",
            b"client|getname", b"client|info", b"client|reply", b"client|no-evict"} <= got
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*"))
    assert {b"config|get", b"config|set", b"config|resetstat", b"config|help"} <= got
    assert b"config" not in got


def test_command_list_filterby_aclcat_string(c):
    got = c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string")
    assert sorted(got) == [
        b"append", b"decr", b"decrby", b"get", b"getdel", b"getex", b"getrange", b"getset",
        b"incr", b"incrby", b"incrbyfloat", b"lcs", b"mget", b"mset", b"msetnx", b"psetex",
        b"set", b"setex", b"setnx", b"setrange", b"strlen", b"substr"]
    assert sorted(c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "STRING")) == sorted(got)


def test_command_list_filterby_aclcat_keyspace(c):
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace"))
    expected_in_scope = {
        b"copy", b"dbsize", b"del", b"exists", b"expire", b"expireat", b"expiretime",
        b"flushall", b"flushdb", b"keys", b"move", b"object|encoding", b"object|freq",
        b"object|help", b"object|idletime", b"object|refcount", b"persist", b"pexpire",
        b"pexpireat", b"pexpiretime", b"pttl", b"randomkey", b"rename", b"renamenx", b"scan",
        b"swapdb", b"touch", b"ttl", b"type", b"unlink"}
    assert expected_in_scope <= got
    assert b"get" not in got and b"object" not in got
    # Every listed command really is in the category.
    for name in got:
        (entry,) = c.call("COMMAND", "INFO", name)
        assert "@keyspace" in entry[6], name


def test_command_list_filterby_aclcat_connection(c):
    got = set(c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"))
    assert {b"auth", b"echo", b"hello", b"ping", b"quit", b"reset", b"select", b"command",
            b"client|id", b"client|setname", b"command|count"} <= got


def test_command_list_errors(c):
    assert c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat") == []
    assert c.call("COMMAND", "LIST", "FILTERBY") == SYNTAX
    assert c.call("COMMAND", "LIST", "FILTERBY", "PATTERN") == SYNTAX
    assert c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "*", "extra") == SYNTAX
    assert c.call("COMMAND", "LIST", "FOO") == SYNTAX
    assert c.call("COMMAND", "LIST", "FILTERBY", "FOO", "bar") == SYNTAX


# ----------------------------------------------------------- COMMAND GETKEYS


@pytest.mark.parametrize("args,keys", [
    (("get", "a"), [b"a"]),
    (("GET", "a"), [b"a"]),
    (("set", "a", "b", "EX", "10", "GET"), [b"a"]),
    (("mset", "a", "1", "b", "2"), [b"a", b"b"]),
    (("mset", "a", "1", "b"), [b"a", b"b"]),
    (("mget", "a", "b", "c"), [b"a", b"b", b"c"]),
    (("del", "x", "y"), [b"x", b"y"]),
    (("touch", "a", "b", "c"), [b"a", b"b", b"c"]),
    (("copy", "a", "b", "DB", "1"), [b"a", b"b"]),
    (("rename", "a", "b"), [b"a", b"b"]),
    (("lcs", "a", "b"), [b"a", b"b"]),
    (("object", "encoding", "k"), [b"k"]),
    (("expire", "a", "1", "nx"), [b"a"]),
])
def test_command_getkeys(c, args, keys):
    assert c.call("COMMAND", "GETKEYS", *args) == keys


def test_command_getkeys_errors(c):
    assert c.call("COMMAND", "GETKEYS", "nosuch", "a") == Err("ERR Invalid command specified")
    assert c.call("COMMAND", "GETKEYS", "set", "a") == Err(
        "ERR Invalid number of arguments specified for command")
    assert c.call("COMMAND", "GETKEYS", "mset", "a") == Err(
        "ERR Invalid number of arguments specified for command")
    assert c.call("COMMAND", "GETKEYS", "object", "encoding") == Err(
        "ERR Invalid number of arguments specified for command")
    assert c.call("COMMAND", "GETKEYS", "swapdb", "0", "1") == Err(
        "ERR The command has no key arguments")
    assert c.call("COMMAND", "GETKEYS", "client", "list") == Err(
        "ERR The command has no key arguments")
    # COMMAND GETKEYS itself has arity -4 (COMMAND GETKEYS <cmd> <arg>...).
    assert c.call("COMMAND", "GETKEYS", "ping") == arity("command|getkeys")
    assert c.call("COMMAND", "GETKEYS", "get") == arity("command|getkeys")
    assert c.call("COMMAND", "GETKEYS") == arity("command|getkeys")


# -------------------------------------------------------------- COMMAND DOCS


def decode_doc(doc):
    d = dict(zip(doc[::2], doc[1::2]))
    out = {}
    for k in (b"since", b"group"):
        if k in d:
            out[k.decode()] = d[k].decode()
    if b"arguments" in d:
        out["arguments"] = [decode_arg(a) for a in d[b"arguments"]]
    return out


def decode_arg(a):
    d = dict(zip(a[::2], a[1::2]))
    o = {"name": d[b"name"].decode(), "type": d[b"type"].decode()}
    for k in (b"token", b"since", b"key_spec_index"):
        if k in d:
            o[k.decode()] = d[k].decode() if isinstance(d[k], bytes) else d[k]
    if b"flags" in d:
        o["flags"] = [f.decode() if isinstance(f, bytes) else f for f in d[b"flags"]]
    if b"arguments" in d:
        o["arguments"] = [decode_arg(x) for x in d[b"arguments"]]
    return o


@pytest.mark.parametrize("name", sorted(DOCS))
def test_command_docs_structure(c, name):
    reply = c.call("COMMAND", "DOCS", name)
    assert len(reply) == 2
    assert reply[0] == name.encode()
    doc = dict(zip(reply[1][::2], reply[1][1::2]))
    if EMBER:
        assert not any(field in doc for field in PROSE_DOC_FIELDS), doc
    else:
        assert isinstance(doc[b"summary"], bytes) and doc[b"summary"]
        assert isinstance(doc[b"complexity"], bytes)
    assert decode_doc(reply[1]) == DOCS[name]


def test_command_docs_misc(c):
    assert c.call("COMMAND", "DOCS", "nosuchcmd") == []
    reply = c.call("COMMAND", "DOCS", "nosuchcmd", "GET", "set")
    assert len(reply) == 4
    assert reply[0] == b"get" and reply[2] == b"set"
    everything = c.call("COMMAND", "DOCS")
    assert len(everything) == 2 * c.call("COMMAND", "COUNT")
    # Container commands document their subcommands.
    (name, doc) = c.call("COMMAND", "DOCS", "object")
    d = dict(zip(doc[::2], doc[1::2]))
    subs = d[b"subcommands"]
    sub_names = set(subs[::2])
    assert {b"object|encoding", b"object|freq", b"object|idletime", b"object|refcount",
            b"object|help"} == sub_names
    assert decode_doc(dict(zip(subs[::2], subs[1::2]))[b"object|encoding"]) == \
        DOCS["object|encoding"]


def test_command_docs_resp3(r3):
    reply = redis_py_raw(r3, "COMMAND", "DOCS", "get")
    prose = {} if EMBER else {b"summary": b"Get the value of a key", b"complexity": b"O(1)"}
    assert reply == {b"get": {**prose, b"since": b"1.0.0", b"group": b"string",
                              b"arguments": [{b"name": b"key", b"type": b"key",
                                              b"key_spec_index": 0}]}}


def test_command_help_and_unknown_subcommand(c):
    lines = c.call("COMMAND", "HELP")
    assert isinstance(lines, list) and len(lines) == 21
    assert lines[0] == "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[1] == "(no subcommand)"
    assert c.call("COMMAND", "FOO") == Err("ERR unknown subcommand 'FOO'. Try COMMAND HELP.")
    assert c.call("COMMAND", "HELP", "x") == arity("command|help")


# ------------------------------------------------- unknown command / arity


def test_unknown_command(c):
    assert c.call("foo", "a", "b") == Err(
        "ERR unknown command 'foo', with args beginning with: 'a' 'b' ")
    assert c.call("foo") == Err("ERR unknown command 'foo', with args beginning with: ")
    assert c.call("FoO", "x") == Err("ERR unknown command 'FoO', with args beginning with: 'x' ")
    assert c.call_raw("foo", "a", "b") == \
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    many = [str(i) for i in range(20)]
    assert c.call("foo", *many) == Err(
        "ERR unknown command 'foo', with args beginning with: "
        + "".join(f"'{i}' " for i in many))


def test_unknown_command_sanitizes_and_truncates(c):
    # Newlines inside the error are replaced by spaces; arguments are cut at 128 bytes.
    assert c.call("foo", "a\r\nb", "x'y") == Err(
        "ERR unknown command 'foo', with args beginning with: 'a  b' 'x'y' ")
    assert c.call("foo", "y" * 300) == Err(
        "ERR unknown command 'foo', with args beginning with: '" + "y" * 128 + "' ")
    assert c.call("z" * 300) == Err(
        "ERR unknown command '" + "z" * 128 + "', with args beginning with: ")
    assert c.call("PING") == "PONG"


def test_unknown_command_connection_stays_usable(c):
    for _ in range(3):
        assert c.call("NOPE").code == "ERR"
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GET", "k") == b"v"


@pytest.mark.parametrize("args,name", [
    (("GET",), "get"),
    (("get", "a", "b"), "get"),
    (("SET", "a"), "set"),
    (("MSET", "a"), "mset"),
    (("Strlen",), "strlen"),
    (("EXPIRE", "a"), "expire"),
    (("SELECT",), "select"),
    (("CLIENT",), "client"),
    (("CONFIG",), "config"),
    (("OBJECT",), "object"),
    (("DEBUG",), "debug"),
    (("CLIENT", "GETNAME", "x"), "client|getname"),
    (("client", "setname"), "client|setname"),
    (("CONFIG", "GET"), "config|get"),
    (("COMMAND", "COUNT", "x"), "command|count"),
    (("OBJECT", "ENCODING"), "object|encoding"),
    (("LCS", "a"), "lcs"),
    (("DBSIZE", "x"), "dbsize"),
])
def test_wrong_arity(c, args, name):
    assert c.call(*args) == arity(name)


def test_wrong_arity_counts_as_rejected_call(c):
    assert c.call("CONFIG", "RESETSTAT") == "OK"
    assert c.call("ECHO") == arity("echo")
    stats = c.call("INFO", "commandstats").decode()
    line = [l for l in stats.split("\r\n") if l.startswith("cmdstat_echo:")]
    assert line and ",rejected_calls=1,failed_calls=0" in line[0]
    assert line[0].startswith("cmdstat_echo:calls=0,")
