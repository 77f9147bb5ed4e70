// Bad input never crashes the emulator: VMLAUNCH from examples/hypervisor.asm with random values in random
// VMCS fields always ends in an architectural outcome (VMfail, VM-entry failure, VM exits, guest exceptions,
// triple fault, shutdown after a VMX abort) — never an internal error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cpuModel, VMCS_FIELDS } from "../../arch/index";
import { assemble } from "../../assembler/index";
import { Machine } from "../../emulator/index";
import { createVmx, type Vmx } from "../../emulator/vmx/vmx";
import { REPO_ROOT } from "./helpers/oracle";

test("VMLAUNCH with 150 randomly corrupted VMCSs: no internal errors", () => {
  const file = join(REPO_ROOT, "examples/hypervisor.asm");
  const program = assemble(readFileSync(file, "utf8"), { fileName: file });
  const m = new Machine({ cpuModel: cpuModel("skylake-x")!, vmx: createVmx });
  for (const s of program.sections) m.load(s.bytes, s.address);
  m.setupStart("long64", program.symbols.get("start")!.value);
  const launch = program.symbols.get("launch")!.value;
  const first = m.run({ maxInstructions: 100_000, breakpoints: new Set([launch]) });
  assert.equal(first.kind, "breakpoint");
  const snap = m.snapshot();
  const vmx = m.vmx as Vmx;
  const fields = VMCS_FIELDS.map((f) => f.encoding);
  let seed = 99;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  const outcomes = new Map<string, number>();
  for (let trial = 0; trial < 150; trial++) {
    m.restore(snap);
    const pa = vmx.state.currentVmcs;
    for (let k = 0; k < 1 + (rnd() % 4); k++) {
      const enc = fields[rnd() % fields.length]!;
      const value = rnd() % 2 ? BigInt(rnd()) : (BigInt(rnd()) << 32n) | BigInt(rnd());
      vmx.store.set(pa, enc, value);
    }
    const stop = m.run({ maxInstructions: 20_000 });
    const internal = stop.kind === "shutdown" && /internal emulator error/.test(stop.message);
    assert.ok(!internal, `trial ${trial}: ${stop.kind === "shutdown" ? stop.message : ""}`);
    outcomes.set(stop.kind, (outcomes.get(stop.kind) ?? 0) + 1);
  }
  assert.ok(outcomes.size >= 1);
});
