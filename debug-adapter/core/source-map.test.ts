import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SourceMap } from "./source-map";

const F = "/p/main.asm";
const map = new SourceMap(
  [
    { address: 0x100n, length: 5, file: F, line: 3, column: 4 },
    { address: 0x105n, length: 2, file: F, line: 4, column: 4 },
    { address: 0x107n, length: 0, file: F, line: 6, column: 0 },
    { address: 0x107n, length: 1, file: F, line: 8, column: 4 },
    { address: 0x200n, length: 3, file: "/p/other.inc", line: 1, column: 0 },
  ],
  [
    { name: "start", value: 0x100n, label: true },
    { name: "f", value: 0x107n, label: true },
    { name: "f.loop", value: 0x107n, label: true },
    { name: "LIMIT", value: 0x105n, label: false },
  ],
);

describe("source map", () => {
  it("maps addresses inside items to their line", () => {
    assert.deepEqual(map.locationOf(0x103n), { file: F, line: 3, column: 4 });
    assert.equal(map.locationOf(0x108n), undefined);
    assert.equal(map.entryStartingAt(0x105n)?.line, 4);
    assert.equal(map.entryStartingAt(0x106n), undefined);
    assert.equal(map.entryEndingAt(0x107n)?.line, 4);
  });

  it("moves a breakpoint on a line without code to the next line with code", () => {
    assert.deepEqual(map.resolveLine(F, 3), { line: 3, column: 4, address: 0x100n });
    assert.deepEqual(map.resolveLine(F, 5), { line: 8, column: 4, address: 0x107n });
    assert.equal(map.resolveLine(F, 9), undefined);
    assert.equal(map.resolveLine("/p/none.asm", 0), undefined);
  });

  it("names addresses by label, preferring non-local labels for functions", () => {
    assert.deepEqual(map.labelFor(0x106n), { name: "start", offset: 6n });
    assert.deepEqual(map.functionFor(0x107n), { name: "f", offset: 0n });
    assert.equal(map.labelFor(0x50n), undefined);
    assert.equal(map.symbol("LIMIT")?.label, false);
  });

  it("lists the lines with code of a file", () => {
    assert.deepEqual(map.linesOf(F), [3, 4, 8]);
  });
});
