#!/usr/bin/env python3
"""Groups the failures of a redis-suite run by their cause.

  scripts/redis-suite --durable --log-dir /tmp/suite-logs ...   # keeps each unit's runtest.out
  tests/suite/triage.py /tmp/suite-logs [--tests]

Reads every <mode>/<unit>/runtest.out under the directory, takes each [err] and [exception],
and reduces its message to a cause: `unknown command XADD`, `DEBUG RELOAD unknown`,
`CONFIG SET repl-ping-replica-period rejected`, ... Assertion failures (a reply that differs
from Redis's) are listed one by one, with the expected and actual values. Causes are ordered by
how many tests they cost. --durable runs (a runtime error fails only its test) show every cost;
without it a unit stops at its first runtime error.
"""
import collections
import os
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HEAD = re.compile(r"^\[(err|exception)\]: ?(.*)$")
ANY = re.compile(r"^\[(ok|err|exception|skip|ignore|TIMEOUT|\d+/\d+ done)\]")


def cause(msg_lines):
    text = "\n".join(msg_lines)
    m = re.search(r"ERR unknown command '([^']*)'", text)
    if m:
        return "unknown command %s" % m.group(1).upper()
    m = re.search(r"unknown subcommand (?:or wrong number of arguments for )?'([^']*)'\. Try (\w+) HELP", text)
    if m:
        return "%s %s unknown" % (m.group(2).upper(), m.group(1).upper())
    m = re.search(r"unknown subcommand '([^']*)'\. Try (\w+) HELP", text)
    if m:
        return "%s %s unknown" % (m.group(2).upper(), m.group(1).upper())
    m = re.search(r"CONFIG SET - '([^']*)'", text)
    if m:
        return "CONFIG SET %s rejected" % m.group(1)
    m = re.search(r"CONFIG SET failed \(possibly related to argument '([^']*)'\) - (.*)", text)
    if m:
        return "CONFIG SET %s rejected: %s" % (m.group(1), m.group(2).strip())
    m = re.search(r"Unknown option or number of arguments for CONFIG GET - '([^']*)'", text)
    if m:
        return "CONFIG GET %s rejected" % m.group(1)
    m = re.search(r"I/O error reading reply|connection reset|broken pipe", text, re.I)
    if m:
        return "connection lost (server crashed or closed it)"
    first = msg_lines[0] if msg_lines else ""
    if first.startswith("Expected") or "assertion" in first.lower():
        return None   # a wrong reply: listed per test
    m = re.search(r"^((?:ERR|WRONGTYPE|BUSYKEY|NOSCRIPT|NOPERM|EXECABORT|NOTBUSY)[^\n]{0,70})", text, re.M)
    if m:
        return "error reply: " + re.sub(r"'[^']*'", "'…'", m.group(1))
    return "other: " + first[:90]


def read_failures(path):
    """(kind, test, message lines, ok tests before it) for each failure in a runtest.out."""
    lines = [ANSI.sub("", l) for l in open(path, errors="replace").read().splitlines()]
    out = []
    oks = 0
    for i, line in enumerate(lines):
        if line.startswith("[ok]: "):
            oks += 1
        m = HEAD.match(line)
        if not m:
            continue
        kind, data = m.groups()
        body = []
        for nxt in lines[i + 1:i + 60]:
            if ANY.match(nxt):
                break
            body.append(nxt)
        test = re.sub(r" in tests/\S+\.tcl$", "", data)
        if kind == "exception":
            t = next((re.match(r'^"test \{(.*?)\}', l) for l in body if l.startswith('"test {')), None)
            test = "(unit aborted) " + (t.group(1) if t else "outside a test")
            msg = [data.replace("Executing test client: ", "")] + body
        else:
            # the suite cuts the first 10 characters of a runtime error; the next line has it whole
            msg = body[1:] if len(body) > 1 and body[1].startswith(("ERR", "WRONGTYPE")) else body
        out.append((kind, test, msg, oks))
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    show_tests = "--tests" in sys.argv
    by_cause = collections.defaultdict(list)
    wrong = []
    chains = collections.OrderedDict()
    for dirpath, _, files in sorted(os.walk(root)):
        if "runtest.out" not in files:
            continue
        unit = os.path.relpath(dirpath, root).replace("_", "/", 2)
        mode, _, unit = unit.partition("/")
        unit = os.path.basename(dirpath).replace("unit_type_", "unit/type/").replace(
            "unit_", "unit/").replace("integration_", "integration/")
        for kind, test, msg, oks in read_failures(os.path.join(dirpath, "runtest.out")):
            c = cause(msg)
            chains.setdefault(unit, []).append((c if c else "wrong reply: " + test[:60], oks))
            if c is None:
                detail = msg[0][:300] if msg else ""
                wrong.append((unit, test, detail))
            else:
                by_cause[c].append((unit, test))
    print("== failures by cause (%d causes, %d tests), most tests first" % (
        len(by_cause), sum(len(v) for v in by_cause.values())))
    for c, tests in sorted(by_cause.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        units = collections.Counter(u for u, _ in tests)
        print("%3d  %s   [%s]" % (len(tests), c, ", ".join("%s %d" % (u, n) for u, n in units.most_common())))
        if show_tests:
            for u, t in tests:
                print("       %s: %s" % (u, t))
    print("\n== per unit, causes in the order the unit meets them (a unit run without --durable"
          " stops at the first)")
    print("   [N ok] before a cause: the tests that pass before the unit first meets it, i.e. what"
          " a run without --durable counts once every earlier cause is fixed")
    for unit, seq in chains.items():
        order, first = [], {}
        for c, oks in seq:
            if c not in order:
                order.append(c)
                first[c] = oks
        counts = collections.Counter(c for c, _ in seq)
        print("  %s: %s" % (unit, " -> ".join(
            "[%d ok] %s (%d)" % (first[c], c, counts[c]) for c in order)))
    print("\n== wrong replies (assertions), %d tests" % len(wrong))
    for u, t, d in wrong:
        print("  %s: %s\n       %s" % (u, t, d))
    return 0


if __name__ == "__main__":
    sys.exit(main())
