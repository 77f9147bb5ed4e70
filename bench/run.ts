// `npm run bench`: runs every benchmark in bench/ (each file prints machine-readable JSON lines with its
// figures) in its own process, one after another so they don't compete for the CPU.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv.slice(2);
const dir = join(__dirname);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".test.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  process.stdout.write(`# ${f}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`# ${f} failed with exit code ${r.status}\n`);
  }
}
process.exit(failed ? 1 : 0);
