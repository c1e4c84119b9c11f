#!/usr/bin/env python3
"""Generate Sources/EmberStore/CommandTable/CommandSpecs+Generated.swift from Redis 7.0's command JSON files.

Usage: scripts/gen-command-specs.py [COMMANDS_DIR]

COMMANDS_DIR defaults to ../shared/reference/redis-7.0.15-commands relative to the repository root.
Only facts are taken from the JSON (names, arity, flags, ACL categories, tips, key specs, argument
structure, group, since); descriptive prose (summaries, complexity, history, notes) is not copied.

The derived values follow what redis-server 7.0 computes at startup, so that `COMMAND INFO` matches:
  * implicit ACL categories (server.c setImplicitACLCategories),
  * the legacy (first, last, step) key range (populateCommandLegacyRangeSpec),
  * the `movablekeys` flag (populateCommandMovableKeys),
  * JSON flags COMMAND INFO hides are dropped (SENTINEL, ONLY_SENTINEL, TOUCHES_ARBITRARY_KEYS) or
    kept without a name in COMMAND INFO (PROTECTED); MAY_REPLICATE is kept (Ember uses it) although COMMAND INFO does not report it,
  * commands flagged ONLY_SENTINEL do not exist outside sentinel mode and are left out.
"""

import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.path.join(REPO_ROOT, "..", "shared", "reference", "redis-7.0.15-commands")
OUTPUT = os.path.join(REPO_ROOT, "Sources", "EmberStore", "CommandTable", "CommandSpecs+Generated.swift")

# JSON command flag -> CommandFlags member. Flags absent here are not reported by COMMAND INFO
# and have no CommandFlags member (SENTINEL, ONLY_SENTINEL, PROTECTED, TOUCHES_ARBITRARY_KEYS).
COMMAND_FLAGS = {
    "WRITE": "write",
    "READONLY": "readonly",
    "DENYOOM": "denyoom",
    "MODULE": "module",
    "ADMIN": "admin",
    "PUBSUB": "pubsub",
    "NOSCRIPT": "noscript",
    "BLOCKING": "blocking",
    "LOADING": "loading",
    "STALE": "stale",
    "SKIP_MONITOR": "skipMonitor",
    "SKIP_SLOWLOG": "skipSlowlog",
    "ASKING": "asking",
    "FAST": "fast",
    "NO_AUTH": "noAuth",
    "MAY_REPLICATE": "mayReplicate",
    "NO_MANDATORY_KEYS": "noMandatoryKeys",
    "NO_ASYNC_LOADING": "noAsyncLoading",
    "NO_MULTI": "noMulti",
    "ALLOW_BUSY": "allowBusy",
    # Not reported by COMMAND INFO; gates DEBUG and MODULE behind enable-*-command.
    "PROTECTED": "protected",
}
IGNORED_COMMAND_FLAGS = {"SENTINEL", "ONLY_SENTINEL", "TOUCHES_ARBITRARY_KEYS"}
# Declaration order of CommandFlags (= the order Redis lists them), for stable output.
COMMAND_FLAG_ORDER = [
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading",
    "stale", "skipMonitor", "skipSlowlog", "asking", "fast", "noAuth", "mayReplicate",
    "noMandatoryKeys", "noAsyncLoading", "noMulti", "movableKeys", "allowBusy", "protected",
]

# ACL categories in Redis's ACLCommandCategories order (= ACLCategories declaration order).
ACL_ORDER = [
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
    "connection", "transaction", "scripting",
]

# Key spec flags as COMMAND INFO reports them, in Redis's order (addReplyFlagsForKeyArgs).
KEY_SPEC_FLAGS = [
    ("RO", "RO"), ("RW", "RW"), ("OW", "OW"), ("RM", "RM"), ("ACCESS", "access"),
    ("UPDATE", "update"), ("INSERT", "insert"), ("DELETE", "delete"), ("NOT_KEY", "not_key"),
    ("INCOMPLETE", "incomplete"), ("VARIABLE_FLAGS", "variable_flags"),
]

# COMMAND DOCS group names (Redis's COMMAND_GROUP_STR).
GROUPS = {
    "generic": "generic", "string": "string", "list": "list", "set": "set",
    "sorted_set": "sorted-set", "hash": "hash", "pubsub": "pubsub", "transactions": "transactions",
    "connection": "connection", "server": "server", "scripting": "scripting",
    "hyperloglog": "hyperloglog", "cluster": "cluster", "sentinel": "sentinel", "geo": "geo",
    "stream": "stream", "bitmap": "bitmap", "module": "module",
}

ARG_TYPES = {"key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof", "block"}


def fail(message):
    sys.stderr.write("gen-command-specs: %s\n" % message)
    sys.exit(1)


# ----------------------------------------------------------------------------------------------
# Loading and deriving


def load_json(directory):
    """Returns {lowercase name: raw spec} for top-level commands, subcommands attached under '_subs'."""
    top, subs = {}, []
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith(".json"):
            continue
        with open(os.path.join(directory, filename), encoding="utf-8") as handle:
            data = json.load(handle)
        if len(data) != 1:
            fail("%s: expected one command" % filename)
        (declared, raw), = data.items()
        raw = dict(raw)
        raw["_declared"] = declared.lower()
        raw["_file"] = filename
        if "container" in raw:
            subs.append(raw)
        else:
            top[raw["_declared"]] = raw
    for raw in subs:
        container = raw["container"].lower()
        if container not in top:
            fail("%s: unknown container %s" % (raw["_file"], container))
        top[container].setdefault("_subs", []).append(raw)
    return top


def key_spec_model(raw, where):
    flags = raw.get("flags", [])
    for flag in flags:
        if flag not in dict(KEY_SPEC_FLAGS):
            fail("%s: unknown key spec flag %s" % (where, flag))
    ordered = [reported for (name, reported) in KEY_SPEC_FLAGS if name in flags]

    (bs_type, bs), = raw["begin_search"].items()
    if bs_type == "index":
        begin = ("index", bs["pos"])
    elif bs_type == "keyword":
        begin = ("keyword", bs["keyword"], bs["startfrom"])
    elif bs_type == "unknown":
        begin = ("unknown",)
    else:
        fail("%s: unknown begin_search %s" % (where, bs_type))

    (fk_type, fk), = raw["find_keys"].items()
    if fk_type == "range":
        find = ("range", fk["lastkey"], fk["step"], fk["limit"])
    elif fk_type == "keynum":
        find = ("keynum", fk["keynumidx"], fk["firstkey"], fk["step"])
    elif fk_type == "unknown":
        find = ("unknown",)
    else:
        fail("%s: unknown find_keys %s" % (where, fk_type))
    return {"flags": ordered, "begin": begin, "find": find}


def is_index_range(spec):
    return spec["begin"][0] == "index" and spec["find"][0] == "range"


def legacy_range(specs):
    """(first, last, step) as COMMAND INFO reports it, following populateCommandLegacyRangeSpec."""
    if not specs:
        return (0, 0, 0)
    if len(specs) == 1 and is_index_range(specs[0]):
        pos = specs[0]["begin"][1]
        _, lastkey, step, _ = specs[0]["find"]
        return (pos, pos + lastkey if lastkey >= 0 else lastkey, step)
    first = None
    last = 0  # compared as unsigned, so a negative (relative-to-end) last key wins
    prev_last = 0
    for spec in specs:
        if not is_index_range(spec):
            continue
        pos = spec["begin"][1]
        _, lastkey, step, _ = spec["find"]
        if step != 1:
            return (0, 0, 0)
        if prev_last and prev_last != pos - 1:
            return (0, 0, 0)
        first = pos if first is None else min(first, pos)
        absolute = lastkey + pos if lastkey >= 0 else lastkey
        last = max(last, absolute, key=lambda v: v & 0xFFFFFFFF)
    if first is None:
        return (0, 0, 0)
    return (first, last, 1)


def movable_keys(specs):
    """populateCommandMovableKeys for a native command: any key spec that is not index + range.

    A `get_keys_function` alone does not make a native command movable: SET and BITFIELD have one
    (for their variable key flags) and redis-server 7.0.15 does not report them as movablekeys.
    """
    return any(not is_index_range(spec) for spec in specs)


def token_value(token):
    # Redis's table generator upper-cases tokens and writes them as "%s", so the JSON token `""`
    # (MIGRATE's empty key) becomes an empty C string.
    token = token.upper()
    return "" if token == '""' else token


def argument_model(raw, where):
    if raw["type"] not in ARG_TYPES:
        fail("%s: unknown argument type %s" % (where, raw["type"]))
    return {
        "name": raw["name"].lower(),  # Redis's table generator lower-cases argument names
        "type": raw["type"],
        "token": token_value(raw["token"]) if "token" in raw else None,
        "key_spec_index": raw.get("key_spec_index"),
        "since": raw.get("since"),
        "optional": bool(raw.get("optional", False)),
        "multiple": bool(raw.get("multiple", False)),
        "multiple_token": bool(raw.get("multiple_token", False)),
        "arguments": [argument_model(sub, where) for sub in raw.get("arguments", [])],
    }


def command_model(raw, fullname):
    where = raw["_file"]
    flags = []
    for flag in raw.get("command_flags", []):
        if flag in COMMAND_FLAGS:
            flags.append(COMMAND_FLAGS[flag])
        elif flag not in IGNORED_COMMAND_FLAGS:
            fail("%s: unknown command flag %s" % (where, flag))
    specs = [key_spec_model(spec, where) for spec in raw.get("key_specs", [])]
    if movable_keys(specs):
        flags.append("movableKeys")

    acl = set()
    for category in raw.get("acl_categories", []):
        name = category.lower()
        if name not in ACL_ORDER:
            fail("%s: unknown ACL category %s" % (where, category))
        acl.add(name)
    # setImplicitACLCategories
    if "write" in flags:
        acl.add("write")
    if "readonly" in flags and "scripting" not in acl:  # EVAL_RO & co. are not @read
        acl.add("read")
    if "admin" in flags:
        acl.update(("admin", "dangerous"))
    if "pubsub" in flags:
        acl.add("pubsub")
    if "fast" in flags:
        acl.add("fast")
    if "blocking" in flags:
        acl.add("blocking")
    if "fast" not in acl:
        acl.add("slow")

    group = raw["group"]
    if group not in GROUPS:
        fail("%s: unknown group %s" % (where, group))

    first, last, step = legacy_range(specs)
    model = {
        "name": fullname,
        "arity": raw["arity"],
        "flags": [f for f in COMMAND_FLAG_ORDER if f in flags],
        "acl": [c for c in ACL_ORDER if c in acl],
        "first": first,
        "last": last,
        "step": step,
        "key_specs": specs,
        "tips": [tip.lower() for tip in raw.get("command_tips", [])],
        "group": GROUPS[group],
        "since": raw["since"],
        "arguments": [argument_model(arg, where) for arg in raw.get("arguments", [])],
        "subcommands": [],
    }
    for sub in sorted(raw.get("_subs", []), key=lambda s: s["_declared"]):
        if "ONLY_SENTINEL" in sub.get("command_flags", []):
            continue
        model["subcommands"].append(command_model(sub, fullname + "|" + sub["_declared"]))
    return model


def build_models(directory):
    top = load_json(directory)
    models = []
    for name in sorted(top):
        raw = top[name]
        if "ONLY_SENTINEL" in raw.get("command_flags", []):
            continue
        models.append(command_model(raw, name))
    return models


# ----------------------------------------------------------------------------------------------
# Swift emission


def swift_string(text):
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) > 0x7E:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def swift_identifier(name):
    ident = "".join(ch if ch.isalnum() else "_" for ch in name)
    return "c_" + ident


def swift_members(members):
    return "[" + ", ".join("." + m for m in members) + "]"


def swift_key_spec(spec):
    begin = spec["begin"]
    if begin[0] == "index":
        bs = ".index(%d)" % begin[1]
    elif begin[0] == "keyword":
        bs = ".keyword(%s, startFrom: %d)" % (swift_string(begin[1]), begin[2])
    else:
        bs = ".unknown"
    find = spec["find"]
    if find[0] == "range":
        fk = ".range(lastKey: %d, step: %d, limit: %d)" % find[1:]
    elif find[0] == "keynum":
        fk = ".keynum(keyNumIndex: %d, firstKey: %d, step: %d)" % find[1:]
    else:
        fk = ".unknown"
    flags = "[" + ", ".join(swift_string(f) for f in spec["flags"]) + "]"
    return "KeySpec(flags: %s, beginSearch: %s, findKeys: %s)" % (flags, bs, fk)


def swift_argument(arg, indent):
    parts = ["name: %s" % swift_string(arg["name"]), "type: %s" % swift_string(arg["type"])]
    if arg["token"] is not None:
        parts.append("token: %s" % swift_string(arg["token"]))
    if arg["key_spec_index"] is not None:
        parts.append("keySpecIndex: %d" % arg["key_spec_index"])
    if arg["since"] is not None:
        parts.append("since: %s" % swift_string(arg["since"]))
    if arg["optional"]:
        parts.append("optional: true")
    if arg["multiple"]:
        parts.append("multiple: true")
    if arg["multiple_token"]:
        parts.append("multipleToken: true")
    pad = " " * indent
    if arg["arguments"]:
        nested = ",\n".join(pad + "    " + swift_argument(sub, indent + 4) for sub in arg["arguments"])
        parts.append("arguments: [\n%s,\n%s]" % (nested, pad))
    return "ArgumentSpec(%s)" % ", ".join(parts)


def swift_array(items, indent):
    if not items:
        return "[]"
    pad = " " * indent
    return "[\n" + "".join(pad + "    " + item + ",\n" for item in items) + pad + "]"


def emit_command(model, out):
    ident = swift_identifier(model["name"])
    for sub in model["subcommands"]:
        emit_command(sub, out)
    args = [swift_argument(arg, 12) for arg in model["arguments"]]
    specs = [swift_key_spec(spec) for spec in model["key_specs"]]
    subs = [swift_identifier(sub["name"]) for sub in model["subcommands"]]
    out.append(
        "    static let %s: CommandSpec = CommandSpec(\n"
        "        name: %s, arity: %d,\n"
        "        flags: %s,\n"
        "        aclCategories: %s,\n"
        "        firstKey: %d, lastKey: %d, keyStep: %d,\n"
        "        keySpecs: %s,\n"
        "        tips: %s,\n"
        "        group: %s, since: %s,\n"
        "        arguments: %s,\n"
        "        subcommands: %s\n"
        "    )\n"
        % (
            ident,
            swift_string(model["name"]),
            model["arity"],
            swift_members(model["flags"]),
            swift_members(model["acl"]),
            model["first"],
            model["last"],
            model["step"],
            swift_array(specs, 8),
            "[" + ", ".join(swift_string(t) for t in model["tips"]) + "]",
            swift_string(model["group"]),
            swift_string(model["since"]),
            swift_array(args, 8),
            "[" + ", ".join(subs) + "]",
        )
    )


def emit_swift(models, source_label):
    identifiers = set()

    def check(model):
        ident = swift_identifier(model["name"])
        if ident in identifiers:
            fail("identifier collision: %s" % ident)
        identifiers.add(ident)
        for sub in model["subcommands"]:
            check(sub)

    for model in models:
        check(model)

    out = [
        "// Generated by scripts/gen-command-specs.py from %s. Do not edit.\n" % source_label,
        "// Facts only: names, arity, flags, ACL categories, key specs, tips, argument structure.\n",
        "\n",
        "extension CommandSpec {\n",
        "    /// Every top-level Redis 7.0 command (sentinel-only commands excluded), sorted by name,\n",
        "    /// with its subcommands nested (also sorted by name).\n",
        "    public static let all: [CommandSpec] = [\n",
    ]
    for model in models:
        out.append("        GeneratedCommandSpecs.%s,\n" % swift_identifier(model["name"]))
    out.append("    ]\n}\n\n")
    out.append("/// One stored property per command keeps each initializer a separate, cheap expression\n")
    out.append("/// for the type checker.\n")
    out.append("enum GeneratedCommandSpecs {\n")
    body = []
    for model in models:
        emit_command(model, body)
    out.append("\n".join(body))
    out.append("}\n")
    return "".join(out)


def main(argv):
    directory = argv[1] if len(argv) > 1 else DEFAULT_DIR
    if not os.path.isdir(directory):
        fail("no such directory: %s" % directory)
    models = build_models(directory)
    label = os.path.basename(os.path.normpath(directory))
    text = emit_swift(models, label)
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        handle.write(text)
    count = sum(1 + len(m["subcommands"]) for m in models)
    print("wrote %s: %d top-level commands, %d with subcommands, %d bytes"
          % (os.path.relpath(OUTPUT, REPO_ROOT), len(models), count, len(text.encode())))


if __name__ == "__main__":
    main(sys.argv)
