"""Lazy free: UNLINK, FLUSHALL/FLUSHDB ASYNC and lazyfree-lazy-user-del hand large values to a
background freer (INFO's lazyfreed_objects counts them); small values are freed at once."""

import time


def lazyfreed(r):
    return r.info("memory")["lazyfreed_objects"]


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_unlink_large_collection_is_freed_in_background(r):
    before = lazyfreed(r)
    r.sadd("big", *[f"member:{i}" for i in range(1000)])
    assert r.unlink("big") == 1
    assert r.exists("big") == 0
    assert wait_for(lambda: lazyfreed(r) == before + 1)
    assert r.info("memory")["lazyfree_pending_objects"] == 0


def test_unlink_small_values_are_freed_at_once(r):
    before = lazyfreed(r)
    r.set("s", "v")
    r.sadd("small", "a", "b")
    assert r.unlink("s", "small", "nokey") == 2
    time.sleep(0.05)
    assert lazyfreed(r) == before


def test_del_is_lazy_only_when_configured(r, config):
    before = lazyfreed(r)
    r.hset("h", mapping={f"f{i}": "v" for i in range(1000)})
    assert r.delete("h") == 1
    time.sleep(0.05)
    assert lazyfreed(r) == before
    config.set("lazyfree-lazy-user-del", "yes")
    r.hset("h", mapping={f"f{i}": "v" for i in range(1000)})
    assert r.delete("h") == 1
    assert wait_for(lambda: lazyfreed(r) == before + 1)


def test_flushall_async(r):
    before = lazyfreed(r)
    for i in range(100):
        r.set(f"k{i}", "v")
    assert r.execute_command("FLUSHALL", "ASYNC") is True
    assert r.dbsize() == 0
    assert wait_for(lambda: lazyfreed(r) >= before + 1)
    r.set("after", "1")
    assert r.execute_command("FLUSHDB", "ASYNC") is True
    assert r.dbsize() == 0


def test_big_zset_and_list_unlink(r):
    before = lazyfreed(r)
    r.zadd("z", {f"m{i}": i for i in range(2000)})
    r.rpush("l", *["x" * 100 for _ in range(10000)])
    assert r.unlink("z", "l") == 2
    assert wait_for(lambda: lazyfreed(r) == before + 2)


def test_expired_values_are_freed_lazily_with_lazyfree_lazy_expire(r, config):
    members = [f"member:{i}" for i in range(1000)]
    before = lazyfreed(r)
    r.sadd("eager", *members)
    r.pexpire("eager", 1)
    time.sleep(0.02)
    assert r.exists("eager") == 0
    time.sleep(0.05)
    assert lazyfreed(r) == before
    config.set("lazyfree-lazy-expire", "yes")
    r.sadd("lazy", *members)
    r.pexpire("lazy", 1)
    time.sleep(0.02)
    assert r.exists("lazy") == 0
    assert wait_for(lambda: lazyfreed(r) == before + 1)
    # An expiry set in the past deletes at once, lazily too.
    r.sadd("past", *members)
    assert r.expire("past", -1) == 1
    assert wait_for(lambda: lazyfreed(r) == before + 2)


def test_values_deleted_by_commands_are_freed_lazily_with_lazyfree_lazy_server_del(r, config):
    members = [f"member:{i}" for i in range(1000)]
    before = lazyfreed(r)
    r.sadd("big", *members)
    r.set("big", "overwritten")
    time.sleep(0.05)
    assert lazyfreed(r) == before
    config.set("lazyfree-lazy-server-del", "yes")
    r.sadd("big2", *members)
    r.set("big2", "overwritten")  # SET over a set
    assert wait_for(lambda: lazyfreed(r) == before + 1)
    r.sadd("dest", *members)
    r.set("src", "v")
    r.rename("src", "dest")  # RENAME's destination
    assert wait_for(lambda: lazyfreed(r) == before + 2)
    r.sadd("out", *members)
    r.sadd("a", "x")
    r.sunionstore("out", ["a"])  # a *STORE's old destination
    assert wait_for(lambda: lazyfreed(r) == before + 3)
    assert r.smembers("out") == {b"x"}
