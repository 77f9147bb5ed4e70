// The encoder against the checked-in goldens produced by GNU as 2.40 and nasm 2.16.01 (no tools needed).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { encodeUncached, FORMS, observeChosenForms } from "../encode";
import { compare, describe, requestFor } from "./check";
import { corpusEntries, parseGolden } from "./corpus";

const dir = import.meta.dirname;
const rows = parseGolden(readFileSync(join(dir, "golden.tsv"), "utf8"));

test("the golden corpus covers at least 600 forms in both dialects and all three code sizes", () => {
  assert.ok(rows.length >= 600, `only ${rows.length} forms`);
  for (const flavor of ["gas", "nasm"] as const)
    for (const bits of [16, 32, 64] as const)
      assert.ok(
        rows.filter((r) => r.flavor === flavor && r.bits === bits && r.hex !== undefined).length >= 100,
        `${flavor} ${bits}-bit has fewer than 100 encodings`,
      );
});

test("golden.tsv is up to date with forms.txt and the generated sweeps (same forms, same order)", () => {
  const entries = corpusEntries(readFileSync(join(dir, "forms.txt"), "utf8"));
  const expected = ["gas", "nasm"].flatMap((f) =>
    [16, 32, 64].flatMap((b) =>
      entries.filter((e) => e.flavors.includes(f as "gas") && e.modes.includes(b as 16)).map((e) => e.intel),
    ),
  );
  const atntAndNasm = rows.filter((r) => r.flavor !== "gas-intel").map((r) => r.intel);
  assert.deepEqual(atntAndNasm, expected, "run assembler/encoder/scripts/regenerate-corpus.ts");
});

for (const flavor of ["gas", "nasm", "gas-intel"] as const)
  for (const bits of [16, 32, 64] as const) {
    test(`${flavor} ${bits}-bit: every corpus form encodes byte-identically (or is rejected like the reference)`, () => {
      const group = rows.filter((r) => r.flavor === flavor && r.bits === bits);
      const diffs = compare(group);
      assert.equal(diffs.length, 0, `${diffs.length}/${group.length} differ:\n${diffs.map(describe).join("\n")}`);
    });
  }

test("every form of the instruction table is chosen for at least one corpus row", () => {
  const used = new Set<number>();
  observeChosenForms((f) => used.add(f.order));
  try {
    for (const g of rows) {
      const req = requestFor(g);
      if (typeof req !== "string") encodeUncached(req);
    }
  } finally {
    observeChosenForms(undefined);
  }
  const unused = FORMS.filter((f) => !used.has(f.order)).map((f) => f.spec);
  assert.deepEqual(unused, [], "forms no golden row exercises");
});
