// Differential tests against the Bochs oracle (../shared/oracle): the oracle's public payloads, built into
// boot images by its run.sh, run on our Machine in real16 at 0x7C00 with the skylake-x model; the port-0xE9
// output must match Bochs' recorded output line by line, exactly (negative against its SDM-corrected .sdm.out).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildImage, normalize, ORACLE_DIR, oracleUnavailable, runImage } from "./helpers/oracle";

const unavailable = oracleUnavailable();
if (unavailable) console.log(`# skipping the oracle differential tests: ${unavailable}`);

function compare(payload: string, expectedFile: string): void {
  const run = runImage(buildImage(join(ORACLE_DIR, "payloads", payload)));
  assert.ok(run.complete, `the payload did not reach the end marker (stop: ${run.stop})`);
  const ours = normalize(run.output);
  const want = normalize(readFileSync(join(ORACLE_DIR, "observed", expectedFile), "utf8"));
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(ours.length, want.length); i++) {
    const w = want[i];
    const o = ours[i];
    if (w === o) continue;
    diffs.push(`line ${i + 1}:\n  bochs: ${w}\n  ours:  ${o}`);
  }
  assert.deepEqual(diffs, []);
}

describe("oracle differential: public payloads", { skip: unavailable }, () => {
  test("basic_launch matches observed/basic_launch.out", () => compare("basic_launch.asm", "basic_launch.out"));
  test("negative matches observed/negative.sdm.out (the SDM where Bochs departs from it)", () =>
    compare("negative.asm", "negative.sdm.out"));
});
