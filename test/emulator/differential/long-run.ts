// Longer differential runs: node --import tsx test/emulator/differential/long-run.ts [SEED] [COUNT]
// Prints a summary line and every mismatch; exits 1 if any.
import { runDifferential, unsupportedReason } from "./run";

const seed = Number(process.argv[2] ?? Date.now() % 1_000_000);
const count = Number(process.argv[3] ?? 1_000_000);
const why = unsupportedReason();
if (why) {
  console.error(`differential: cannot run here: ${why}`);
  process.exit(2);
}
const t0 = Date.now();
const { failures, executed } = runDifferential(seed, count);
for (const f of failures) console.log(`#${f.index} ${f.text} [${f.code}] ${f.detail}`);
console.log(JSON.stringify({ seed, cases: executed, mismatches: failures.length, seconds: (Date.now() - t0) / 1000 }));
process.exit(failures.length ? 1 : 0);
