// Live differential check: re-assembles forms.txt with the installed nasm and GNU as and compares both the
// checked-in goldens (drift of the references) and the encoder with what the tools produce right now.
// Skipped with a message when nasm/as/objcopy are not on PATH.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compare, describe } from "./check";
import { corpusEntries, type Golden, parseGolden } from "./corpus";
import { referenceGoldens, toolsAvailable } from "./reference";

const dir = import.meta.dirname;
const available = toolsAvailable();
let liveRows: Golden[] | undefined;
/** Assemble the corpus with the installed tools once for both tests. */
function live(): Golden[] {
  liveRows ??= referenceGoldens(corpusEntries(readFileSync(join(dir, "forms.txt"), "utf8")));
  return liveRows;
}
const skip = available ? false : "nasm, as and objcopy are not all on PATH: live corpus comparison skipped";

test("live: the installed nasm and GNU as still produce the checked-in goldens", { skip }, () => {
  const rows = live();
  const stored = parseGolden(readFileSync(join(dir, "golden.tsv"), "utf8"));
  assert.equal(rows.length, stored.length);
  const drift = rows.filter((r, i) => {
    const s = stored[i]!;
    return r.intel !== s.intel || r.bits !== s.bits || r.flavor !== s.flavor || (r.hex ?? "!") !== (s.hex ?? "!");
  });
  assert.equal(drift.length, 0, drift.map((r) => `${r.bits} ${r.flavor} ${r.intel}: ${r.hex ?? r.error}`).join("\n"));
});

test("live: the encoder matches the installed nasm and GNU as on every corpus form", { skip }, () => {
  const diffs = compare(live());
  assert.equal(diffs.length, 0, diffs.map(describe).join("\n"));
});
