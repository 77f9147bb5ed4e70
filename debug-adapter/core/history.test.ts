import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SnapshotTimeline, TimedLog } from "./history";

describe("snapshot time line", () => {
  it("finds the latest snapshot at or before a count", () => {
    const t = new SnapshotTimeline();
    for (const c of [0, 10, 20]) t.add(c, `s${c}`);
    assert.equal(t.atOrBefore(15)?.state, "s10");
    assert.equal(t.atOrBefore(20)?.state, "s20");
    assert.equal(t.atOrBefore(-1), undefined);
    assert.deepEqual(
      t.before(20).map((s) => s.count),
      [10, 0],
    );
  });

  it("drops the old future when a snapshot is taken after travelling back", () => {
    const t = new SnapshotTimeline();
    for (const c of [0, 10, 20, 30]) t.add(c, c);
    t.add(15, 15);
    assert.deepEqual(
      t.before(100).map((s) => s.count),
      [15, 10, 0],
    );
  });

  it("thins old snapshots when full, keeping the first and the recent half", () => {
    const t = new SnapshotTimeline(10);
    for (let c = 0; c <= 100; c += 10) t.add(c, c);
    assert.ok(t.size <= 10);
    assert.equal(t.atOrBefore(0)?.count, 0);
    assert.equal(t.last()?.count, 100);
  });
});

describe("timed log", () => {
  it("forgets what happened after a point in time", () => {
    const log = new TimedLog<{ count: number; what: string }>();
    log.push({ count: 1, what: "a" });
    log.push({ count: 5, what: "b" });
    log.push({ count: 9, what: "c" });
    log.truncateAfter(5);
    assert.deepEqual(
      log.entries.map((e) => e.what),
      ["a", "b"],
    );
  });
});
