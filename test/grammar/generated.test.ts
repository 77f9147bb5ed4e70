// The checked-in grammars are exactly what syntaxes/generate.ts builds from the current mnemonic source, so
// they cannot drift from the encoder's list. After the encoder changes: npx tsx syntaxes/generate.ts
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { VMX_INSTRUCTIONS } from "../../arch/index";
import { knownMnemonics } from "../../assembler/encoder/index";
import { generateGrammarTexts } from "../../syntaxes/generate";
import { loadMnemonicClasses } from "../../syntaxes/mnemonic-source";

const syntaxes = join(__dirname, "..", "..", "syntaxes");

test("checked-in grammars equal a fresh generation (run `npx tsx syntaxes/generate.ts` if not)", () => {
  const { files } = generateGrammarTexts();
  for (const [name, text] of Object.entries(files)) {
    assert.equal(readFileSync(join(syntaxes, name), "utf8"), text, `${name} is stale`);
  }
});

test("every mnemonic the encoder knows is in the grammar lists", () => {
  const { gas, nasm, prefixes } = loadMnemonicClasses();
  const all = new Set([...Object.values(gas).flat(), ...Object.values(nasm).flat(), ...prefixes]);
  for (const m of knownMnemonics()) assert.ok(all.has(m.toLowerCase()), `${m} missing from the grammar lists`);
});

test("all thirteen VMX instructions are in the VMX class", () => {
  const classes = loadMnemonicClasses();
  for (const { mnemonic: m } of VMX_INSTRUCTIONS) {
    assert.ok(classes.nasm.vmx.includes(m), `nasm ${m}`);
    assert.ok(classes.gas.vmx.includes(m), `gas ${m}`);
  }
});
