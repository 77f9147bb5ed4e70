// Differential test against the real processor: 100,000 random cases (fixed seed) run natively by a small C
// harness and on the emulator; every architecturally defined result (registers, flags, memory, faults) must
// match. A quarter are single memory-operand instructions on a data window mapped at the same address on both
// sides; of the rest, half are sequences of 2–4 instructions so lazily evaluated flags feed later instructions.
// Longer runs: `node --import tsx test/emulator/differential/long-run.ts SEED COUNT`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runDifferential, unsupportedReason } from "./differential/run";

const COUNT = Number(process.env.EMU_DIFF_CASES ?? 100_000);

test(`emulator matches the native CPU on ${COUNT} random instructions and sequences (seed 1)`, {
  skip: unsupportedReason(),
}, () => {
  const { failures, executed } = runDifferential(1, COUNT);
  assert.equal(executed, COUNT);
  const report = failures
    .slice(0, 10)
    .map((f) => `#${f.index} ${f.text} [${f.code}] ${f.detail}`)
    .join("\n");
  assert.equal(failures.length, 0, `${failures.length} mismatches, first ones:\n${report}`);
});
