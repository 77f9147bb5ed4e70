import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BreakpointStore, dataIdOf, hitConditionMet, parseDataId } from "./breakpoints";
import { SourceMap } from "./source-map";

const F = "/p/a.s";
const map = new SourceMap(
  [
    { address: 0x10n, length: 2, file: F, line: 2, column: 0 },
    { address: 0x12n, length: 2, file: F, line: 5, column: 0 },
  ],
  [
    { name: "entry", value: 0x10n, label: true },
    { name: "K", value: 3n, label: false },
  ],
);

describe("breakpoints", () => {
  it("hit conditions", () => {
    assert.equal(hitConditionMet("3", 3), true);
    assert.equal(hitConditionMet("3", 4), false);
    assert.equal(hitConditionMet(">= 2", 2), true);
    assert.equal(hitConditionMet("> 2", 2), false);
    assert.equal(hitConditionMet("%2", 4), true);
    assert.equal(hitConditionMet("%2", 3), false);
    assert.equal(hitConditionMet("often", 1), undefined);
  });

  it("source breakpoints move to code and are indexed by address; unresolvable ones stay unverified", () => {
    const s = new BreakpointStore(map);
    const [a, b] = s.setSource(F, [{ line: 3 }, { line: 9, condition: "rax" }]);
    assert.equal(a?.verified, true);
    assert.equal(a?.line, 5);
    assert.equal(a?.address, 0x12n);
    assert.equal(b?.verified, false);
    assert.deepEqual([...s.addresses()], [0x12n]);
    s.setSource(F, []);
    assert.deepEqual([...s.addresses()], []);
  });

  it("function breakpoints need a label", () => {
    const s = new BreakpointStore(map);
    const [a, b, c] = s.setFunctions([{ name: "entry" }, { name: "K" }, { name: "nope" }]);
    assert.equal(a?.verified, true);
    assert.equal(a?.line, 2);
    assert.match(b?.message ?? "", /constant/);
    assert.match(c?.message ?? "", /no label/);
    const [d] = s.setFunctions([{ name: "*0x12" }]);
    assert.equal(d?.verified, true);
    assert.equal(d?.line, 5);
  });

  it("rebinds after a restart, keeping ids", () => {
    const s = new BreakpointStore(map);
    const [a] = s.setSource(F, [{ line: 2 }]);
    const moved = new SourceMap([{ address: 0x40n, length: 1, file: F, line: 2, column: 0 }], []);
    s.rebind(moved);
    assert.deepEqual([...s.addresses()], [0x40n]);
    assert.equal(s.at(0x40n)[0]?.id, a?.id);
  });

  it("data breakpoint ids round-trip", () => {
    assert.equal(dataIdOf({ kind: "memory", address: 0x1000n, size: 8 }), "mem:0x1000:8");
    assert.deepEqual(parseDataId("mem:0x1000:4"), { kind: "memory", address: 0x1000n, size: 4 });
    assert.deepEqual(parseDataId("vmcs:GUEST_RIP"), { kind: "vmcs", name: "GUEST_RIP" });
    assert.equal(parseDataId("mem:0x1000:9"), undefined);
    assert.equal(parseDataId("garbage"), undefined);
    assert.equal(dataIdOf({ kind: "register", name: "rax" }), "reg:rax");
    assert.deepEqual(parseDataId("reg:cs.base"), { kind: "register", name: "cs.base" });
    assert.equal(parseDataId("reg:RAX;x"), undefined);
  });
});
