// The VM-entry check cache is a cache of the slow path: after any sequence of field changes it reports what a
// full run of the checks reports.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CheckCache, runEntryChecks, runEntryChecksCached } from "../../emulator/vmx/checks/index";
import { baseFacts, baseline64, CR0, PERMISSIVE, SKYLAKE, VMCS, type VmcsState } from "./helpers/entry-state";

/** Applies a change and records which fields changed (as the VMCS store does). */
function change(s: VmcsState, changed: Set<number>, enc: number, value: bigint | number): void {
  if (s.get(enc) !== BigInt.asUintN(64, BigInt(value))) changed.add(enc);
  s.set(enc, value);
}

test("cached and full VM-entry checks agree over a sequence of changes", () => {
  const s = baseline64();
  const facts = baseFacts();
  const cache = new CheckCache();
  const changed = new Set<number>();
  const steps: [number, bigint | number][] = [
    [VMCS.GUEST_RIP, 0x20500],
    [VMCS.GUEST_RIP, 0x0000800000000000n], // GRF-02
    [VMCS.GUEST_RIP, 0x20500],
    [VMCS.HOST_CR0, 0x33], // HST-01
    [VMCS.HOST_CR0, 0x80000033],
    [VMCS.PIN_BASED_VM_EXEC_CONTROLS, 0], // CTL-01 (a control: everything re-runs)
    [VMCS.PIN_BASED_VM_EXEC_CONTROLS, 0x16],
    [VMCS.VMCS_LINK_POINTER, 0x5000], // GNR-24 reads memory
    [VMCS.VMCS_LINK_POINTER, 0xffffffffffffffffn],
    [VMCS.GUEST_CR0, 0x80000032], // GCR-01
    [VMCS.GUEST_CR0, (CR0.PG | CR0.NE | CR0.ET | CR0.MP | CR0.PE) >>> 0],
  ];
  let first = true;
  for (const [enc, value] of steps) {
    change(s, changed, enc, value);
    const full = runEntryChecks(s, SKYLAKE, facts, { skipMsrLoad: true });
    const cached = runEntryChecksCached(s, SKYLAKE, facts, cache, changed, first);
    first = false;
    assert.deepEqual(cached, full, `after writing field 0x${enc.toString(16)}`);
    if (cached.kind === "ok") changed.clear();
  }
});

test("a check that reads memory runs every time: the linked VMCS's revision changes without a VMWRITE", () => {
  const s = baseline64().set(VMCS.VMCS_LINK_POINTER, 0x5000);
  const facts = baseFacts();
  facts.mem.write32(0x5000, 0x2b);
  const cache = new CheckCache();
  assert.deepEqual(runEntryChecksCached(s, SKYLAKE, facts, cache, new Set(), true), { kind: "ok" });
  facts.mem.write32(0x5000, 0x2c);
  const o = runEntryChecksCached(s, SKYLAKE, facts, cache, new Set(), false);
  assert.equal(o.kind === "entryFailure" && o.failure.checkId, "GNR-24");
});

test("with nothing changed, nothing but the memory-reading checks runs again", () => {
  const s = baseline64(PERMISSIVE);
  const cache = new CheckCache();
  runEntryChecksCached(s, PERMISSIVE, baseFacts(), cache, new Set(), true);
  const before = cache.runs;
  runEntryChecksCached(s, PERMISSIVE, baseFacts(), cache, new Set(), false);
  assert.ok(cache.runs - before < 10, `re-ran ${cache.runs - before} checks`);
});

test("random field changes: the checks never throw and the cache always agrees with the full run", async () => {
  const { VMCS_FIELDS } = await import("../../arch/index");
  const fields = VMCS_FIELDS.filter((f) => f.type !== "read-only").map((f) => f.encoding);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  const interesting = [0n, 1n, 0xffffffffn, 0xffffffffffffffffn, 0x0000800000000000n, 0x80000000n, 0x10000n, 0xc093n];
  const s = baseline64();
  const facts = baseFacts();
  const cache = new CheckCache();
  const changed = new Set<number>();
  let first = true;
  for (let i = 0; i < 1500; i++) {
    const enc = fields[rnd() % fields.length]!;
    const r = rnd();
    const value = r % 3 === 0 ? interesting[r % interesting.length]! : BigInt(rnd()) | (BigInt(rnd() & 0xff) << 32n);
    // Mostly undo the change again, so the state wanders around the valid baseline.
    const old = s.get(enc);
    change(s, changed, enc, value);
    const full = runEntryChecks(s, SKYLAKE, facts, { skipMsrLoad: true });
    const cached = runEntryChecksCached(s, SKYLAKE, facts, cache, changed, first);
    first = false;
    assert.deepEqual(cached, full);
    if (cached.kind === "ok") changed.clear();
    if (r % 4 !== 0) change(s, changed, enc, old);
  }
});
